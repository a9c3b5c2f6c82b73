"""Sender callbacks (FIT-Connect `new-events`): when the Fachverfahren accepts or rejects, the online service
that gave a `callback` is told over HTTP, signed with its secret, ids only, through the outbox's retries."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from joserfc import jws
from joserfc.util import urlsafe_b64decode

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import callbacks, channels, services
from amtsweg.delivery.channels import sender_callback
from amtsweg.delivery.channels.callback import not_taken
from amtsweg.delivery.channels.sender_callback import NEW_EVENTS
from amtsweg.delivery.models import OutboxMessage
from amtsweg.routing.models import Destination
from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import crypto, events
from amtsweg.submissions.models import Submission
from amtsweg.submissions.signals import destination_event_received
from amtsweg.submissions.tests.factories import (
    ApiClientFactory,
    bearer,
    destination_private_key,
    payload_for,
    submit_payload,
)
from amtsweg_subscriber.crypto import verify_callback

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
CHANNEL = sender_callback.IDENTIFIER
NOT_TAKEN = not_taken("an den Sender")  # one reason for every failed POST (no port scanner)
SIGNER = destination_private_key(1)
SENDER_SECRET = "a1b2c3d4" * 12  # what the online service chose when it announced the submission
PERSONAL = ("Erika", "Mustermann", "Bello", "Dackel", "Impfpass", "erika.mustermann@example.org")
PROBLEMS = {"problems": [{"type": events.PROBLEM_BASE + "invalid-data", "title": "Fachdaten ungültig"}]}


@pytest.fixture
def signed_responsibility():
    """A responsibility whose destination signs its events with SIGNER."""
    responsibility = ResponsibilityFactory()
    public = SIGNER.as_dict(private=False)
    public.update({"kid": "sig-key-1", "alg": "PS512", "key_ops": ["verify"]})
    DestinationKeyFactory(destination=responsibility.destination, signature=True, jwk=public, kid="sig-key-1")
    return responsibility


def fachverfahren(destination: Destination) -> Client:
    return Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=destination)))


def post_event(submission: Submission, event_uri: str, payload: dict | None = None):
    """The Fachverfahren posts its signed accept/reject SET to the case's event log (Submission API)."""
    claims = {
        "iss": str(submission.destination_id), "iat": int(time.time()), "jti": str(uuid.uuid4()),
        "sub": f"submission:{submission.pk}", "txn": f"case:{submission.case_id}",
        "events": {event_uri: payload or {}},
    }
    token = jws.serialize_compact({"typ": "secevent+jwt", "alg": "PS512", "kid": "sig-key-1"},
                                  json.dumps(claims).encode(), SIGNER, algorithms=["PS512"])
    return fachverfahren(Destination.objects.get(pk=submission.destination_id)).post(
        f"/v1/cases/{submission.case_id}/events", token, content_type="application/jose"
    )


def with_callback(submission: Submission, url: str, secret: str = SENDER_SECRET) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(callback_url=url, callback_secret=secret)
    submission.refresh_from_db()
    return submission


def citizen_submission(responsibility, url: str = "") -> Submission:
    """A submission full of personal data (to prove none of it leaves in the callback)."""
    submission = submit_payload(payload_for(responsibility))
    return with_callback(submission, url) if url else submission


def announce_and_submit(sender, destination: Destination, callback: dict) -> Submission:
    """The online service's side: announce with a callback, then submit (no attachments)."""
    client = Client(HTTP_AUTHORIZATION=bearer(sender))
    created = client.post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [], "callback": callback,
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    key = destination.active_encryption_key()
    jwk = dict(key.jwk, kid=key.kid)
    submitted = client.put(f"/v1/submissions/{created.json()['submissionId']}", {
        "encryptedMetadata": crypto.encrypt_for(jwk, b'{"contentStructure": {"attachments": []}}'),
        "encryptedData": crypto.encrypt_for(jwk, b'{"antrag": 1}'),
    }, content_type="application/json")
    assert submitted.status_code == 202, submitted.content
    return Submission.objects.get(pk=created.json()["submissionId"])


