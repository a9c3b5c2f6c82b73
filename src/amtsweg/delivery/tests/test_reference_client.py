"""The reference Fachverfahren client as a separate process over real HTTP against the platform."""

import json
import subprocess

import pytest

from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import services
from amtsweg.delivery.models import OutboxMessage
from amtsweg.delivery.tests.e2e import Listener, client_env, deliver_all, make_fachverfahren
from amtsweg.submissions import events
from amtsweg.submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient_callbacks(settings):
    """In non-spool mode the client decrypts inside the callback; on a busy CI machine that takes a while."""
    settings.AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS = 90


def run_poll(fv, live_server):
    out = subprocess.run([*fv.args(live_server.url), "--poll", "--once"], capture_output=True, text=True,
                         env=client_env(), timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_poll_fetches_verifies_decrypts_writes_and_accepts_exactly_once(live_server, tmp_path):
    fv = make_fachverfahren(tmp_path, channels=["pull"])
    first = fv.submit()
    second = fv.submit(xml=b"<?xml version='1.0'?><antrag><hund>Bello</hund></antrag>")
    outcomes = run_poll(fv, live_server)
    assert sorted((o["submissionId"], o["status"]) for o in outcomes) == sorted(
        [(str(first.pk), "accepted"), (str(second.pk), "accepted")]
    )
    assert fv.written() == sorted([str(first.pk), str(second.pk)])
    folder = fv.out_dir / str(second.pk)
    assert json.loads((folder / "application.json").read_text())["hund"]["name"] == "Bello"
    assert b"<hund>Bello</hund>" in (folder / "application.xml").read_bytes()
    assert (folder / "metadata.json").exists()
    assert [p.name.endswith("impfpass-bello.pdf") for p in (folder / "attachments").iterdir()].count(True) == 1
    for submission in (first, second):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.ACCEPTED
        assert submission.events.filter(event_type=events.ACCEPT, issuer="destination").count() == 1
    # Nothing waits any more; a second run writes nothing.
    assert run_poll(fv, live_server) == []
    assert fv.written() == sorted([str(first.pk), str(second.pk)])


def test_a_submission_it_cannot_decrypt_is_rejected_with_a_reason(live_server, tmp_path):
    from amtsweg.delivery.tests.e2e import keypair
    from amtsweg.submissions.crypto import encrypt_for

    fv = make_fachverfahren(tmp_path, channels=["pull"])
    submission = fv.submit()
    other = keypair(1, 4096).as_dict(private=False) | {"kid": submission.encryption_kid}
    Submission.objects.filter(pk=submission.pk).update(encrypted_data=encrypt_for(other, b'{"x": 1}'))
    [outcome] = run_poll(fv, live_server)
    assert (outcome["status"], outcome["detail"]) == ("rejected", "encryption-issue")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert fv.written() == []


def test_callbacks_reach_the_listening_client_which_fetches_and_accepts(live_server, tmp_path):
    fv = make_fachverfahren(tmp_path)
    listener = Listener(fv.args(live_server.url), fv.destination.callback_secret, interval=0)
    try:
        fv.destination.callback_url = listener.url
        fv.destination.save()
        submissions = [fv.submit() for _ in range(3)]
        assert deliver_all(3) == {OutboxMessage.Status.DELIVERED: 3}
        # The callback was answered only after the client had fetched and confirmed each submission.
        for submission in submissions:
            submission.refresh_from_db()
            assert submission.status == Submission.Status.ACCEPTED
        assert fv.written() == sorted(str(s.pk) for s in submissions)
        # At-least-once: a resend of an already delivered notification writes nothing twice.
        message = OutboxMessage.objects.filter(submission_id=submissions[0].pk).get()
        services.resend(message, actor=SYSTEM)
        assert deliver_all(1) == {OutboxMessage.Status.DELIVERED: 1}
        assert fv.written() == sorted(str(s.pk) for s in submissions)
    finally:
        listener.stop()


def test_callbacks_with_a_wrong_signature_are_refused_by_the_client(live_server, tmp_path, caplog):
    fv = make_fachverfahren(tmp_path)
    listener = Listener(fv.args(live_server.url), fv.destination.callback_secret, interval=0)
    try:
        fv.destination.callback_url = listener.url
        fv.destination.callback_secret = "not-the-secret-the-client-knows"
        fv.destination.save()
        fv.submit()
        services.run_until_idle()
        message = OutboxMessage.objects.get()
        assert message.status == OutboxMessage.Status.PENDING and "nicht angenommen" in message.last_error
        assert [r.cause for r in caplog.records if r.msg == "callback not taken"] == ["HTTP 401"]  # for operators
        assert fv.written() == []
    finally:
        listener.stop()


def test_spool_mode_confirms_receipt_first_and_accepts_in_the_background(live_server, tmp_path):
    import time

    fv = make_fachverfahren(tmp_path)
    listener = Listener([*fv.args(live_server.url), "--spool"], fv.destination.callback_secret, interval=0)
    try:
        fv.destination.callback_url = listener.url
        fv.destination.save()
        submissions = [fv.submit() for _ in range(2)]
        assert deliver_all(2) == {OutboxMessage.Status.DELIVERED: 2}
        deadline = time.monotonic() + 60
        while (Submission.objects.filter(status=Submission.Status.ACCEPTED).count() < 2
               or [line["status"] for line in listener.lines].count("accepted") < 2):
            assert time.monotonic() < deadline, listener.lines
            time.sleep(0.2)
        assert fv.written() == sorted(str(s.pk) for s in submissions)
        # Each submission is confirmed as received (a retried notification may find it "already-received")
        # and accepted exactly once.
        accepted = [line["submissionId"] for line in listener.lines if line["status"] == "accepted"]
        received = {line["submissionId"] for line in listener.lines
                    if line["status"] in ("received", "already-received")}
        assert sorted(accepted) == sorted(str(s.pk) for s in submissions), listener.lines
        assert received == {str(s.pk) for s in submissions}, listener.lines
        assert not list((fv.out_dir / ".inbox").glob("*.json"))  # the spool is empty again
    finally:
        listener.stop()
