"""Interoperability with a JOSE implementation Amtsweg did not write (issue 15, item 7).

Amtsweg encrypts, signs and verifies with joserfc; its own tests share joserfc's reading of RFC 7515/7516. Here
jwcrypto, an independent implementation, takes either side of the Submission API:

* as **sender**, it encrypts metadata, data and several attachments for the destination's published key and
  submits them over the API; as the other sender, joserfc does the same;
* as **subscriber**, it reads the submission and its event log, verifies every Security Event Token of the
  platform against the published JWKS, decrypts and checks the hashes, and confirms with its own signed
  `accept-submission` SET, which the platform (joserfc) verifies; the other subscriber is Amtsweg's reference
  client `amtsweg_subscriber` (joserfc), used unchanged over HTTP.

The cases vary the sender, the subscriber, compression (`"zip": "DEF"`, RFC 7516 §4.1.3), the `kid` (the key's
name or its RFC 7638 thumbprint, as some clients send) and the data's media type (JSON, XML), pairwise
(an orthogonal array of 8 cases: every pair of choices occurs), with three attachments each.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

import httpx
import pytest
from django.test import Client
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import RSAKey
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

from amtsweg.core.testing import in_process_wsgi
from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import events
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import SECRET, ApiClientFactory, bearer, destination_private_key
from amtsweg_subscriber.api import SubmissionApi
from amtsweg_subscriber.receiver import Receiver

pytestmark = pytest.mark.django_db
EVENTS = "https://schema.fitko.de/fit-connect/events/"
SET_TYPE = "secevent+jwt"
JSON_DATA = json.dumps({"antragsteller": {"vorname": "Erika", "nachname": "Mustermann"},
                        "hund": {"name": "Bello", "rasse": "Dackel"}}, ensure_ascii=False).encode()
XML_DATA = (b"<?xml version='1.0' encoding='UTF-8'?><antrag xmlns='urn:example:hundesteuer'><vorname>Erika"
            b"</vorname><nachname>Mustermann</nachname><hund>Bello</hund></antrag>")
ATTACHMENTS = [  # (filename, mime type, purpose, content): compressible and not
    ("antrag.pdf", "application/pdf", "form", b"%PDF-1.7\n" + b"Antrag Hundesteuer Erika Mustermann\n" * 200),
    ("impfpass.png", "image/png", "attachment", hashlib.sha512(b"png").digest() * 40),
    ("bericht.xml", "application/xml", "report", b"<bericht>" + b"<zeile>gepr\xc3\xbcft</zeile>" * 100
     + b"</bericht>"),
]


def sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


# --- the two senders ---------------------------------------------------------------------------------------

def encrypt_joserfc(public_jwk: dict, plaintext: bytes, *, kid: str, zip_def: bool, cty: str | None) -> str:
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}
    if zip_def:
        header["zip"] = "DEF"
    if cty:
        header["cty"] = cty
    key = RSAKey.import_key({k: v for k, v in public_jwk.items() if k in ("kty", "n", "e")})
    algorithms = ["RSA-OAEP-256", "A256GCM"] + (["DEF"] if zip_def else [])
    return joserfc_jwe.encrypt_compact(header, plaintext, key, algorithms=algorithms)


def encrypt_jwcrypto(public_jwk: dict, plaintext: bytes, *, kid: str, zip_def: bool, cty: str | None) -> str:
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}
    if zip_def:
        header["zip"] = "DEF"
    if cty:
        header["cty"] = cty
    token = jwcrypto_jwe.JWE(plaintext, protected=json.dumps(header))
    token.add_recipient(jwcrypto_jwk.JWK(**{k: v for k, v in public_jwk.items() if k in ("kty", "n", "e")}))
    return token.serialize(compact=True)


SENDERS = {"joserfc": encrypt_joserfc, "jwcrypto": encrypt_jwcrypto}


@dataclass
class Case:
    sender: str
    subscriber: str
    zip_def: bool
    thumbprint_kid: bool
    xml: bool

    @property
    def id(self) -> str:
        return (f"{self.sender}→{self.subscriber}-{'DEF' if self.zip_def else 'plain'}-"
                f"{'thumbprint' if self.thumbprint_kid else 'named'}-{'xml' if self.xml else 'json'}")


def _pairwise() -> list[Case]:
    """L8 orthogonal array: sender a, subscriber b, zip d, kid a⊕d, data b⊕d — every pair of values occurs."""
    cases = []
    for a in (0, 1):
        for b in (0, 1):
            for d in (0, 1):
                cases.append(Case(("joserfc", "jwcrypto")[a], ("reference-client", "jwcrypto")[b], bool(d),
                                  bool(a ^ d), bool(b ^ d)))
    return cases


CASES = [pytest.param(case, id=case.id) for case in _pairwise()]


# --- the submission, sent over the API ---------------------------------------------------------------------

def send(case: Case, sender: Client, destination, encryption_jwk: dict) -> tuple[str, bytes]:
    kid = RSAKey.import_key(encryption_jwk).thumbprint() if case.thumbprint_kid else encryption_jwk["kid"]
    encrypt = SENDERS[case.sender]

    def seal(data: bytes, cty: str | None = None) -> str:
        return encrypt(encryption_jwk, data, kid=kid, zip_def=case.zip_def, cty=cty)

    attachment_ids = [str(uuid.uuid4()) for _ in ATTACHMENTS]
    created = sender.post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": attachment_ids,
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    submission_id = created.json()["submissionId"]
    for attachment_id, (_name, mime_type, _purpose, content) in zip(attachment_ids, ATTACHMENTS, strict=True):
        put = sender.put(f"/v1/submissions/{submission_id}/attachments/{attachment_id}", seal(content, mime_type),
                         content_type="application/jose")
        assert put.status_code == 204, put.content
    data, mime_type = (XML_DATA, "application/xml") if case.xml else (JSON_DATA, "application/json")
    metadata = {
        "$schema": "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json",
        "contentStructure": {
            "data": {"hash": {"type": "sha512", "content": sha512(data)},
                     "submissionSchema": {"schemaUri": "https://schema.example.org/hundesteuer/1.0",
                                          "mimeType": mime_type}},
            "attachments": [{"attachmentId": attachment_id, "hash": {"type": "sha512", "content": sha512(content)},
                             "purpose": purpose, "filename": name, "mimeType": attachment_mime}
                            for attachment_id, (name, attachment_mime, purpose, content)
                            in zip(attachment_ids, ATTACHMENTS, strict=True)],
        },
    }
    submitted = sender.put(f"/v1/submissions/{submission_id}", {
        "encryptedMetadata": seal(json.dumps(metadata).encode(), "application/json"),
        "encryptedData": seal(data, mime_type),
    }, content_type="application/json")
    assert submitted.status_code == 202, submitted.content
    return submission_id, data


# --- the jwcrypto subscriber -------------------------------------------------------------------------------

class JwcryptoSubscriber:
    """A Fachverfahren written against the spec with jwcrypto only (no Amtsweg code)."""

    def __init__(self, client: Client, private_jwk: dict, signing_jwk: dict, destination_id: str):
        self.client = client
        self.key = jwcrypto_jwk.JWK(**private_jwk)
        self.signing_key = jwcrypto_jwk.JWK(**signing_jwk)
        self.destination_id = destination_id
        self.platform_keys = jwcrypto_jwk.JWKSet.from_json(Client().get("/.well-known/jwks.json").content)

    def decrypt(self, token: str) -> bytes:
        message = jwcrypto_jwe.JWE()
        message.deserialize(token, key=self.key)
        return message.payload

    def verify_platform_set(self, token: str) -> dict:
        signed = jwcrypto_jws.JWS()
        signed.deserialize(token)
        header = signed.jose_header
        assert header["typ"] == SET_TYPE and header["alg"] == "PS512"
        signed.verify(self.platform_keys.get_key(header["kid"]), alg="PS512")
        return json.loads(signed.payload)

    def receive(self, submission_id: str) -> dict[str, bytes]:
        waiting = self.client.get(f"/v1/submissions?destinationId={self.destination_id}").json()
        assert submission_id in {s["submissionId"] for s in waiting["submissions"]}
        submission = self.client.get(f"/v1/submissions/{submission_id}").json()
        log = self.client.get(f"/v1/cases/{submission['caseId']}/events").json()["eventLog"]
        claims = [self.verify_platform_set(token) for token in log]
        assert [next(iter(c["events"])) for c in claims][:2] == [EVENTS + "create-submission",
                                                                 EVENTS + "submit-submission"]
        assert {c["sub"] for c in claims} == {f"submission:{submission_id}"}
        metadata = json.loads(self.decrypt(submission["encryptedMetadata"]))
        data = self.decrypt(submission["encryptedData"])
        assert sha512(data) == metadata["contentStructure"]["data"]["hash"]["content"]
        received = {"data": data}
        tags = {"metadata": submission["encryptedMetadata"].rsplit(".", 1)[1],
                "data": submission["encryptedData"].rsplit(".", 1)[1], "attachments": {}}
        for entry in metadata["contentStructure"]["attachments"]:
            token = self.client.get(f"/v1/submissions/{submission_id}/attachments/{entry['attachmentId']}").content
            content = self.decrypt(token.decode())
            assert sha512(content) == entry["hash"]["content"]
            received[entry["filename"]] = content
            tags["attachments"][entry["attachmentId"]] = token.decode().rsplit(".", 1)[1]
        self.accept(submission, tags)
        return received

    def accept(self, submission: dict, tags: dict) -> None:
        claims = {"$schema": "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json",
                  "iss": self.destination_id, "iat": int(time.time()), "jti": str(uuid.uuid4()),
                  "sub": f"submission:{submission['submissionId']}", "txn": f"case:{submission['caseId']}",
                  "events": {EVENTS + "accept-submission": {"authenticationTags": tags}}}
        token = jwcrypto_jws.JWS(json.dumps(claims).encode())
        token.add_signature(self.signing_key, alg="PS512",
                            protected=json.dumps({"typ": SET_TYPE, "alg": "PS512", "kid": self.signing_key.kid}))
        posted = self.client.post(f"/v1/cases/{submission['caseId']}/events", token.serialize(compact=True),
                                  content_type="application/jose")
        assert posted.status_code in (200, 201, 202, 204), posted.content


def receive_with_reference_client(app, client_id: str, private: RSAKey, signing: RSAKey, out_dir,
                                  data_file: str) -> dict:
    api = SubmissionApi("http://testserver", client_id, SECRET)
    api.http = httpx.Client(base_url="http://testserver", transport=httpx.WSGITransport(app=app))
    outcomes = Receiver(api, private, signing, out_dir).poll_once()
    assert [o.status for o in outcomes] == ["accepted"], outcomes
    folder = out_dir / outcomes[0].submission_id
    received = {p.name.split("-", 5)[-1]: p.read_bytes() for p in (folder / "attachments").iterdir()}
    received["data"] = (folder / data_file).read_bytes()
    return received


@pytest.mark.parametrize("case", CASES)
def test_submission_sent_by_one_jose_library_is_received_by_another(case, tmp_path):
    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    encryption = destination.active_encryption_key()
    signature = DestinationKeyFactory(destination=destination, signature=True)
    private = destination_private_key(0)  # the factories' keys are cached key 0
    sender = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")))
    subscriber_client = ApiClientFactory(subscriber_for=destination)

    published = Client().get(f"/v1/destinations/{destination.pk}/keys/{encryption.kid}").json()
    assert published["x5c"]  # FIT-Connect's JWK schema requires the chain (issue 15, item 4)
    submission_id, data = send(case, sender, destination, published)

    if case.subscriber == "jwcrypto":
        subscriber = JwcryptoSubscriber(Client(HTTP_AUTHORIZATION=bearer(subscriber_client)),
                                        dict(private.as_dict(private=True), kid=encryption.kid),
                                        dict(private.as_dict(private=True), kid=signature.kid), str(destination.pk))
        received = subscriber.receive(submission_id)
    else:
        signing = RSAKey.import_key(private.as_dict(private=True), {"kid": signature.kid})
        decrypting = RSAKey.import_key(private.as_dict(private=True), {"kid": encryption.kid})
        with in_process_wsgi() as app:
            received = receive_with_reference_client(app, subscriber_client.client_id, decrypting, signing,
                                                     tmp_path / "eingang",
                                                     "application.xml" if case.xml else "application.json")

    assert received["data"] == data
    assert {name: received[name] for name, *_ in ATTACHMENTS} == {name: content for name, _m, _p, content
                                                                   in ATTACHMENTS}
    # The platform (joserfc) verified the subscriber's signed confirmation before recording it …
    submission = Submission.objects.get(pk=submission_id)
    assert submission.status == Submission.Status.ACCEPTED
    # … and jwcrypto verifies the whole event log: the platform's SETs and the subscriber's accept.
    log = Client(HTTP_AUTHORIZATION=bearer(subscriber_client)).get(f"/v1/cases/{submission.case_id}/events")
    keys = jwcrypto_jwk.JWKSet.from_json(Client().get("/.well-known/jwks.json").content)
    keys.add(jwcrypto_jwk.JWK(**signature.jwk))
    names = []
    for token in log.json()["eventLog"]:
        signed = jwcrypto_jws.JWS()
        signed.deserialize(token)
        signed.verify(keys.get_key(signed.jose_header["kid"]), alg="PS512")
        names.append(next(iter(json.loads(signed.payload)["events"])))
    assert names == [events.CREATE, events.SUBMIT, events.FORWARD, events.ACCEPT]


def test_an_application_from_amtswegs_own_forms_is_received_by_jwcrypto():
    """The platform's intake encrypts with joserfc; a jwcrypto Fachverfahren reads it, checks every hash and
    signature, and its confirmation is taken."""
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    encryption = destination.active_encryption_key()
    signature = DestinationKeyFactory(destination=destination, signature=True)
    private = destination_private_key(0)
    payload = payload_for(responsibility)
    submission = submit_payload(payload)
    subscriber = JwcryptoSubscriber(Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=destination))),
                                    dict(private.as_dict(private=True), kid=encryption.kid),
                                    dict(private.as_dict(private=True), kid=signature.kid), str(destination.pk))
    received = subscriber.receive(str(submission.pk))
    assert json.loads(received["data"])  # the form's answers, as JSON
    for attachment in payload.attachments:
        assert attachment.content in received.values()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