def test_after_accept_the_sender_gets_one_signed_new_events_callback(signed_responsibility, endpoint):
    destination = signed_responsibility.destination
    sender = ApiClientFactory(sender_region="10")
    submission = announce_and_submit(sender, destination,
                                     {"url": "https://onlinedienst.example.org/fit-connect", "secret": SENDER_SECRET})
    assert (submission.callback_url, submission.callback_secret) == (
        "https://onlinedienst.example.org/fit-connect", SENDER_SECRET)
    # The API takes https only; the test's endpoint listens on plain http on loopback.
    with_callback(submission, endpoint.url)
    services.run_until_idle()
    assert not OutboxMessage.objects.filter(channel=CHANNEL).exists()  # nothing to tell before the decision

    assert post_event(submission, events.ACCEPT).status_code == 204
    row = OutboxMessage.objects.get(channel=CHANNEL)
    assert (row.submission_id, row.destination_id, row.case_id, row.authority_id, row.status) == (
        submission.pk, destination.pk, submission.case_id, destination.authority_id, Status.PENDING)
    assert row.idempotency_key == OutboxMessage.key_for(submission.pk, CHANNEL)

    assert services.run_until_idle() == {Status.DELIVERED: 1}
    [(headers, body)] = endpoint.requests
    assert json.loads(body) == {
        "type": "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events",
        "submissionIds": [str(submission.pk)],
        "submissions": [{"destinationId": str(destination.pk), "submissionId": str(submission.pk),
                         "caseId": str(submission.case_id)}],
    }
    assert headers["content-type"] == "application/json"
    timestamp, mac = headers["callback-timestamp"], headers["callback-authentication"]
    assert abs(int(timestamp) - time.time()) < 300
    assert callbacks.verify(SENDER_SECRET, mac, timestamp, body)
    assert verify_callback(SENDER_SECRET, mac, timestamp, body)  # the reference client's independent check
    assert not verify_callback(destination.callback_secret, mac, timestamp, body)  # not the destination's secret
    # The sender follows up by reading the case's event log and finds the decision.
    log = Client(HTTP_AUTHORIZATION=bearer(sender)).get(f"/v1/cases/{submission.case_id}/events").json()
    kinds = [next(iter(json.loads(urlsafe_b64decode(t.split(".")[1].encode()))["events"])) for t in log["eventLog"]]
    assert kinds[:3] == [events.CREATE, events.SUBMIT, events.ACCEPT]
    # Exactly once: nothing more to send, and a second decision is refused without a new row.
    assert services.run_until_idle() == {}
    assert post_event(submission, events.REJECT, PROBLEMS).status_code == 409
    assert OutboxMessage.objects.filter(channel=CHANNEL).count() == 1 and len(endpoint.requests) == 1


def test_after_reject_the_sender_gets_one_callback_with_ids_only(signed_responsibility, endpoint):
    submission = citizen_submission(signed_responsibility, endpoint.url)
    other = citizen_submission(signed_responsibility)  # no callback: nothing for its sender
    services.run_until_idle()

    assert post_event(submission, events.REJECT, PROBLEMS).status_code == 204
    assert post_event(other, events.REJECT, PROBLEMS).status_code == 204
    assert list(OutboxMessage.objects.filter(channel=CHANNEL).values_list("submission_id", flat=True)) == [
        submission.pk]
    assert services.run_until_idle() == {Status.DELIVERED: 1}
    [(headers, body)] = endpoint.requests
    payload = json.loads(body)
    assert payload["type"] == NEW_EVENTS and payload["submissionIds"] == [str(submission.pk)]
    assert callbacks.verify(SENDER_SECRET, headers["callback-authentication"], headers["callback-timestamp"], body)
    text = body.decode()
    for personal in (*PERSONAL, submission.public_reference, "invalid-data", "Fachdaten"):
        assert personal not in text
    assert services.run_until_idle() == {} and len(endpoint.requests) == 1


def test_no_row_without_a_callback_url(signed_responsibility):
    submission = citizen_submission(signed_responsibility)
    services.run_until_idle()
    assert post_event(submission, events.ACCEPT).status_code == 204
    assert not OutboxMessage.objects.filter(submission_id=submission.pk, channel=CHANNEL).exists()


