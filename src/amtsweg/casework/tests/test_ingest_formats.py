"""The back office takes what FIT-Connect allows senders to send (issue 15, items 2 and 3): parts compressed with
`"zip": "DEF"` (written by joserfc), inflated up to a bound (a zip bomb is an `encryption-issue`, not a crash);
data as `application/xml`, parsed without DTD and checked against a schema it knows (XBau); metadata that
violate the metadata schema or data that are not what the metadata declare are rejected with the matching
problem."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from joserfc import jwe

from amtsweg.casework import services
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import on_casework, received_case
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import services as outbox
from amtsweg.submissions import crypto, events, metadata
from amtsweg.submissions.models import Event, Submission
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer, payload_for, submit_payload

pytestmark = pytest.mark.django_db
XML_DATA = ('<?xml version="1.0" encoding="UTF-8"?><antrag xmlns="urn:test:antrag"><name>Erika Müller</name>'
            '</antrag>').encode()


def _compressing_encrypt_for(destination_key, plaintext: bytes, *, content_type: str | None = None) -> str:
    """What a sender using joserfc with compression sends: the same JWE with `"zip": "DEF"`."""
    key = crypto.public_key(destination_key) if isinstance(destination_key, dict) else destination_key
    header = {"alg": crypto.KEY_ALGORITHM, "enc": crypto.CONTENT_ALGORITHM, "kid": key.kid, "zip": "DEF"}
    return jwe.encrypt_compact(header, plaintext, key, algorithms=[*crypto.ALGORITHMS, "DEF"])


def _reject_problem(submission: Submission) -> dict:
    reject = Event.objects.get(submission=submission, event_type=events.REJECT)
    (problem,) = reject.claims["events"][events.REJECT]["problems"]
    return problem


def test_compressed_parts_are_inflated_and_taken_in(responsibility, monkeypatch):
    on_casework(responsibility)
    monkeypatch.setattr(crypto, "encrypt_for", _compressing_encrypt_for)
    case = received_case(responsibility)
    submission = Submission.objects.get(pk=case.submission_id)
    assert crypto.jwe_header(submission.encrypted_metadata)["zip"] == "DEF"
    assert submission.status == Submission.Status.ACCEPTED
    content = services.open_application(case, actor=SYSTEM)
    assert content["data"]["hund"]["name"] == "Bello"
    _, pdf = services.open_attachment(case, content["attachments"][0]["attachmentId"], actor=SYSTEM)
    assert pdf.startswith(b"%PDF")


def test_a_part_that_inflates_beyond_the_bound_is_rejected_as_an_encryption_issue(responsibility, monkeypatch):
    on_casework(responsibility)
    monkeypatch.setattr(crypto, "encrypt_for", _compressing_encrypt_for)
    monkeypatch.setattr(crypto, "MAX_DECOMPRESSED_BYTES", 200)  # the metadata alone inflate to more
    submission = submit_payload(payload_for(responsibility))
    outbox.run_until_idle()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    problem = _reject_problem(submission)
    assert problem["type"] == events.PROBLEM_BASE + "encryption-issue"
    assert "200 Bytes" in problem["detail"]
    assert not Case.objects.exists()


def _send_by_api(responsibility, data: bytes | None, *, mime_type: str = "application/xml",
                 schema_uri: str = "urn:test:antrag", edit=None, header_kid=None) -> Submission:
    """A sender outside Amtsweg: announce and submit through the Submission API."""
    destination = responsibility.destination
    sender = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region=responsibility.authority.area_ars[:2])))
    identifier = f"urn:de:fim:leika:leistung:{responsibility.leika_key}"
    created = sender.post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [],
        "serviceType": {"name": "", "identifier": identifier}}, content_type="application/json")
    assert created.status_code == 201, created.content
    document = {"$schema": metadata.SCHEMA_ID, "contentStructure": {"attachments": []}}
    if data is not None:
        document["contentStructure"]["data"] = {
            "hash": metadata.hash_entry(crypto.sha512_hex(data)),
            "submissionSchema": {"schemaUri": schema_uri, "mimeType": mime_type}}
    if edit:
        edit(document)
    active = destination.active_encryption_key()
    key = dict(active.jwk, kid=header_kid(active) if header_kid else active.kid)
    body = {"encryptedMetadata": crypto.encrypt_for(key, json.dumps(document).encode())}
    if data is not None:
        body["encryptedData"] = crypto.encrypt_for(key, data)
    submitted = sender.put(f"/v1/submissions/{created.json()['submissionId']}", body,
                           content_type="application/json")
    assert submitted.status_code == 202, submitted.content
    outbox.run_until_idle()
    return Submission.objects.get(pk=created.json()["submissionId"])


def test_xml_data_are_taken_in(responsibility):
    on_casework(responsibility)
    submission = _send_by_api(responsibility, XML_DATA)
    assert submission.status == Submission.Status.ACCEPTED
    case = Case.objects.get(submission_id=submission.pk)
    content = services.open_application(case, actor=SYSTEM)
    assert "<name>Erika Müller</name>" in content["dataXml"]
    assert content["data"] == {}
    from amtsweg.casework import presentation  # staff see the XML's elements as rows

    rows = presentation.application(case, content)["sections"][0]["rows"]
    assert {"label": "antrag/name", "value": "Erika Müller"} in rows


def _drop_data_hash(document):
    del document["contentStructure"]["data"]["hash"]


@pytest.mark.parametrize(("data", "mime_type", "schema_uri", "edit", "problem"), [
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>', "application/xml", "urn:test:a", None,
     "syntax-violation"),
    (b'{"declared": "as XML"}', "application/xml", "urn:test:a", None, "syntax-violation"),
    (XML_DATA, "application/json", "urn:test:a", None, "syntax-violation"),
    (XML_DATA, "application/xml", "http://www.xleitstelle.de/xbau/2/6", None, "invalid-data"),
    (XML_DATA, "application/xml", "urn:test:a", _drop_data_hash, "invalid-metadata"),
    (XML_DATA, "application/xml", "urn:test:a", lambda d: d["contentStructure"].pop("data"), "missing-schema"),
], ids=["dtd", "json-as-xml", "xml-as-json", "not-xbau", "no-data-hash", "data-without-schema"])
def test_content_that_is_not_what_the_metadata_declare_is_rejected_with_the_matching_problem(
        responsibility, data, mime_type, schema_uri, edit, problem):
    on_casework(responsibility)
    submission = _send_by_api(responsibility, data, mime_type=mime_type, schema_uri=schema_uri, edit=edit)
    assert submission.status == Submission.Status.REJECTED
    assert _reject_problem(submission)["type"] == events.PROBLEM_BASE + problem
    assert not Case.objects.filter(submission_id=submission.pk).exists()


def test_a_sender_unknown_to_the_form_catalogue_still_gets_its_case(responsibility):
    """No publicServiceType in the metadata (the schema does not require it): the submission's service counts."""
    on_casework(responsibility)
    submission = _send_by_api(responsibility, b'{"a": 1}', mime_type="application/json",
                              schema_uri=f"urn:test:{uuid.uuid4()}")
    assert submission.status == Submission.Status.ACCEPTED


