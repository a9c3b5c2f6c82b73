"""Intake of applications from the platform's own forms (settings.AMTSWEG_SUBMISSION_INTAKE).

`accept_form_submission(payload)` is the platform acting as one more FIT-Connect sender: it resolves the
responsible destination, builds the metadata, encrypts every part for the destination's active key
(JSON data, the XML rendering where the service has an output format, metadata, each attachment) and
then hands the ciphertext to `services.create_submitted` — the one-shot form of the announce → upload →
submit steps the Submission API uses, with the same rows, events and signal — in ONE database
transaction together with the event log and the `submission_submitted` signal (the delivery outbox).

Nothing of the application is stored in clear text. Encryption happens before the transaction opens,
so the transaction only holds ciphertext and is short. The applicant's e-mail address is used once, after
commit, to send the status link, and is otherwise only inside the encrypted metadata.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from amtsweg.assistants.handoff import FormSubmissionPayload
from amtsweg.core.actors import SYSTEM
from amtsweg.core.ids import uuid7
from amtsweg.submissions import crypto, metadata, output_formats, services, status
from amtsweg.submissions.errors import NoResponsibleDestination
from amtsweg.submissions.models import new_public_reference

logger = logging.getLogger(__name__)


def resolve_destination(leika_key: str, ars: str):
    """The active destination responsible for this service at the applicant's place and its encryption
    key as `(kid, public key)` (imported once), or raise `NoResponsibleDestination`.

    Uses routing's per-process index (no query) and caches the active key per destination for the
    index's version: every change to destinations or keys bumps that version, so the cache cannot go stale.
    """
    from amtsweg.routing.resolution import get_index, responsible_office

    office = responsible_office(leika_key, ars=ars)  # the same answer the place step and the citizen page give
    destination = office.destination
    if destination is None:
        raise NoResponsibleDestination(leika_key, ars, office.message)
    version = get_index().version
    if _key_cache.get("version") != version:
        _key_cache.clear()
        _key_cache["version"] = version
    key = _key_cache.get(destination.pk)
    if key is None:
        active = destination.active_encryption_key()
        if active is None:
            raise NoResponsibleDestination(leika_key, ars)
        key = _key_cache[destination.pk] = (active.kid, crypto.public_key(dict(active.jwk, kid=active.kid)))
    return destination, key


_key_cache: dict = {}  # {"version": routing index version, destination id: (kid, public key)}


MIME_RE = re.compile(r"^[-\w.]+/[-\w.+]+$")


def _mime_type(value: str | None) -> str:
    """The MIME type as the metadata schema wants it (no parameters); unknown shapes become octet-stream."""
    value = (value or "").split(";", 1)[0].strip().lower()
    return value if MIME_RE.match(value) else "application/octet-stream"


@functools.lru_cache(maxsize=4096)
def _service_name(leika_key: str) -> str:
    from amtsweg.catalogue.models import PublicService

    return PublicService.objects.filter(key=leika_key).values_list("name", flat=True).first() or leika_key


def accept_form_submission(payload: FormSubmissionPayload) -> str:
    """Encrypt and store a completed application; returns its public reference (e.g. AW-7KQ2-M9XD-4TPA)."""
    destination, (kid, jwk) = resolve_destination(payload.leika_key, payload.applicant_ars)
    service_name = _service_name(payload.leika_key)
    reference = new_public_reference()

    data_bytes = json.dumps(payload.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    plain_parts: list[tuple[uuid.UUID, bytes, str | None]] = []  # (attachment id, content, content type)
    entries: list[dict] = []
    for attachment in payload.attachments:
        attachment_id = uuid7()
        plain_parts.append((attachment_id, attachment.content, None))
        entry = {
            "attachmentId": str(attachment_id),
            "hash": metadata.hash_entry(crypto.sha512_hex(attachment.content)),
            "purpose": "attachment",
            "mimeType": _mime_type(attachment.content_type),
            "filename": attachment.filename,
        }
        if attachment.description:
            entry["description"] = attachment.description
        entries.append(entry)

    xml = payload.xml
    fmt = output_formats.for_service(payload.leika_key)
    if xml is None and fmt is not None:
        xml = fmt.render(payload)
    if xml is not None:
        attachment_id = uuid7()
        plain_parts.append((attachment_id, xml, "application/xml"))
        entries.append({
            "attachmentId": str(attachment_id),
            "hash": metadata.hash_entry(crypto.sha512_hex(xml)),
            "purpose": "report",
            "mimeType": "application/xml",
            "filename": fmt.filename if fmt else "antrag.xml",
            "description": (fmt.label if fmt else "") or _("Antrag als XML-Nachricht"),
        })

    document = metadata.build_metadata(
        leika_key=payload.leika_key,
        service_name=service_name,
        form_slug=payload.form_slug,
        form_version=payload.form_version,
        data_hash=crypto.sha512_hex(data_bytes),
        attachments=entries,
        destination_id=str(destination.pk),
        public_reference=reference,
        auth_level=payload.auth_level,
        auth_provider=payload.auth_provider,
        payment=payload.payment,
        applicant_email=payload.applicant_email,
    )
    metadata_bytes = json.dumps(document, ensure_ascii=False).encode("utf-8")
    # Every part is encrypted here, one after the other: the metadata only needs the parts' hashes (and
    # back to back the encryptions ran about 1 % faster in A/B runs than spread over the function).
    parts = [(attachment_id, crypto.encrypt_for(jwk, content, content_type=content_type))
             for attachment_id, content, content_type in plain_parts]
    encrypted_data = crypto.encrypt_for(jwk, data_bytes, content_type="application/json")
    encrypted_metadata = crypto.encrypt_for(jwk, metadata_bytes, content_type="application/json")

    submission = services.create_submitted(
        destination,
        service_identifier=f"urn:de:fim:leika:leistung:{payload.leika_key}",
        service_name=service_name,
        attachments=parts,
        encrypted_metadata=encrypted_metadata,
        encrypted_data=encrypted_data,
        public_reference=reference,
        sender=SYSTEM,  # the platform's own form: no API client
        form_slug=payload.form_slug,
        form_version=payload.form_version,
        encryption_kid=kid,
    )

    logger.info("submission accepted", extra={"submission": str(submission.pk), "destination": str(destination.pk)})
    if payload.applicant_email and payload.mail_status_link:
        email = payload.applicant_email
        transaction.on_commit(lambda: _send_status_link(email, reference))
    return reference


def _send_status_link(email: str, reference: str) -> None:
    """Best effort: the application is already stored; a mail failure must not surface as an error."""
    url = status.absolute_status_url(reference)
    try:
        _mail(email, reference, url)
    except Exception:  # noqa: BLE001 - any mailer error; logged without the address
        logger.warning("status mail failed", extra={"reference": reference})


def _mail(email: str, reference: str, url: str) -> None:
    send_mail(
        _("Ihr Antrag %(reference)s ist eingegangen") % {"reference": reference},
        _(
            "Guten Tag,\n\nIhr Antrag ist verschlüsselt bei der zuständigen Stelle eingegangen.\n"
            "Vorgangsnummer: %(reference)s\nDen Bearbeitungsstand sehen Sie hier:\n%(url)s\n\n"
            "Bitte geben Sie diesen Link nicht weiter.\n"
        )
        % {"reference": reference, "url": url},
        None,
        [email],
    )