def test_a_failing_sender_endpoint_is_retried_and_ends_as_a_dead_letter(signed_responsibility, endpoint, settings):
    settings.AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS = 60
    endpoint.status = 500
    submission = citizen_submission(signed_responsibility, endpoint.url)
    services.run_until_idle()
    assert post_event(submission, events.ACCEPT).status_code == 204

    assert services.run_until_idle() == {Status.PENDING: 1}
    row = OutboxMessage.objects.get(channel=CHANNEL)
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 1, NOT_TAKEN)
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=25)  # backed off, not due yet
    assert services.run_until_idle() == {}
    # The retry horizon (48 h) passes; the next attempt fails again and the message is a dead letter.
    OutboxMessage.objects.filter(pk=row.pk).update(
        first_attempt_at=timezone.now() - timedelta(hours=48, seconds=1), next_attempt_at=timezone.now())
    assert services.run_until_idle() == {Status.DEAD: 1}
    row.refresh_from_db()
    assert row.status == Status.DEAD and row.attempts == 2
    assert row.last_error == f"Zustellfrist abgelaufen nach 2 Versuchen. Letzter Fehler: {NOT_TAKEN}"
    assert len(endpoint.requests) == 2
    # Staff resend it once the sender's endpoint works again.
    endpoint.status = 200
    assert services.resend(row, actor=SYSTEM)
    assert services.run_until_idle() == {Status.DELIVERED: 1}
    assert len(endpoint.requests) == 3


def test_plain_http_only_to_loopback():
    responsibility = ResponsibilityFactory()
    submission = citizen_submission(responsibility, "http://onlinedienst.example.org/cb")
    services.enqueue(submission_id=submission.pk, destination_id=submission.destination_id,
                     authority_id=responsibility.destination.authority_id, case_id=submission.case_id,
                     channel_names=[CHANNEL])
    assert services.run_until_idle() == {Status.DEAD: 1}  # the sender cannot change it: no retry helps
    assert "https://" in OutboxMessage.objects.get(channel=CHANNEL).last_error


def test_the_row_is_written_in_the_decision_transaction(signed_responsibility, endpoint):
    """If the transaction that stores the accept fails after the signal, neither event nor row remain."""
    submission = citizen_submission(signed_responsibility, endpoint.url)

    def fail(sender, **kwargs):
        raise RuntimeError("database gone")

    destination_event_received.connect(fail, dispatch_uid="test.fail")  # runs after delivery's receiver
    try:
        with pytest.raises(RuntimeError):
            post_event(submission, events.ACCEPT)
    finally:
        destination_event_received.disconnect(dispatch_uid="test.fail")
    submission.refresh_from_db()
    assert submission.status != Submission.Status.ACCEPTED
    assert not submission.events.filter(event_type=events.ACCEPT).exists()
    assert not OutboxMessage.objects.filter(channel=CHANNEL).exists()


def test_the_sender_callback_is_no_destination_channel(signed_responsibility):
    assert CHANNEL in channels.register
    assert channels.push_channels([CHANNEL]) == [CHANNEL]  # enqueue() accepts it …
    assert channels.destination_channels(["pull", "callback", CHANNEL, "email"]) == ["callback", "email"]
    destination = signed_responsibility.destination
    destination.channels = ["pull", CHANNEL]
    with pytest.raises(Exception, match="Unbekannter Zustellweg"):  # … but no destination can choose it
        destination.full_clean()
    destination.save()  # even if one is stored without validation, its submissions get no such row
    submission = citizen_submission(signed_responsibility, "https://onlinedienst.example.org/cb")
    assert not OutboxMessage.objects.filter(submission_id=submission.pk).exists()


def test_staff_of_the_destinations_authority_see_the_row_others_do_not(signed_responsibility, endpoint, client):
    endpoint.status = 500
    submission = citizen_submission(signed_responsibility, endpoint.url)
    services.run_until_idle()
    assert post_event(submission, events.ACCEPT).status_code == 204
    services.run_until_idle()

    client.force_login(UserFactory(authority=signed_responsibility.destination.authority))
    html = client.get("/verwaltung/zustellung/").content.decode()
    assert str(submission.pk) in html and "an den Sender wurde nicht angenommen" in html
    assert "Rückmeldung an den Sender (Callback)" in html
    client.force_login(UserFactory())
    assert str(submission.pk) not in client.get("/verwaltung/zustellung/").content.decode()


def test_the_sender_callback_records_no_notify_event(signed_responsibility, endpoint):
    """notify-submission means "the Fachverfahren was notified" (status page: "Zuständige Stelle
    benachrichtigt"); telling the sender after the decision is not that."""
    submission = citizen_submission(signed_responsibility, endpoint.url)
    services.run_until_idle()
    assert post_event(submission, events.ACCEPT).status_code == 204
    assert services.run_until_idle() == {Status.DELIVERED: 1}
    notified = [e.claims["events"][events.NOTIFY].get("channel")
                for e in submission.events.filter(event_type=events.NOTIFY)]
    assert CHANNEL not in notified
