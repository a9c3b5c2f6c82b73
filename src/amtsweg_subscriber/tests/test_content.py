"""The reference client reads what FIT-Connect allows senders to send and refuses, with the matching problem,
what the spec forbids (issue 15, items 2 and 3): compressed parts (`"zip": "DEF"`) written by joserfc, with a
bound against zip bombs; data as `application/xml` (safely, against the service's XSD where known); metadata
and data checked against their schemas. The API is a stand-in that serves one submission."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from amtsweg_subscriber import crypto
from amtsweg_subscriber.receiver import Receiver

METADATA_SCHEMA = "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json"
XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:antrag"
           xmlns="urn:test:antrag" elementFormDefault="qualified">
  <xs:element name="antrag"><xs:complexType><xs:sequence>
    <xs:element name="name" type="xs:string"/>
    <xs:element name="hunde" type="xs:positiveInteger"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""
XML_DATA = '<?xml version="1.0" encoding="UTF-8"?><antrag xmlns="urn:test:antrag"><name>Erika Müller</name>' \
           '<hunde>2</hunde></antrag>'.encode()
BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><antrag>&lol2;</antrag>"""


@pytest.fixture(scope="module")
def reference_client_keys() -> dict[str, RSAKey]:
    return {name: RSAKey.generate_key(2048, parameters={"kid": f"{name}-1"})
            for name in ("destination", "signing", "platform")}


def _encrypt(keys, plaintext: bytes, *, compress: bool) -> str:
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "destination-1"}
    if compress:
        header["zip"] = "DEF"  # joserfc's own DEFLATE, as senders using joserfc write it
    public = RSAKey.import_key(keys["destination"].as_dict(private=False))
    return jwe.encrypt_compact(header, plaintext, public, algorithms=["RSA-OAEP-256", "A256GCM", "DEF"])


def _hash(content: bytes) -> dict[str, str]:
    return {"type": "sha512", "content": hashlib.sha512(content).hexdigest()}


class OneSubmission:
    """The Submission API as far as the receiver uses it, serving one submission; records posted events."""

    def __init__(self, keys, *, data: bytes | None, mime_type: str = "application/json",
                 attachments: tuple[bytes, ...] = (), compress: bool = False, edit=None):
        self.ids = {"submissionId": str(uuid.uuid4()), "caseId": str(uuid.uuid4()),
                    "destinationId": str(uuid.uuid4())}
        attachment_ids = [str(uuid.uuid4()) for _ in attachments]
        metadata = {"$schema": METADATA_SCHEMA, "contentStructure": {"attachments": [
            {"attachmentId": a, "hash": _hash(body), "purpose": "attachment", "mimeType": "application/pdf",
             "filename": f"anlage-{n}.pdf"} for n, (a, body) in enumerate(zip(attachment_ids, attachments,
                                                                             strict=True))]}}
        if data is not None:
            metadata["contentStructure"]["data"] = {
                "hash": _hash(data), "submissionSchema": {"schemaUri": "urn:test:antrag", "mimeType": mime_type}}
        if edit:
            edit(metadata)
        self.served = {**self.ids, "attachments": attachment_ids,
                           "encryptedMetadata": _encrypt(keys, json.dumps(metadata).encode(), compress=compress)}
        if data is not None:
            self.served["encryptedData"] = _encrypt(keys, data, compress=compress)
        self.tokens = {a: _encrypt(keys, body, compress=compress)
                       for a, body in zip(attachment_ids, attachments, strict=True)}
        self.keys = keys
        self.events: list[dict] = []

    def submission(self, submission_id):
        return self.served

    def event_log(self, case_id):
        return [crypto.sign_event(self.keys["platform"], destination_id=self.ids["destinationId"],
                                  submission_id=self.ids["submissionId"], case_id=case_id,
                                  event="submit-submission", payload={})]

    def platform_jwks(self):
        return {"keys": [self.keys["platform"].as_dict(private=False)]}

    def attachment(self, submission_id, attachment_id):
        return self.tokens[attachment_id]

    def post_event(self, case_id, token):
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        self.events.append(claims["events"])
        return 204


def _receive(keys, api: OneSubmission, out: Path, **options):
    receiver = Receiver(api, keys["destination"], keys["signing"], out, **options)
    outcome = receiver.process(api.ids["submissionId"])
    (event,) = api.events
    return outcome, event, out / api.ids["submissionId"]


def _problem(event) -> dict:
    (problem,) = event[crypto.EVENTS + "reject-submission"]["problems"]
    return problem


def test_compressed_parts_from_joserfc_are_inflated_and_accepted(reference_client_keys, tmp_path):
    data = json.dumps({"hund": "Bello", "text": "ä" * 5000}).encode()
    pdf = b"%PDF-1.7 " + b"0" * 300_000  # inflates beyond joserfc's own DEF limit of 250 KiB
    api = OneSubmission(reference_client_keys, data=data, attachments=(pdf,), compress=True)
    outcome, event, folder = _receive(reference_client_keys, api, tmp_path)
    assert outcome.status == "accepted", event
    assert (folder / "application.json").read_bytes() == data
    assert [p.read_bytes() for p in (folder / "attachments").iterdir()] == [pdf]


