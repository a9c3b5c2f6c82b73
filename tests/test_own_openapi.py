"""Amtsweg's own OpenAPI document (`/api/schema/`) says what the endpoints answer (issue 15, item 8).

Real requests, successes and errors, against every API; each answer's status must be documented for its
operation, with the answer's content type, and the body must validate against the documented schema. A
client generated from the document (or a contract test run against it) then meets no surprise: no paged
object where an array is documented, no problem document where none is declared.
"""

from __future__ import annotations

import copy
import functools
import re
import uuid

import pytest
from django.test import Client
from jsonschema import Draft4Validator

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import crypto
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer

pytestmark = pytest.mark.django_db


@functools.cache
def _document_json() -> dict:
    return Client().get("/api/schema/", {"format": "json"}).json()


def _json_schema(node):
    """OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _operation(document: dict, method: str, path: str) -> tuple[str, dict]:
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in item:
            return template, item[method]
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


def assert_documented(method: str, path: str, response) -> None:
    document = _document_json()
    template, operation = _operation(document, method, path.split("?")[0])
    where = f"{method.upper()} {template} → {response.status_code}"
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{where}: status not documented ({sorted(operation['responses'])})"
    content_type = (response.get("Content-Type") or "").split(";")[0]
    content = documented.get("content") or {}
    if not response.content:
        assert not content or response.status_code == 204, f"{where}: empty answer, documented {list(content)}"
        return
    assert content_type in content, f"{where}: answered {content_type}, documented {list(content)}"
    schema = content[content_type].get("schema")
    if schema is None or not content_type.endswith("json"):
        return
    root = {**_json_schema(copy.deepcopy(schema)), "components": _json_schema(document["components"])}
    errors = [f"{list(e.path)}: {e.message}" for e in Draft4Validator(root).iter_errors(response.json())]
    assert errors == [], f"{where}: {errors[:3]}"


@pytest.fixture
def openapi_world(client):
    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    DestinationKeyFactory(destination=destination, signature=True)
    sender = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")))
    subscriber = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=destination)))
    login_staff(client, UserFactory(authority=destination.authority))
    return {"responsibility": responsibility, "destination": destination, "sender": sender,
            "subscriber": subscriber, "staff": client}


def test_every_answer_is_documented_with_its_status_type_and_schema(openapi_world):
    world = openapi_world
    destination, responsibility = world["destination"], world["responsibility"]
    sender, subscriber, staff, anonymous = world["sender"], world["subscriber"], world["staff"], Client()
    random = uuid.uuid4()
    calls = []

    def call(client, method: str, path: str, *args, **kwargs):
        response = getattr(client, method)(path, *args, **kwargs)
        calls.append((method, path, response))
        return response

    # Shop: a paged object, and 400 for a bad limit.
    for path in ("/api/shop/v1/offers", "/api/shop/v1/subscriptions"):
        call(anonymous, "get", path)
        call(anonymous, "get", path + "?limit=0")
    # Maturity open data: JSON and CSV per Land, 404 problems for an unknown or malformed Land key.
    land = destination.authority.land_code
    call(anonymous, "get", "/api/maturity/v1/lands")
    call(anonymous, "get", f"/api/maturity/v1/lands/{land}")
    call(anonymous, "get", f"/api/maturity/v1/lands/{land}/areas.csv")
    call(anonymous, "get", "/api/maturity/v1/lands/99")  # 404
    call(anonymous, "get", "/api/maturity/v1/lands/x/areas.csv")  # 404
    call(anonymous, "get", f"/api/maturity/v1/lands/{land}", HTTP_ACCEPT="text/html")  # 406
    # Routing API.
    call(anonymous, "get", f"/routing-api/v2/routes?leikaKey={responsibility.leika_key}&ars=10")
    call(anonymous, "get", "/routing-api/v2/routes?leikaKey=x")
    call(anonymous, "get", "/routing-api/v2/areas?areaSearchexpression=Saar")
    call(anonymous, "get", "/routing-api/v2/info")
    # Submission API: successes and the frame's errors.
    call(anonymous, "get", "/v1/info")
    call(anonymous, "get", "/v1/info", HTTP_ACCEPT="text/html")  # 406
    call(anonymous, "get", "/.well-known/jwks.json")
    call(anonymous, "get", "/v1/submissions")  # 401
    call(subscriber, "get", "/v1/submissions?limit=0")  # 400
    call(subscriber, "get", "/v1/submissions")
    call(subscriber, "get", f"/v1/destinations/{destination.pk}")
    call(sender, "get", f"/v1/destinations/{random}")  # 404
    key = destination.active_encryption_key()
    call(anonymous, "get", f"/v1/destinations/{destination.pk}/keys/{key.kid}")
    attachment_id = str(uuid.uuid4())
    body = {"destinationId": str(destination.pk), "announcedAttachments": [attachment_id],
            "serviceType": {"name": "", "identifier": f"urn:de:fim:leika:leistung:{responsibility.leika_key}"}}
    created = call(sender, "post", "/v1/submissions", body, content_type="application/json")
    call(sender, "post", "/v1/submissions", {}, content_type="application/json")  # 400
    call(sender, "post", "/v1/submissions", "a=b", content_type="application/x-www-form-urlencoded")  # 415
    call(subscriber, "post", "/v1/submissions", body, content_type="application/json")  # 403
    call(sender, "post", "/v1/submissions", b"[" + b" " * (6 * 1024 * 1024) + b"]",
         content_type="application/json")  # 413
    submission_id = created.json()["submissionId"]
    jwe = crypto.encrypt_for(dict(key.jwk, kid=key.kid), b"{}")
    call(sender, "put", f"/v1/submissions/{submission_id}/attachments/{attachment_id}", jwe,
         content_type="application/json")  # 415
    call(sender, "put", f"/v1/submissions/{submission_id}/attachments/{attachment_id}", jwe,
         content_type="application/jose")  # 204
    call(sender, "put", f"/v1/submissions/{submission_id}", {"encryptedMetadata": "a.b"},
         content_type="application/json")  # 422
    call(sender, "put", f"/v1/submissions/{submission_id}", {"encryptedMetadata": jwe},
         content_type="application/json")  # 202
    call(subscriber, "get", f"/v1/submissions/{submission_id}")
    call(subscriber, "get", f"/v1/submissions/{submission_id}/attachments/{attachment_id}")
    case_id = created.json()["caseId"]
    call(subscriber, "get", f"/v1/cases/{case_id}/events")
    call(subscriber, "post", f"/v1/cases/{case_id}/events", "x.y.z", content_type="application/jose")  # 422
    # Token endpoint (RFC 6749 errors) and the staff API (session).
    call(anonymous, "post", "/token", "grant_type=password", content_type="application/x-www-form-urlencoded")
    call(staff, "get", "/verwaltung/zustellpunkte/api/")
    call(staff, "get", f"/verwaltung/zustellpunkte/api/{random}/")  # 404
    call(anonymous, "get", "/verwaltung/zustellpunkte/api/")  # 403

    failures = []
    for method, path, response in calls:
        try:
            assert_documented(method, path, response)
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert failures == []
