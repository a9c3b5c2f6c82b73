"""Push channels for real: the submit transaction writes the outbox, callbacks over HTTP with HMAC,
e-mail without personal data, directory export atomically and idempotently."""

import json
import socket
import time

import pytest
from django.core import mail

from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import callbacks, channels, services
from amtsweg.delivery.channels.callback import not_taken
from amtsweg.delivery.models import OutboxMessage
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.submissions.tests.factories import payload_for, submit_payload
from amtsweg_subscriber.crypto import verify_callback

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def submit(destination):
    from amtsweg.routing.models import Responsibility

    responsibility = Responsibility.objects.filter(destination=destination).first() or ResponsibilityFactory(
        destination=destination
    )
    return submit_payload(payload_for(responsibility))


def test_submit_writes_the_outbox_in_the_same_transaction(settings):
    destination = DestinationFactory(channels=["pull", "callback", "email"], callback_url="https://fv.example/cb",
                                     notification_email="post@kommune.example")
    submission = submit(destination)
    rows = OutboxMessage.objects.filter(submission_id=submission.pk)
    assert sorted(rows.values_list("channel", flat=True)) == ["callback", "email"]
    row = rows.get(channel="callback")
    assert (row.destination_id, row.case_id, row.authority_id) == (destination.pk, submission.case_id,
                                                                   destination.authority_id)


def test_pull_only_destination_gets_no_outbox_row():
    submission = submit(DestinationFactory())
    assert not OutboxMessage.objects.filter(submission_id=submission.pk).exists()


def test_callback_is_signed_with_hmac_and_carries_ids_only(endpoint):
    destination = DestinationFactory(channels=["callback"], callback_url=endpoint.url)
    first, second = submit(destination), submit(destination)
    assert services.run_until_idle() == {Status.DELIVERED: 2}
    [(headers, body)] = endpoint.requests  # one POST announces both
    payload = json.loads(body)
    assert payload["type"] == callbacks.NEW_SUBMISSIONS
    assert sorted(payload["submissionIds"]) == sorted([str(first.pk), str(second.pk)])
    assert {s["caseId"] for s in payload["submissions"]} == {str(first.case_id), str(second.case_id)}
    assert "Mustermann" not in body.decode() and "Bello" not in body.decode()
    from amtsweg.submissions import events

    assert set(first.events.values_list("event_type", flat=True)) >= {events.SUBMIT, events.NOTIFY}
    # The reference client's independent check accepts it; a wrong secret or an old timestamp does not.
    mac, ts = headers["callback-authentication"], headers["callback-timestamp"]
    assert len(mac) == 128
    assert verify_callback(destination.callback_secret, mac, ts, body)
    assert not verify_callback("wrong", mac, ts, body)
    assert not verify_callback(destination.callback_secret, mac, ts, body, now=int(ts) + 301)
    assert not verify_callback(destination.callback_secret, mac, ts, body + b" ")


@pytest.mark.parametrize(("fault", "cause"), [
    ("500", "HTTP 500"), ("404", "HTTP 404"), ("timeout", "ReadTimeout"), ("unreachable", "ConnectError"),
])
def test_callback_faults_are_retried_with_one_reason_that_tells_no_port_state(fault, cause, settings, endpoint,
                                                                              caplog):
    """Staff choose the URL: "refused", "timeout" or "HTTP 404" would make the platform their port scanner.
    They see one reason for every fault; the cause is logged for operators (ids only)."""
    settings.AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS = 0.3
    url = endpoint.url
    if fault in ("500", "404"):
        endpoint.status = int(fault)
    elif fault == "timeout":
        endpoint.delay = 1.0
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}/cb"  # closed again: nobody listens
    destination = DestinationFactory(channels=["callback"], callback_url=url)
    submission = submit(destination)
    services.run_until_idle()
    message = OutboxMessage.objects.get(submission_id=submission.pk)
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.last_error == not_taken("an das Fachverfahren")
    [record] = [r for r in caplog.records if r.msg == "callback not taken"]
    assert (record.cause, record.destination) == (cause, str(destination.pk))
    assert url not in str(vars(record))  # the URL may carry a token


def test_plain_http_callbacks_only_to_loopback():
    destination = DestinationFactory(channels=["callback"], callback_url="http://fv.example.org/cb")
    submit(destination)
    services.run_until_idle()
    assert "https://" in OutboxMessage.objects.get().last_error


def test_email_notifies_the_office_without_personal_data():
    destination = DestinationFactory(email=True)
    submission = submit(destination)
    services.run_until_idle()
    [message] = mail.outbox
    assert message.to == ["poststelle@kommune.example"]
    assert str(submission.pk) in message.body
    for personal in ("Erika", "Mustermann", "Bello", "Impfpass", "erika.mustermann@example.org"):
        assert personal not in message.body and personal not in message.subject