def test_a_zip_bomb_is_rejected_as_an_encryption_issue_not_inflated(reference_client_keys, tmp_path, monkeypatch):
    monkeypatch.setattr(crypto, "MAX_DECOMPRESSED_BYTES", 1024 * 1024)
    bomb = b"0" * (8 * 1024 * 1024)  # some 8 KiB compressed
    api = OneSubmission(reference_client_keys, data=bomb, compress=True)
    assert len(api.served["encryptedData"]) < 20_000
    outcome, event, folder = _receive(reference_client_keys, api, tmp_path)
    assert outcome.status == "rejected"
    problem = _problem(event)
    assert problem["type"] == crypto.PROBLEMS + "encryption-issue"
    assert problem["instance"] == "data"
    assert "1048576 bytes" in problem["detail"]
    assert not folder.exists()


def test_xml_data_are_accepted_and_checked_against_the_services_xsd(reference_client_keys, tmp_path):
    xsd = tmp_path / "antrag.xsd"
    xsd.write_text(XSD, encoding="utf-8")
    api = OneSubmission(reference_client_keys, data=XML_DATA, mime_type="application/xml")
    outcome, _, folder = _receive(reference_client_keys, api, tmp_path / "out",
                                  data_schemas={"urn:test:antrag": xsd})
    assert outcome.status == "accepted"
    assert (folder / "application.xml").read_bytes() == XML_DATA

    wrong = XML_DATA.replace(b"<hunde>2</hunde>", b"<hunde>zwei</hunde>")
    api = OneSubmission(reference_client_keys, data=wrong, mime_type="application/xml")
    outcome, event, _ = _receive(reference_client_keys, api, tmp_path / "out",
                                 data_schemas={"urn:test:antrag": xsd})
    assert outcome.status == "rejected"
    assert _problem(event)["type"] == crypto.PROBLEMS + "invalid-data"
    assert "hunde" in _problem(event)["detail"]


@pytest.mark.parametrize(("data", "mime_type"), [
    (BILLION_LAUGHS, "application/xml"),
    (b'{"json": "declared as XML"}', "application/xml"),
    (XML_DATA, "application/json"),
])
def test_data_that_are_not_what_the_metadata_declare_are_a_syntax_violation(reference_client_keys, tmp_path, data,
                                                                             mime_type):
    api = OneSubmission(reference_client_keys, data=data, mime_type=mime_type)
    outcome, event, folder = _receive(reference_client_keys, api, tmp_path)
    assert outcome.status == "rejected"
    assert _problem(event)["type"] == crypto.PROBLEMS + "syntax-violation"
    assert _problem(event)["instance"] == "data"
    assert not folder.exists()


def _drop_data_hash(metadata):
    del metadata["contentStructure"]["data"]["hash"]


def _unknown_schema(metadata):
    metadata["$schema"] = "https://schema.fitko.de/fit-connect/metadata/9.9.9/metadata.schema.json"


def _no_data_schema(metadata):
    del metadata["contentStructure"]["data"]


@pytest.mark.parametrize(("edit", "problem", "instance"), [
    (_drop_data_hash, "invalid-metadata", "metadata"),
    (_unknown_schema, "unsupported-metadata-schema", "metadata"),
    (_no_data_schema, "missing-schema", "data"),
])
def test_metadata_are_checked_against_the_metadata_schema(reference_client_keys, tmp_path, edit, problem, instance):
    api = OneSubmission(reference_client_keys, data=b"{}", edit=edit)
    outcome, event, _ = _receive(reference_client_keys, api, tmp_path)
    assert outcome.status == "rejected"
    assert _problem(event)["type"] == crypto.PROBLEMS + problem
    assert _problem(event)["instance"] == instance


def test_json_data_are_checked_against_the_services_json_schema(reference_client_keys, tmp_path):
    schema = tmp_path / "antrag.schema.json"
    schema.write_text(json.dumps({"type": "object", "required": ["hund"],
                                  "properties": {"hund": {"type": "string", "minLength": 1}}}))
    api = OneSubmission(reference_client_keys, data=b'{"hund": "Bello"}')
    known = {"urn:test:antrag": schema}
    outcome, _, _folder = _receive(reference_client_keys, api, tmp_path / "out", data_schemas=known)
    assert outcome.status == "accepted"
    api = OneSubmission(reference_client_keys, data=b'{"katze": "Minka"}')
    outcome, event, _ = _receive(reference_client_keys, api, tmp_path / "out", data_schemas=known)
    assert outcome.status == "rejected"
    assert _problem(event)["type"] == crypto.PROBLEMS + "invalid-data"
    assert "hund" in _problem(event)["detail"]


def test_the_command_line_names_a_data_schema_per_uri(tmp_path):
    from amtsweg_subscriber import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["--base-url", "http://127.0.0.1:1", "--client-id", "x", "--client-secret", "y",
                  "--private-key", "k", "--signing-key", "s", "--out", str(tmp_path), "--poll", "--once",
                  "--data-schema", f"urn:test:antrag={tmp_path / 'fehlt.xsd'}"])
    assert exited.value.code == 2