def test_xml_data_are_forwarded_as_xml_under_their_schema(responsibility):
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.casework import forwarding
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.tests.factories import destination_private_key

    on_casework(responsibility)
    case = Case.objects.get(submission_id=_send_by_api(responsibility, XML_DATA).pk)
    responsible = ResponsibilityFactory(leika_key=responsibility.leika_key)
    worker = UserFactory(authority=case.authority)
    services.start(case, actor=worker)
    forwarding.forward(Case.objects.get(pk=case.pk), responsible.destination, actor=worker)
    new = Submission.objects.get(destination=responsible.destination)
    private = destination_private_key(0)
    meta = json.loads(crypto.decrypt_jwe(private, new.encrypted_metadata))
    assert meta["contentStructure"]["data"]["submissionSchema"] == {"schemaUri": "urn:test:antrag",
                                                                     "mimeType": "application/xml"}
    data = crypto.decrypt_jwe(private, new.encrypted_data)
    assert "<name>Erika Müller</name>" in data.decode()
    assert crypto.sha512_hex(data) == meta["contentStructure"]["data"]["hash"]["content"]


def test_a_key_named_by_its_jwk_thumbprint_is_found(responsibility):
    """Some JOSE clients put the key's RFC 7638 thumbprint into `kid` (issue 15, item 5)."""
    from joserfc import jwk

    on_casework(responsibility)
    thumbprint = lambda key: jwk.thumbprint({k: key.jwk[k] for k in ("kty", "n", "e")})  # noqa: E731
    submission = _send_by_api(responsibility, XML_DATA, header_kid=thumbprint)
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.encryption_kid == responsibility.destination.active_encryption_key().kid
    assert Case.objects.filter(submission_id=submission.pk).exists()
