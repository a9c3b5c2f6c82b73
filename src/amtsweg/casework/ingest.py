"""Ingest: the back office receives a submission exactly like a Fachverfahren does.

`receive(submission_id, destination_id, actor=SYSTEM)`:

1. fetch it through the subscriber side of the Submission API (`submissions.subscriber`, never the
   transport's tables) with every attachment; the first fetch marks it forwarded;
2. decrypt metadata, data and attachments with the destination's private key named by the JWE's `kid`;
3. verify: metadata against the FIT-Connect schema, the authentication tags against those the platform
   recorded at submit, the data and attachment hashes against the metadata, the attachments against the
   announced ones, service and destination against the submission;
4. store the case — content sealed by the vault, a keyed hash of the applicant's name, the deadline from the
   service's Bearbeitungsfrist — and send the signed accept-submission event, in one transaction;
   or send reject-submission with the FIT-Connect problem(s) and store nothing.

Idempotent: a case exists at most once per submission (unique `Case.submission_id`); a retry after a
crash finds it and does nothing (the case and the accept event commit together).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError
from lxml import etree

from amtsweg.casework import receiving, vault
from amtsweg.casework.models import Case, CaseAttachment, CaseEntry, ReceivingSystem, ServiceDeadline
from amtsweg.core import parsers, safexml
from amtsweg.core.actors import SYSTEM
from amtsweg.core.inserts import insert_objects
from amtsweg.routing import key_ids
from amtsweg.submissions import crypto, events, metadata, subscriber, xbau
from amtsweg.submissions.errors import NotFound

logger = logging.getLogger(__name__)
LEIKA_URN = "urn:de:fim:leika:leistung:"
APPLICATION = "case.application"
ATTACHMENT = "case.attachment"


class NotOurs(Exception):
    """The submission is not encrypted for a key the back office holds (another receiving system's)."""


@dataclass
class Problem(Exception):
    """Why a submission is rejected: a FIT-Connect problem code and a German explanation."""

    code: str
    detail: str

    def as_event(self) -> dict[str, str]:
        return {"type": events.PROBLEM_BASE + self.code, "title": self.code, "detail": self.detail}


@dataclass
class Outcome:
    case: Case | None
    rejected: Problem | None = None


def receive(submission_id: uuid.UUID | str, destination_id: uuid.UUID | str, *, actor: Any = SYSTEM) -> Outcome:
    """Take one submission into the back office (see module docstring). Raises NotOurs, or NotFound if it
    is no longer waiting and no case was made for it.

    No look for an existing case first: the case and the accept event commit together, so a submission
    with a case is accepted and no longer waiting; the fetch says so (NotFound) and only then is the case
    looked up (a retry, or a concurrent worker that was first). One query less on every submission.

    One transaction from the fetch to the event: one commit (one WAL flush) per submission instead of two.
    The fetch's forwarded mark commits with the case and the event, or not at all (a key that is not ours,
    a crash: the submission stays waiting as it was, and a retry starts over). A second worker on the same
    submission waits for the first one's row lock, then finds nothing to mark and fails on the unique
    submission id: it returns the first one's case."""
    me = subscriber.Subscriber.for_destination(destination_id)
    try:
        with transaction.atomic():
            try:
                fetched = subscriber.fetch(me, submission_id, with_attachments=True)
            except NotFound:
                existing = Case.objects.filter(submission_id=submission_id).first()
                if existing is not None:
                    return Outcome(existing)
                raise
            submission = fetched.submission
            try:
                opened = _open_and_verify(fetched)
            except Problem as problem:
                _send(me, fetched, events.REJECT, {"problems": [problem.as_event()]})
                logger.info("submission rejected by the back office",
                            extra={"submission": str(submission.pk), "problem": problem.code})
                return Outcome(None, problem)
            case = _store(submission, opened, actor=actor)
            _send(me, fetched, events.ACCEPT, {"authenticationTags": opened.tags})
    except IntegrityError:  # another worker stored it meanwhile (unique submission_id)
        return Outcome(Case.objects.get(submission_id=submission_id))
    logger.info("submission taken into the back office", extra={"submission": str(submission.pk)})
    return Outcome(case)


@dataclass
class Opened:
    metadata: dict[str, Any]
    data: dict[str, Any]
    attachments: list[tuple[dict[str, Any], bytes]]  # (metadata entry, content)
    tags: dict[str, Any]
    data_xml: str = ""  # data sent as application/xml (then `data` is empty)


def _decrypt(destination_id, token: str, what: str) -> bytes:
    try:
        kid = str(crypto.jwe_header(token).get("kid", ""))
    except (ValueError, TypeError) as exc:
        raise Problem("encryption-issue", f"{what}: kein lesbarer JWE-Kopf.") from exc
    key = receiving.private_key(destination_id, kid)
    if key is None:  # the sender may name the key by its JWK thumbprint instead of its kid
        named = key_ids.encryption_key(destination_id, kid)
        key = receiving.private_key(destination_id, named.kid) if named is not None else None
    if key is None:
        raise NotOurs(kid)
    try:
        return crypto.decrypt_jwe(key, token, max_decompressed_bytes=crypto.MAX_DECOMPRESSED_BYTES)
    except crypto.DecompressedTooLarge as exc:
        # Decompression is part of JWE decryption (RFC 7516 §5.2, step 17): FIT-Connect's encryption-issue.
        raise Problem("encryption-issue", f"{what}: der komprimierte Inhalt (zip DEF) wäre entpackt größer als "
                      f"{crypto.MAX_DECOMPRESSED_BYTES} Bytes und wird nicht entpackt.") from exc
    except (JoseError, ValueError) as exc:
        raise Problem("encryption-issue", f"{what} lässt sich nicht entschlüsseln.") from exc


def _open_and_verify(fetched: subscriber.FetchedSubmission) -> Opened:
    submission = fetched.submission
    destination_id = submission.destination_id
    meta_bytes = _decrypt(destination_id, fetched.encrypted_metadata, "Die Metadaten")
    try:
        meta = parsers.loads(meta_bytes)
    except ValueError as exc:
        raise Problem("syntax-violation", "Die Metadaten sind kein JSON.") from exc
    if not isinstance(meta, dict):
        raise Problem("syntax-violation", "Die Metadaten sind kein JSON-Objekt.")
    try:
        metadata.validate(meta)
    except metadata.InvalidMetadata as exc:
        raise Problem("invalid-metadata", f"Die Metadaten verletzen das Schema: {exc}") from exc

    recorded = subscriber.authentication_tags(submission)
    tags = {"metadata": _tag(fetched.encrypted_metadata), "attachments": {}}
    if fetched.encrypted_data:
        tags["data"] = _tag(fetched.encrypted_data)
    tags["attachments"] = {pk: _tag(jwe) for pk, jwe in fetched.attachments.items()}
    if recorded and (recorded.get("metadata") != tags["metadata"] or recorded.get("data") != tags.get("data")
                     or (recorded.get("attachments") or {}) != tags["attachments"]):
        raise Problem("incorrect-authentication-tags",
                      "Die Authentication Tags stimmen nicht mit den beim Versand gespeicherten überein.")

    if (meta.get("publicServiceType") or {}).get("identifier", submission.service_identifier) != (
            submission.service_identifier):
        raise Problem("service-mismatch", "Die Leistung in den Metadaten ist nicht die der Einreichung.")
    extension = meta.get("amtswegExtension") or {}
    if extension.get("destinationId") not in (None, str(destination_id)):
        raise Problem("destination-mismatch", "Die Metadaten nennen einen anderen Zustellpunkt.")

    structure = meta["contentStructure"]
    data: dict[str, Any] = {}
    data_xml = ""
    if "data" in structure:
        if not fetched.encrypted_data:
            raise Problem("missing-data", "Die Metadaten kündigen Fachdaten an, die fehlen.")
        data_bytes = _decrypt(destination_id, fetched.encrypted_data, "Die Fachdaten")
        if crypto.sha512_hex(data_bytes) != structure["data"]["hash"]["content"]:
            raise Problem("incorrect-data-hash", "Der Hashwert der Fachdaten stimmt nicht.")
        declared = structure["data"]["submissionSchema"]
        if declared["mimeType"] == "application/xml":
            data_xml = _xml_data(data_bytes, declared["schemaUri"])
        else:
            data = _json_data(data_bytes)
    elif fetched.encrypted_data:
        raise Problem("missing-schema", "Fachdaten wurden gesendet, aber die Metadaten nennen kein Schema für sie "
                      "(contentStructure.data).")

    entries = {entry["attachmentId"]: entry for entry in structure.get("attachments", [])}
    if set(entries) != set(fetched.attachments):
        raise Problem("attachments-mismatch", "Die Anlagen passen nicht zu den in den Metadaten genannten.")
    attachments = []
    for attachment_id in submission.announced_attachments:
        content = _decrypt(destination_id, fetched.attachments[attachment_id], "Eine Anlage")
        entry = entries[attachment_id]
        if crypto.sha512_hex(content) != entry["hash"]["content"]:
            raise Problem("incorrect-attachment-hash", f"Der Hashwert der Anlage {attachment_id} stimmt nicht.")
        attachments.append((entry, content))
    return Opened(meta, data, attachments, tags, data_xml)


def _json_data(data_bytes: bytes) -> dict[str, Any]:
    try:
        loaded = parsers.loads(data_bytes)
    except ValueError as exc:
        raise Problem("syntax-violation", "Die Fachdaten sind als JSON angekündigt, aber kein JSON.") from exc
    if not isinstance(loaded, dict):
        raise Problem("invalid-data", "Die Fachdaten sind kein JSON-Objekt.")
    return loaded


# XML data schemas the back office knows (schemaUri -> a check returning the errors): XBau 2.6.
XML_SCHEMAS = {xbau.NS: xbau.validate}


def _xml_data(data_bytes: bytes, schema_uri: str) -> str:
    """XML data (FIT-Connect allows `application/xml`): parsed without DTD (`core.safexml`), checked against
    the service's schema where the back office knows it; kept as text (UTF-8) in the case."""
    try:
        document = safexml.fromstring(data_bytes)
    except (safexml.XmlRefused, etree.XMLSyntaxError) as exc:
        raise Problem("syntax-violation", "Die Fachdaten sind als XML angekündigt, aber kein wohlgeformtes XML "
                      "ohne DTD.") from exc
    check = XML_SCHEMAS.get(schema_uri)
    errors = check(data_bytes) if check else []
    if errors:
        raise Problem("invalid-data", f"Die Fachdaten verletzen das Schema {schema_uri}: " + "; ".join(errors[:3]))
    return etree.tostring(document, encoding="unicode")


def _tag(jwe: str) -> str:
    return jwe.rsplit(".", 1)[-1]


def level_of_assurance(meta: dict[str, Any]) -> str:
    """The level of assurance of the applicant's login (identificationReport), or ""."""
    for report in meta.get("authenticationInformation") or []:
        if report.get("type") != "identificationReport":
            continue
        content = str(report.get("content", ""))
        try:
            decoded = parsers.loads(base64.urlsafe_b64decode(content + "=" * (-len(content) % 4)))
        except (ValueError, binascii.Error):
            continue
        if isinstance(decoded, dict) and decoded.get("levelOfAssurance"):
            return str(decoded["levelOfAssurance"])
    return str((meta.get("amtswegExtension") or {}).get("authenticationLevel") or "")


def _content(submission, opened: Opened) -> dict[str, Any]:
    meta = opened.metadata
    return {
        "data": opened.data,
        # XML data (kept as text) and the schema they name: forwarding sends them on as they came.
        **({"dataXml": opened.data_xml,
            "dataSchema": opened.metadata["contentStructure"]["data"]["submissionSchema"]} if opened.data_xml else {}),
        "form": (meta.get("amtswegExtension") or {}).get("form") or {},
        "applicationDate": (meta.get("additionalReferenceInfo") or {}).get("applicationDate"),
        "payment": meta.get("paymentInformation"),
        "levelOfAssurance": level_of_assurance(meta),
        "replyEmail": ((meta.get("replyChannel") or {}).get("eMail") or {}).get("address", ""),
        "attachments": [
            {"attachmentId": entry["attachmentId"], "filename": entry.get("filename", ""),
             "mimeType": entry.get("mimeType", "application/octet-stream"),
             "description": entry.get("description", ""), "purpose": entry.get("purpose", "attachment"),
             "size": len(content)}
            for entry, content in opened.attachments
        ],
    }


def applicant_name(form_slug: str, form_version: int | None, data: dict[str, Any], *,
                   definition: dict | None = None) -> str:
    """The applicant's name from the answers: the fields the form marks as the person's name (autocomplete
    given-name/family-name/name or an identity prefill), else the usual German field ids. `definition`: the
    form version's, if the caller read it already (else it is looked up)."""
    given, family, full = "", "", ""
    if definition is None:
        definition = _definition(form_slug, form_version)
    for step in (definition or {}).get("steps", []):
        for fieldset in step.get("fieldsets", []):
            for field in fieldset.get("fields", []):
                value = data.get(field.get("id"))
                if not isinstance(value, str):
                    continue
                marker = field.get("autocomplete") or field.get("prefill") or ""
                if marker in ("given-name", "identity.given_name") and not given:
                    given = value
                elif marker in ("family-name", "identity.family_name") and not family:
                    family = value
                elif marker in ("name", "identity.full_name") and not full:
                    full = value
    if not (given or family or full):
        given = str(data.get("vorname") or "")
        family = str(data.get("familienname") or data.get("nachname") or "")
        full = str(data.get("name") or "") if not (given or family) else ""
    return full or f"{given} {family}".strip()


def _definition(form_slug: str, form_version: int | None) -> dict | None:
    if not form_slug or form_version is None:
        return None
    from amtsweg.assistants.models import FormVersion

    return (FormVersion.objects.filter(form__slug=form_slug, number=form_version)
            .values_list("definition", flat=True).first())


def _settings(destination_id, leika_key: str, form_slug: str, form_version: Any) -> dict[str, Any]:
    """In one query what storing a case needs besides the submission: the destination's Authority, the team
    of the service's settings and the receiving system's default team, the service's Bearbeitungsfrist
    (None: the default) and the definition of the form version the applicant used (None: none or unknown).

    One fixed statement (`_settings_sql`) instead of the ORM's annotate with four subqueries: compiling that
    cost 2.4 ms CPU per submission, the statement itself 0.2 ms (benchmarks/backoffice.py, issue 14). Values
    travel as parameters, converted by the fields as the ORM would (`get_db_prep_value`, `from_db_value`)."""
    from amtsweg.assistants.models import FormVersion
    from amtsweg.routing.models import Destination

    with_form = bool(form_slug) and isinstance(form_version, int)
    params = [leika_key, leika_key, form_slug if with_form else None, form_version if with_form else None,
              Destination._meta.pk.get_db_prep_value(destination_id, connection)]
    with connection.cursor() as cursor:
        cursor.execute(_settings_sql(connection.vendor), params)
        row = cursor.fetchone()
    if row is None:
        raise Destination.DoesNotExist
    authority_id, default_team_id, service_team_id, processing_days, definition = row
    if definition is not None:
        definition = FormVersion._meta.get_field("definition").from_db_value(definition, None, connection)
    return {"authority_id": authority_id, "default_team_id": default_team_id, "service_team_id": service_team_id,
            "processing_days": processing_days, "definition": definition}


@functools.cache
def _settings_sql(vendor: str) -> str:
    """The statement of `_settings`, written once per process from the models' metadata (the `Model._meta`
    API; `vendor` only keys the cache, the quoting is the connection's). Parameters: the LeiKa key twice, the
    form's slug and version number (NULL: no form), the destination id."""
    from amtsweg.assistants.models import FormVersion
    from amtsweg.routing.models import Destination

    quote = connection.ops.quote_name
    form = FormVersion._meta.get_field("form").related_model

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    service = (f"FROM {table(ServiceDeadline)} s WHERE s.{column(ServiceDeadline, 'authority')} = "
               f"d.{column(Destination, 'authority')} AND s.{column(ServiceDeadline, 'leika_key')} = %s")
    return (
        f"SELECT d.{column(Destination, 'authority')}, "  # noqa: S608 - identifiers from the models
        f"(SELECT r.{column(ReceivingSystem, 'default_team')} FROM {table(ReceivingSystem)} r"
        f" WHERE r.{column(ReceivingSystem, 'destination')} = d.{quote(Destination._meta.pk.column)} LIMIT 1), "
        f"(SELECT s.{column(ServiceDeadline, 'team')} {service}"
        f" AND s.{column(ServiceDeadline, 'team')} IS NOT NULL LIMIT 1), "
        f"(SELECT s.{column(ServiceDeadline, 'processing_days')} {service} LIMIT 1), "
        f"(SELECT v.{column(FormVersion, 'definition')} FROM {table(FormVersion)} v"
        f" INNER JOIN {table(form)} f ON v.{column(FormVersion, 'form')} = f.{quote(form._meta.pk.column)}"
        f" WHERE f.{column(form, 'slug')} = %s AND v.{column(FormVersion, 'number')} = %s LIMIT 1) "
        f"FROM {table(Destination)} d WHERE d.{quote(Destination._meta.pk.column)} = %s"
    )


def _store(submission, opened: Opened, *, actor: Any) -> Case:
    from amtsweg.casework.models import DEFAULT_PROCESSING_DAYS

    leika_key = submission.service_identifier.removeprefix(LEIKA_URN)[:14]
    received_at = submission.submitted_at or timezone.now()
    content = _content(submission, opened)
    form = content["form"]
    form_slug = submission.form_slug or str(form.get("slug") or "")[:80]
    form_version = submission.form_version if submission.form_version is not None else form.get("version")
    found = _settings(submission.destination_id, leika_key, form_slug, form_version)
    authority_id = found["authority_id"]
    # The team that handles the service (per-service settings), else the receiving system's default team.
    team_id = found["service_team_id"] or found["default_team_id"]
    days = found["processing_days"]
    deadline = timezone.localdate(received_at) + timedelta(days=DEFAULT_PROCESSING_DAYS if days is None else days)
    name = applicant_name(form_slug, form_version, opened.data, definition=found["definition"] or {})
    case = Case.objects.create(
        authority_id=authority_id,
        destination_id=submission.destination_id,
        submission_id=submission.pk,
        transport_case_id=submission.case_id,
        reference=submission.public_reference,
        leika_key=leika_key,
        service_name=submission.service_name[:255],
        form_slug=form_slug,
        form_version=form_version if isinstance(form_version, int) else None,
        received_at=received_at,
        team_id=team_id,
        deadline=deadline,
        applicant_name_hash=vault.name_hash(authority_id, name),
        content=vault.seal(authority_id, json.dumps(content, ensure_ascii=False).encode(), purpose=APPLICATION),
    )
    # The attachments and the entry have no signal receivers: one INSERT each without compiling it
    # (core.inserts; the ORM's bulk_create and create compiled theirs on every submission).
    insert_objects([
        CaseAttachment(case=case, attachment_id=entry["attachmentId"], position=position, size=len(data),
                       content=vault.seal(authority_id, data, purpose=ATTACHMENT))
        for position, (entry, data) in enumerate(opened.attachments)
    ])
    insert_objects([CaseEntry(case=case, kind=CaseEntry.Kind.RECEIVED, actor=None,
                              details={"submission": str(submission.pk)})])
    return case


def _send(me: subscriber.Subscriber, fetched: subscriber.FetchedSubmission, event_uri: str,
          payload: dict[str, Any]) -> None:
    """Sign the event with the destination's signature key held by the back office and post it through
    the subscriber service (which verifies it against the registered public key, like any Fachverfahren's),
    as the answer to the submission fetched in this transaction (`subscriber.answer`: not read again)."""
    submission = fetched.submission
    signer = receiving.signing_key(submission.destination_id)
    if signer is None:
        raise NotOurs("no signature key")
    kid, key = signer
    claims = {
        "iss": str(submission.destination_id),
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "sub": f"submission:{submission.pk}",
        "txn": f"case:{submission.case_id}",
        "events": {event_uri: payload},
    }
    header = {"typ": events.SET_TYPE, "alg": events.ALGORITHM, "kid": kid}
    token = jws.serialize_compact(header, json.dumps(claims, separators=(",", ":")).encode(), key,
                                  algorithms=[events.ALGORITHM])
    subscriber.answer(me, fetched, token)
