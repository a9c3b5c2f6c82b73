"""Bad input to the Submission API is a 4xx problem, never a 500: attachment ids of other submissions,
JWE parts that are not base64url, deeply nested JOSE headers."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client

from amtsweg.submissions import crypto
from amtsweg.submissions.models import SubmissionAttachment
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer

pytestmark = pytest.mark.django_db
SERVICE = {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"}


@pytest.fixture
def api_sender():
    return Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")), raise_request_exception=False)


def _key(destination) -> dict:
    active = destination.active_encryption_key()
    return dict(active.jwk, kid=active.kid)


def _announce(client, destination, attachment_ids) -> str:
    response = client.post("/v1/submissions", {"destinationId": str(destination.pk),
                                               "announcedAttachments": attachment_ids, "serviceType": SERVICE},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["submissionId"]


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_an_attachment_id_of_another_submission_is_a_409_problem(destination, api_sender):
    attachment_id = str(uuid.uuid4())
    first = _announce(api_sender, destination, [attachment_id])
    second = _announce(api_sender, destination, [attachment_id])  # both announced before either uploaded
    jwe = crypto.encrypt_for(_key(destination), b"Anlage")
    url = "/v1/submissions/{}/attachments/" + attachment_id
    assert api_sender.put(url.format(first), jwe, content_type="application/jose").status_code == 204
    _problem(api_sender.put(url.format(second), jwe, content_type="application/jose"), 409)
    assert SubmissionAttachment.objects.get(pk=attachment_id).submission_id == uuid.UUID(first)
    assert api_sender.put(url.format(first), jwe, content_type="application/jose").status_code == 204  # re-upload
    # Announcing an id that is taken already is refused at once.
    response = api_sender.post("/v1/submissions", {"destinationId": str(destination.pk),
                                               "announcedAttachments": [attachment_id], "serviceType": SERVICE},
                           content_type="application/json")
    _problem(response, 409)


@pytest.mark.parametrize("number, name", list(enumerate(crypto.JWE_PARTS)))
def test_a_jwe_part_that_is_not_base64url_is_a_422_problem_naming_the_part(destination, api_sender, number, name):
    attachment_id = str(uuid.uuid4())
    submission_id = _announce(api_sender, destination, [attachment_id])
    parts = crypto.encrypt_for(_key(destination), b"Anlage").split(".")
    parts[number] = parts[number][:8] + "==" + parts[number][8:]  # padding inside: a lenient decoder goes on
    response = api_sender.put(f"/v1/submissions/{submission_id}/attachments/{attachment_id}", ".".join(parts),
                          content_type="application/jose")
    assert name in _problem(response, 422)["detail"]
    submit = api_sender.put(f"/v1/submissions/{submission_id}", {"encryptedMetadata": ".".join(parts)},
                        content_type="application/json")
    assert name in _problem(submit, 422)["detail"]


def test_a_malformed_jwe_is_explained_in_german_and_in_english_on_request(destination, api_sender):
    """README "API language": type and title fixed in English, the detail German through gettext (English
    for `Accept-Language: en`); the part keeps its RFC 7516 name in both."""
    attachment_id = str(uuid.uuid4())
    submission_id = _announce(api_sender, destination, [attachment_id])
    parts = crypto.encrypt_for(_key(destination), b"Anlage").split(".")
    parts[3] = parts[3][:8] + "==" + parts[3][8:]
    url = f"/v1/submissions/{submission_id}/attachments/{attachment_id}"
    german = _problem(api_sender.put(url, ".".join(parts), content_type="application/jose"), 422)
    assert german["title"] == "Unprocessable Entity"
    assert german["detail"] == ("Die Anlage ist kein JWE (RSA-OAEP-256, A256GCM) in kompakter Form: "
                                "Teil 4 von 5 (ciphertext) ist nicht base64url-kodiert.")
    english = _problem(api_sender.put(url, ".".join(parts), content_type="application/jose",
                                      headers={"Accept-Language": "en"}), 422)
    assert english["title"] == "Unprocessable Entity"
    assert english["detail"] == ("The attachment is not a JWE (RSA-OAEP-256, A256GCM) in compact serialisation: "
                                 "part 4 of 5 (ciphertext) is not base64url.")


def test_padding_and_empty_parts_are_not_base64url():
    parts = crypto.encrypt_for(_test_key(), b"x").split(".")
    with pytest.raises(crypto.MalformedJWE, match="ciphertext"):
        crypto.check_compact_jwe(".".join([*parts[:3], parts[3] + "*!", parts[4]]))
    with pytest.raises(crypto.MalformedJWE, match="authentication tag"):
        crypto.check_compact_jwe(".".join([*parts[:4], parts[4] + "=="]))
    with pytest.raises(crypto.MalformedJWE, match="initialization vector"):
        crypto.check_compact_jwe(".".join([*parts[:2], "", *parts[3:]]))
    assert crypto.check_compact_jwe(".".join([*parts[:3], "", parts[4]]))["alg"] == "RSA-OAEP-256"


def _test_key() -> dict:
    from amtsweg.submissions.tests.factories import destination_private_key

    return dict(destination_private_key(0).as_dict(private=False), kid="k1")


def test_a_jwe_header_nested_100000_deep_is_a_422_problem(destination, api_sender):
    attachment_id = str(uuid.uuid4())
    submission_id = _announce(api_sender, destination, [attachment_id])
    header = base64.urlsafe_b64encode(("[" * 100_000 + "]" * 100_000).encode()).decode().rstrip("=")
    response = api_sender.put(f"/v1/submissions/{submission_id}/attachments/{attachment_id}",
                          f"{header}.YQ.YWFhYWFhYWFhYWFh.YQ.YWFhYWFhYWFhYWFhYWFhYQ", content_type="application/jose")
    assert "protected header" in _problem(response, 422)["detail"]


def test_an_event_token_nested_100000_deep_is_a_400_problem(destination):
    client = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=destination)),
                    raise_request_exception=False)
    deep = base64.urlsafe_b64encode(("[" * 100_000 + "]" * 100_000).encode()).decode().rstrip("=")
    response = client.post(f"/v1/cases/{uuid.uuid4()}/events", f"e30.{deep}.c2ln", content_type="application/jose")
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == response.status_code
