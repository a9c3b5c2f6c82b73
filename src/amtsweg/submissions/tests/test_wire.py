"""Wire compatibility: the answers of the Submission API validate against FIT-Connect's own OpenAPI schemas
(`schemas/submission-api-1.1.3.yaml`), and the spec's request examples are accepted."""

from __future__ import annotations

import copy
import functools
import uuid
from pathlib import Path

import pytest
import yaml
from django.test import Client
from jsonschema import Draft4Validator

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import crypto, events
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer, payload_for, submit_payload

pytestmark = pytest.mark.django_db
SPEC = Path(__file__).resolve().parent.parent / "schemas" / "submission-api-1.1.3.yaml"


@functools.cache
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _resolve(node):
    """Inline `#/components/...` references (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec()
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(copy.deepcopy(target))
        return {k: _resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


def assert_valid(component: str, instance) -> None:
    schema = _resolve(spec()["components"]["schemas"][component])
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert errors == [], f"{component}: {errors}"


def test_sender_and_subscriber_answers_match_the_fit_connect_schemas():
    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    DestinationKeyFactory(destination=destination, signature=True)
    sender = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")))
    subscriber = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=destination)))

    # The spec's own request example, pointed at our destination.
    example = copy.deepcopy(spec()["components"]["examples"]["CreateSubmission"]["value"])
    example["destinationId"] = str(destination.pk)
    example["serviceType"]["identifier"] = f"urn:de:fim:leika:leistung:{responsibility.leika_key}"
    created = sender.post("/v1/submissions", example, content_type="application/json")
    assert created.status_code == 201, created.content
    assert_valid("SubmissionCreated", created.json())
    ids = created.json()

    key = Client().get(f"/v1/destinations/{destination.pk}/keys/{destination.active_encryption_key().kid}").json()
    for attachment_id in example["announcedAttachments"]:
        put = sender.put(f"/v1/submissions/{ids['submissionId']}/attachments/{attachment_id}",
                         crypto.encrypt_for(key, b"Anlage"), content_type="application/jose")
        assert put.status_code == 204
    submitted = sender.put(f"/v1/submissions/{ids['submissionId']}", {
        "encryptedMetadata": crypto.encrypt_for(key, b"{}"), "encryptedData": crypto.encrypt_for(key, b"{}"),
    }, content_type="application/json")
    assert submitted.status_code == 202
    assert_valid("SubmissionReduced", submitted.json())
    assert submitted.json()["callback"] == {"url": example["callback"]["url"]}

    submit_payload(payload_for(responsibility))  # and one from the platform's own forms
    listing = subscriber.get(f"/v1/submissions?destinationId={destination.pk}")
    assert_valid("SubmissionsForPickup", listing.json())
    assert listing.json()["totalCount"] == 2
    for entry in listing.json()["submissions"]:
        submission = subscriber.get(f"/v1/submissions/{entry['submissionId']}").json()
        assert_valid("Submission", submission)
        log = subscriber.get(f"/v1/cases/{entry['caseId']}/events").json()
        assert_valid("EventLog", log)
        assert [next(iter(events.verify_platform_token(t)["events"])) for t in log["eventLog"]][:2] == [
            events.CREATE, events.SUBMIT]

    info = subscriber.get(f"/v1/destinations/{destination.pk}").json()
    assert_valid("PrivateDestination", info)
    public = sender.get(f"/v1/destinations/{destination.pk}").json()
    assert_valid("PublicDestination", public)
    assert "contactInformation" not in public
    assert_valid("Info", Client().get("/v1/info").json())


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/v1/submissions/{random}", 404),
        ("get", "/v1/submissions?limit=9999", 400),
        ("get", "/v1/cases/{random}/events", 404),
        ("post", "/v1/submissions", 400),
    ],
)
def test_errors_are_problem_json_as_the_spec_defines(method, path, status):
    client = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=ResponsibilityFactory().destination)))
    response = getattr(client, method)(path.format(random=uuid.uuid4()), content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert_valid("Error", response.json())
    assert_valid("Error", Client().get("/v1/submissions").json())  # 401