def test_directory_export_writes_ciphertext_atomically_and_once(tmp_path, settings):
    from amtsweg.routing.tests import factories as routing_factories
    from amtsweg.submissions.crypto import decrypt_jwe

    # routing's cached test key 0 is the one DestinationFactory encrypts for (renamed during development).
    keypair = getattr(routing_factories, "cached_keypair", None) or routing_factories.test_keypair

    settings.AMTSWEG_DELIVERY_EXPORT_ROOT = str(tmp_path)
    destination = DestinationFactory(channels=["directory"])
    submission = submit(destination)
    assert services.run_until_idle() == {Status.DELIVERED: 1}
    folder = tmp_path / str(destination.pk) / str(submission.pk)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["submissionId"] == str(submission.pk) and len(manifest["attachments"]) == 1
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert b"Mustermann" not in everything  # only JWEs leave the platform
    data = decrypt_jwe(keypair(0, 4096), (folder / "data.jwe").read_text())
    assert json.loads(data)["hund"]["name"] == "Bello"
    assert [p.name for p in folder.parent.iterdir()] == [str(submission.pk)]  # no temp folder left
    # Idempotent: a resend (e.g. after a crash) writes nothing new.
    before = (folder / "manifest.json").stat().st_mtime_ns
    message = OutboxMessage.objects.get()
    services.resend(message, actor=SYSTEM)
    services.run_until_idle()
    assert (folder / "manifest.json").stat().st_mtime_ns == before


def _leftover(folder, age_seconds: float):
    """A temporary export folder as a killed worker leaves it, last touched `age_seconds` ago."""
    import os
    import uuid

    tmp = folder / f".{uuid.uuid4()}.0badc0de.tmp"
    (tmp / "attachments").mkdir(parents=True)
    (tmp / "metadata.jwe").write_text("eyJ...")
    (tmp / "attachments" / "a.jwe").write_text("eyJ...")
    when = time.time() - age_seconds
    for path in (tmp / "attachments" / "a.jwe", tmp / "attachments", tmp / "metadata.jwe", tmp):
        os.utime(path, (when, when))
    return tmp


def test_directory_export_removes_what_a_crashed_export_left_but_not_a_running_one(tmp_path, settings):
    settings.AMTSWEG_DELIVERY_EXPORT_ROOT = str(tmp_path)
    destination = DestinationFactory(channels=["directory"])
    crashed = _leftover(tmp_path / str(destination.pk), 2 * 3600)
    elsewhere = _leftover(tmp_path / "another-destination", 2 * 3600)
    running = _leftover(tmp_path / str(destination.pk), 60)  # another worker is writing this one
    submission = submit(destination)
    assert services.run_until_idle() == {Status.DELIVERED: 1}
    assert not crashed.exists() and not elsewhere.exists()
    assert running.exists() and (running / "attachments" / "a.jwe").exists()
    assert {p.name for p in (tmp_path / str(destination.pk)).iterdir()} == {str(submission.pk), running.name}


def test_stale_means_nothing_changed_inside_for_the_configured_time(tmp_path, settings):
    import os

    from amtsweg.delivery.channels.directory import DirectoryExportChannel, remove_stale_temporaries

    settings.AMTSWEG_DELIVERY_EXPORT_TMP_STALE_SECONDS = 600
    folder = tmp_path / "destination"
    old, young = _leftover(folder, 1200), _leftover(folder, 1200)
    os.utime(young / "attachments" / "a.jwe")  # a slow export is still adding attachments
    (folder / "kept.tmp").mkdir()  # not ours: no leading dot
    (folder / ".file.tmp").write_text("")  # not ours: a file
    assert remove_stale_temporaries(tmp_path, older_than=600) == [old]
    assert young.exists() and (folder / "kept.tmp").exists() and (folder / ".file.tmp").exists()

    settings.AMTSWEG_DELIVERY_EXPORT_ROOT = str(tmp_path)
    channel = DirectoryExportChannel()
    later = _leftover(folder, 1200)
    assert channel.clean_up_if_due() == [later]  # at start
    assert channel.clean_up_if_due() == []  # not again within the threshold
    again = _leftover(folder, 1200)
    assert again.exists()
    channel._last_cleanup[tmp_path] -= 601
    assert channel.clean_up_if_due() == [again]


def test_a_new_channel_plugin_needs_no_change_in_the_core():
    received = []

    class Fax(channels.PerMessageChannel):
        def deliver_one(self, message):
            received.append(message.submission_id)

    with channels.register.registered("fax", Fax()):
        destination = DestinationFactory(channels=["pull"])
        destination.channels = ["pull", "fax"]
        destination.save()
        submission = submit(destination)
        services.run_until_idle()
    assert received == [submission.pk]


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_notification_events_of_a_batch_take_one_light_select_and_one_insert(endpoint):
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amtsweg.submissions import events

    destination = DestinationFactory(channels=["callback"], callback_url=endpoint.url)
    submitted = [submit(destination) for _ in range(3)]
    messages = list(OutboxMessage.objects.filter(submission_id__in=[s.pk for s in submitted]))
    gone = OutboxMessage(submission_id=uuid.uuid4(), channel="callback")  # its submission no longer exists
    with CaptureQueriesContext(connection) as queries:
        services._record_notifications([*messages, gone], "callback")
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "encrypted" not in statements[0]
    assert statements[1].startswith("INSERT")
    for submission in submitted:
        (notify,) = submission.events.filter(event_type=events.NOTIFY)
        assert notify.token == "" and notify.case_id == submission.case_id
        assert notify.claims == {
            "iss": events.platform_issuer(), "iat": int(notify.created_at.timestamp()), "jti": str(notify.pk),
            "sub": f"submission:{submission.pk}", "txn": f"case:{submission.case_id}",
            "events": {events.NOTIFY: {"channel": "callback"}},
        }
