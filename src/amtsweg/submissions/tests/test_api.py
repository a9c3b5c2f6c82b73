"""Submission API (FIT-Connect 1.x): token, sender flow, subscriber flow, events, isolation between clients."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client
from joserfc import jws

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import crypto, events, oauth
from amtsweg.submissions.models import AccessToken, Event, Submission
from amtsweg.submissions.tests.factories import (
    SECRET,
    ApiClientFactory,
    bearer,
    destination_private_key,
    payload_for,
    submit_payload,
)

pytestmark = pytest.mark.django_db
PRIVATE = destination_private_key(0)
SIGNER = destination_private_key(1)


@pytest.fixture
def signature_key(destination):
    return DestinationKeyFactory(destination=destination, signature=True,
                                 jwk=_public(SIGNER, "signature", "sig-key-1"), kid="sig-key-1")


def _public(key, purpose: str, kid: str) -> dict:
    data = key.as_dict(private=False)
    data.update({"kid": kid, "alg": {"signature": "PS512", "encryption": "RSA-OAEP-256"}[purpose],
                 "key_ops": {"signature": ["verify"], "encryption": ["wrapKey"]}[purpose]})
    return data


def _token(data: dict):
    return Client().post("/token", urlencode(data), content_type="application/x-www-form-urlencoded")


def _client(api_client=None) -> Client:
    return Client(HTTP_AUTHORIZATION=bearer(api_client)) if api_client else Client()


def _set(submission: Submission, event_uri: str, payload: dict | None = None, *, key=SIGNER, kid="sig-key-1",
         iss=None, **overrides) -> str:
    claims = {
        "iss": iss or str(submission.destination_id),
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "sub": f"submission:{submission.pk}",
        "txn": f"case:{submission.case_id}",
        "events": {event_uri: payload or {}},
    }
    claims.update(overrides)
    header = {"typ": "secevent+jwt", "alg": "PS512", "kid": kid}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["PS512"])


# --- token endpoint ----------------------------------------------------------------------------------------


def test_token_endpoint_issues_a_hashed_expiring_bearer_token(destination):
    api_client = ApiClientFactory(subscriber_for=destination)
    response = _token({"grant_type": "client_credentials", "client_id": api_client.client_id,
                                        "client_secret": SECRET})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert body["scope"] == f"subscribe:destination:{destination.pk}"
    stored = AccessToken.objects.get(client=api_client)
    assert stored.token_hash == oauth.hash_secret(body["access_token"]) != body["access_token"]
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").get("/v1/submissions")
    assert listed.status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": "nope", "client_secret": SECRET}, 401, "invalid_client"),
        ({"grant_type": "password", "client_id": "x", "client_secret": "y"}, 400, "unsupported_grant_type"),
    ],
)
def test_token_endpoint_errors(data, status, error):
    response = _token(data)
    assert response.status_code == status and response.json()["error"] == error


def test_token_with_wrong_secret_or_foreign_scope_is_refused(destination):
    api_client = ApiClientFactory(subscriber_for=destination)
    wrong = _token({"grant_type": "client_credentials", "client_id": api_client.client_id,
                                     "client_secret": "falsch"})
    assert wrong.status_code == 401
    scope = _token({"grant_type": "client_credentials", "client_id": api_client.client_id,
                                     "client_secret": SECRET, "scope": f"subscribe:destination:{uuid.uuid4()}"})
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"


def test_missing_or_bad_token_is_a_401_problem():
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer nonsense")):
        response = client.get("/v1/submissions")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401


# --- sender side ----------------------------------------------------------------------------------------------


def _send(api_client, destination, *, attachments=(b"Anlage eins",), data=b'{"antrag": 1}'):
    client = _client(api_client)
    jwk = destination.active_encryption_key()
    # A sender looks up the key through the API, as FIT-Connect senders do.
    info = client.get(f"/v1/destinations/{destination.pk}").json()
    key = Client().get(f"/v1/destinations/{destination.pk}/keys/{info['encryptionKid']}").json()
    assert key["kid"] == jwk.kid and key["key_ops"] == ["wrapKey"] and "d" not in key
    attachment_ids = [str(uuid.uuid4()) for _ in attachments]
    created = client.post("/v1/submissions", {
        "destinationId": str(destination.pk),
        "announcedAttachments": attachment_ids,
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    ids = created.json()
    for attachment_id, content in zip(attachment_ids, attachments, strict=True):
        uploaded = client.put(f"/v1/submissions/{ids['submissionId']}/attachments/{attachment_id}",
                              crypto.encrypt_for(key, content), content_type="application/jose")
        assert uploaded.status_code == 204, uploaded.content
    submitted = client.put(f"/v1/submissions/{ids['submissionId']}", {
        "encryptedMetadata": crypto.encrypt_for(key, b'{"contentStructure": {"attachments": []}}'),
        "encryptedData": crypto.encrypt_for(key, data),
    }, content_type="application/json")
    assert submitted.status_code == 202, submitted.content
    body = submitted.json()
    assert sorted(body["attachments"]) == sorted(attachment_ids)
    return ids


def test_sender_flow_announce_upload_submit(destination):
    sender = ApiClientFactory(sender_region="10")
    ids = _send(sender, destination)
    submission = Submission.objects.get(pk=ids["submissionId"])
    assert submission.status == Submission.Status.SUBMITTED and submission.sender == sender
    assert [e.event_type for e in submission.events.all()] == [events.CREATE, events.SUBMIT]


def test_sender_outside_its_region_is_forbidden(destination):
    sender = ApiClientFactory(sender_region="09")  # Bayern, destination is in Saarland
    response = _client(sender).post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [],
        "serviceType": {"name": "x", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_service_restricted_sender_cannot_send_other_services(destination):
    sender = ApiClientFactory(scopes=["send:region:DE10+send:service:urn:de:fim:leika:leistung:99012008001000"])
    response = _client(sender).post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [],
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert response.status_code == 403


def test_submit_with_missing_attachment_is_422_and_unannounced_upload_is_422(destination):
    sender = ApiClientFactory(sender_region="10")
    client = _client(sender)
    key = dict(destination.active_encryption_key().jwk, kid=destination.active_encryption_key().kid)
    created = client.post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [str(uuid.uuid4())],
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json").json()
    unannounced = client.put(f"/v1/submissions/{created['submissionId']}/attachments/{uuid.uuid4()}",
                             crypto.encrypt_for(key, b"x"), content_type="application/jose")
    assert unannounced.status_code == 422
    wrong_type = client.put(f"/v1/submissions/{created['submissionId']}/attachments/{uuid.uuid4()}",
                            crypto.encrypt_for(key, b"x"), content_type="text/plain")
    assert wrong_type.status_code == 415
    submitted = client.put(f"/v1/submissions/{created['submissionId']}",
                           {"encryptedMetadata": crypto.encrypt_for(key, b"{}")}, content_type="application/json")
    assert submitted.status_code == 422 and "Anlagen" in submitted.json()["detail"]


def test_unknown_destination_is_404_and_bad_body_is_400():
    sender = ApiClientFactory(sender_region="10")
    client = _client(sender)
    unknown = client.post("/v1/submissions", {
        "destinationId": str(uuid.uuid4()), "announcedAttachments": [],
        "serviceType": {"name": "x", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert unknown.status_code == 404
    bad = client.post("/v1/submissions", {"destinationId": "kaputt"}, content_type="application/json")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"


# --- subscriber side ------------------------------------------------------------------------------------------


def test_subscriber_lists_fetches_decrypts_and_accepts(responsibility, signature_key):
    destination = responsibility.destination
    submission = submit_payload(payload_for(responsibility))
    subscriber = ApiClientFactory(subscriber_for=destination)
    client = _client(subscriber)

    listing = client.get(f"/v1/submissions?destinationId={destination.pk}").json()
    assert listing == {"count": 1, "offset": 0, "totalCount": 1, "submissions": [
        {"destinationId": str(destination.pk), "submissionId": str(submission.pk), "caseId": str(submission.case_id)}
    ]}
    body = client.get(f"/v1/submissions/{submission.pk}").json()
    meta = json.loads(crypto.decrypt_jwe(PRIVATE, body["encryptedMetadata"]))
    assert json.loads(crypto.decrypt_jwe(PRIVATE, body["encryptedData"]))["hund"]["name"] == "Bello"
    (attachment_id,) = body["attachments"]
    jwe = client.get(f"/v1/submissions/{submission.pk}/attachments/{attachment_id}")
    assert jwe["Content-Type"] == "application/jose"
    content = crypto.decrypt_jwe(PRIVATE, jwe.content.decode())
    assert meta["contentStructure"]["attachments"][0]["hash"]["content"] == crypto.sha512_hex(content)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FORWARDED

    accepted = client.post(f"/v1/cases/{submission.case_id}/events", _set(submission, events.ACCEPT),
                           content_type="application/jose")
    assert accepted.status_code == 204, accepted.content
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED

    log = client.get(f"/v1/cases/{submission.case_id}/events").json()
    assert log["totalCount"] == 4 and log["count"] == 4
    kinds = []
    for token in log["eventLog"]:
        header = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "=="))
        assert header["typ"] == "secevent+jwt" and header["alg"] == "PS512"
        claims = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))
        assert claims["sub"] == f"submission:{submission.pk}" and claims["txn"] == f"case:{submission.case_id}"
        kinds.append(next(iter(claims["events"])))
    assert kinds == [events.CREATE, events.SUBMIT, events.FORWARD, events.ACCEPT]
    # Platform tokens verify with the published JWKS.
    jwks = Client().get("/.well-known/jwks.json").json()
    assert jwks["keys"][0]["alg"] == "PS512"
    assert events.verify_platform_token(log["eventLog"][0])["events"] == {events.CREATE: {}}
    # Once accepted, it is no longer waiting.
    assert client.get("/v1/submissions").json()["totalCount"] == 0
    again = client.post(f"/v1/cases/{submission.case_id}/events", _set(submission, events.REJECT, {
        "problems": [{"type": events.PROBLEM_BASE + "technical-error", "title": "x"}]}),
        content_type="application/jose")
    assert again.status_code == 409


def test_reject_with_problem_codes(responsibility, signature_key):
    submission = submit_payload(payload_for(responsibility))
    client = _client(ApiClientFactory(subscriber_for=responsibility.destination))
    problems = [{"type": events.PROBLEM_BASE + "invalid-data", "title": "Fachdaten ungültig",
                 "detail": "Feld hund.rasse fehlt", "instance": "data"}]
    response = client.post(f"/v1/cases/{submission.case_id}/events", _set(submission, events.REJECT,
                           {"problems": problems}), content_type="application/jose")
    assert response.status_code == 204
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    event = Event.objects.get(submission=submission, event_type=events.REJECT)
    assert event.issuer == Event.Issuer.DESTINATION and events.verification_state(event)


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda s: _set(s, events.ACCEPT, key=destination_private_key(2)), 422),  # wrong key
        (lambda s: _set(s, events.ACCEPT, kid="unbekannt"), 422),  # unregistered kid
        (lambda s: _set(s, events.REJECT, {"problems": [{"type": "https://example.org/x"}]}), 422),
        (lambda s: _set(s, events.REJECT, {}), 422),  # reject without problems
        (lambda s: _set(s, events.SUBMIT), 422),  # only accept/reject
        (lambda s: _set(s, events.ACCEPT, iss="someone-else"), 422),
        (lambda s: _set(s, events.ACCEPT, txn=f"case:{uuid.uuid4()}"), 422),
        (lambda s: "kein.token", 400),
        (lambda s: _set(s, events.ACCEPT)[:-20] + "A" * 20, 422),  # tampered signature
    ],
)
def test_bad_sets_are_refused_and_not_stored(responsibility, signature_key, make, status):
    submission = submit_payload(payload_for(responsibility))
    client = _client(ApiClientFactory(subscriber_for=responsibility.destination))
    response = client.post(f"/v1/cases/{submission.case_id}/events", make(submission),
                           content_type="application/jose")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Event.objects.filter(submission=submission, issuer=Event.Issuer.DESTINATION).exists()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_a_client_never_sees_another_destinations_data(responsibility, signature_key):
    submission = submit_payload(payload_for(responsibility))
    other = ResponsibilityFactory()
    intruder = ApiClientFactory(subscriber_for=other.destination)
    client = _client(intruder)

    assert client.get("/v1/submissions").json()["totalCount"] == 0
    assert client.get(f"/v1/submissions?destinationId={responsibility.destination_id}").status_code == 403
    assert client.get(f"/v1/submissions/{submission.pk}").status_code == 404
    attachment = submission.attachments.first()
    assert client.get(f"/v1/submissions/{submission.pk}/attachments/{attachment.pk}").status_code == 404
    assert client.get(f"/v1/cases/{submission.case_id}/events").status_code == 404
    posted = client.post(f"/v1/cases/{submission.case_id}/events", _set(submission, events.ACCEPT),
                         content_type="application/jose")
    assert posted.status_code == 404
    # a sender sees only its own submissions
    sender_a, sender_b = ApiClientFactory(sender_region="10"), ApiClientFactory(sender_region="10")
    ids = _send(sender_a, responsibility.destination)
    assert _client(sender_b).get(f"/v1/cases/{ids['caseId']}/events").status_code == 404
    assert _client(sender_a).get(f"/v1/cases/{ids['caseId']}/events").status_code == 200
    assert _client(sender_b).put(f"/v1/submissions/{ids['submissionId']}", {"encryptedMetadata": "a.b.c.d.e"},
                                 content_type="application/json").status_code == 404
    # senders cannot pick up submissions
    assert _client(sender_a).get(f"/v1/submissions/{ids['submissionId']}").status_code == 404
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_paging_of_waiting_submissions(responsibility):
    for _ in range(3):
        submit_payload(payload_for(responsibility))
    client = _client(ApiClientFactory(subscriber_for=responsibility.destination))
    page = client.get("/v1/submissions?limit=2&offset=1").json()
    assert page["count"] == 2 and page["offset"] == 1 and page["totalCount"] == 3
    assert client.get("/v1/submissions?limit=0").status_code == 400
    assert client.get("/v1/submissions?limit=abc").status_code == 400


def test_info_and_unknown_key():
    assert Client().get("/v1/info").json() == {"version": {"major": 1, "minor": 1, "patch": 3}}
    response = Client().get(f"/v1/destinations/{uuid.uuid4()}/keys/abcdefgh")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_large_attachments_round_trip_beyond_joserfc_default_limit(responsibility):
    """6 MiB: above joserfc's 64 KiB decrypt default and Django's 5 MiB form-body limit."""
    destination = responsibility.destination
    big = bytes(range(256)) * (6 * 4096)
    ids = _send(ApiClientFactory(sender_region="10"), destination, attachments=(big,))
    client = _client(ApiClientFactory(subscriber_for=destination))
    (attachment_id,) = client.get(f"/v1/submissions/{ids['submissionId']}").json()["attachments"]
    jwe = client.get(f"/v1/submissions/{ids['submissionId']}/attachments/{attachment_id}").content.decode()
    assert crypto.decrypt_jwe(PRIVATE, jwe) == big


def test_housekeeping_signs_events_and_purges_finished_submissions(responsibility, signature_key, settings):
    from io import StringIO

    from django.core.management import call_command

    from amtsweg.assistants.handoff import Attachment

    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = 1024  # one attachment in its row, one in a file
    submission = submit_payload(payload_for(responsibility, attachments=[
        Attachment("klein.pdf", "application/pdf", b"%PDF-1.7 klein"),
        Attachment("gross.pdf", "application/pdf", b"%PDF-1.7 " + bytes(4096))]))
    client = _client(ApiClientFactory(subscriber_for=responsibility.destination))
    client.get(f"/v1/submissions/{submission.pk}")
    assert client.post(f"/v1/cases/{submission.case_id}/events", _set(submission, events.ACCEPT),
                       content_type="application/jose").status_code == 204
    files = [p for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(files) == 1 and submission.attachments.exclude(ciphertext="").count() == 1
    out = StringIO()
    call_command("submissions_housekeeping", "--purge-after-days", "0", stdout=out)
    assert "purged submissions: 1" in out.getvalue()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DELETED
    assert submission.encrypted_metadata == submission.encrypted_data == ""
    assert not [p for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not submission.attachments.exists()
    log = list(Event.objects.filter(case=submission.case))
    assert [e.event_type for e in log][-1] == events.DELETE
    assert all(e.token and events.verification_state(e) for e in log)


def test_newer_fit_connect_problem_codes_are_accepted_foreign_ones_not():
    assert events.is_problem_type(events.PROBLEM_BASE + "invalid-data")
    assert events.is_problem_type(events.PROBLEM_BASE + "some-future-code")
    assert not events.is_problem_type(events.PROBLEM_BASE + "Bad Code")
    assert not events.is_problem_type("https://example.org/problems/invalid-data")
    assert not events.is_problem_type(None)


def test_token_endpoint_accepts_http_basic_client_authentication(destination):
    import base64

    api_client = ApiClientFactory(subscriber_for=destination)
    basic = base64.b64encode(f"{api_client.client_id}:{SECRET}".encode()).decode()
    response = Client().post("/token", "grant_type=client_credentials",
                             content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_destination_details_only_for_its_own_clients_or_senders_of_its_region(destination):
    other = ResponsibilityFactory().destination
    stranger = _client(ApiClientFactory(subscriber_for=other))
    assert stranger.get(f"/v1/destinations/{destination.pk}").status_code == 403
    own = _client(ApiClientFactory(subscriber_for=destination)).get(f"/v1/destinations/{destination.pk}").json()
    assert own["contactInformation"]["legalName"] == destination.authority.name
    # a sender cannot list waiting submissions at all
    assert _client(ApiClientFactory(sender_region="10")).get("/v1/submissions").status_code == 403


# --- fetch path: queries, forward event, token checks -----------------------------------------------------


def test_fetch_lists_attachments_in_announced_order_without_querying_them(destination):
    sender = ApiClientFactory(sender_region="10")
    ids = _send(sender, destination, attachments=(b"eins", b"zwei", b"drei"))
    submission = Submission.objects.get(pk=ids["submissionId"])
    announced = submission.announced_attachments
    assert len(announced) == 3 and set(announced) == {str(a.pk) for a in submission.attachments.all()}
    client = _client(ApiClientFactory(subscriber_for=destination))
    body = client.get(f"/v1/submissions/{submission.pk}").json()
    assert body["attachments"] == announced


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("routing_index_as_in_production")
def test_fetch_costs_few_queries_and_only_the_first_records_a_forward_event(responsibility):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submission = submit_payload(payload_for(responsibility))
    client = _client(ApiClientFactory(subscriber_for=responsibility.destination))
    with CaptureQueriesContext(connection) as first:
        body = client.get(f"/v1/submissions/{submission.pk}").json()
    # token, submission, and the move to forwarded with its event: BEGIN, UPDATE, INSERT, COMMIT
    assert len(first) == 6, [q["sql"] for q in first]
    assert body["attachments"] == submission.announced_attachments
    with CaptureQueriesContext(connection) as second:
        again = client.get(f"/v1/submissions/{submission.pk}")
    assert again.status_code == 200 and again.json() == body
    assert len(second) == 2, [q["sql"] for q in second]  # token and submission: nothing to write
    (attachment_id,) = body["attachments"]
    assert client.get(f"/v1/submissions/{submission.pk}/attachments/{attachment_id}").status_code == 200

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FORWARDED
    (forward,) = Event.objects.filter(submission=submission, event_type=events.FORWARD)
    assert forward.issuer == Event.Issuer.PLATFORM and forward.token == "" and forward.case_id == submission.case_id
    assert forward.claims == {
        "iss": events.platform_issuer(), "iat": int(forward.created_at.timestamp()), "jti": str(forward.pk),
        "sub": f"submission:{submission.pk}", "txn": f"case:{submission.case_id}", "events": {events.FORWARD: {}},
    }
    (sealed,) = events.signed_log([forward])
    assert events.verify_platform_token(sealed.token) == forward.claims


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_fetches_record_one_forward_event(responsibility):
    import threading

    from django.db import connection

    from amtsweg.submissions import services

    submission = submit_payload(payload_for(responsibility))
    copies = [Submission.objects.get(pk=submission.pk) for _ in range(4)]  # each read as submitted
    barrier = threading.Barrier(len(copies))
    errors: list[BaseException] = []

    def fetch(copy: Submission) -> None:
        try:
            barrier.wait()
            services.mark_forwarded(copy)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch, args=(copy,)) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Event.objects.filter(submission=submission, event_type=events.FORWARD).count() == 1
    assert sum(copy.status == Submission.Status.FORWARDED for copy in copies) == 1
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FORWARDED


def test_mark_forwarded_inside_a_transaction_is_idempotent(responsibility):
    from amtsweg.submissions import services

    submission = submit_payload(payload_for(responsibility))
    stale = Submission.objects.get(pk=submission.pk)
    services.mark_forwarded(submission)
    services.mark_forwarded(stale)  # read as submitted, but the database has it forwarded already
    assert submission.status == Submission.Status.FORWARDED and stale.status == Submission.Status.SUBMITTED
    assert Event.objects.filter(submission=submission, event_type=events.FORWARD).count() == 1


def test_revoked_or_expired_token_is_refused_at_once(responsibility):
    from django.utils import timezone

    subscriber = ApiClientFactory(subscriber_for=responsibility.destination)
    client = _client(subscriber)
    assert client.get("/v1/submissions").status_code == 200
    AccessToken.objects.filter(client=subscriber).update(expires_at=timezone.now())
    assert client.get("/v1/submissions").status_code == 401
    other = _client(subscriber)
    assert other.get("/v1/submissions").status_code == 200
    subscriber.is_active = False
    subscriber.save()
    assert other.get("/v1/submissions").status_code == 401
