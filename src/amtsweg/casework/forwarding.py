"""Weiterleitung: a mis-routed application goes to the responsible authority, re-encrypted for its destination.

The back office acts as one more sender: it opens the case's sealed content, encrypts data, metadata and every
attachment anew for the target destination's active key (`submissions.crypto.encrypt_for`, the intake's
function) and hands them to `submissions.services.create_submitted`, which records the create and submit
events of the new submission and writes its delivery orders — so the responsible authority receives it like
any application, through its own receiving system. The case here becomes "weitergeleitet", with an entry in
its history and the audit trail naming the new submission's reference; its content stays sealed here until
retention removes it. `signals.case_forwarded` lets the Postfach leave the applicant a note and a mail.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts import audit
from amtsweg.casework import vault
from amtsweg.casework.ingest import APPLICATION, ATTACHMENT
from amtsweg.casework.models import Case, CaseAttachment, CaseEntry
from amtsweg.casework.services import TRANSITIONS, CaseworkError, _entry, check_may_work
from amtsweg.casework.signals import case_forwarded
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.models import Destination, Responsibility


def targets(case: Case) -> list[Destination]:
    """Destinations of other authorities responsible for the case's service somewhere (the choice offered)."""
    ids = (Responsibility.objects.filter(leika_key=case.leika_key).exclude(authority_id=case.authority_id)
           .values_list("destination_id", flat=True).distinct())
    return list(Destination.objects.filter(pk__in=ids, status=Destination.Status.ACTIVE)
                .select_related("authority").order_by("authority__name", "name"))


def target_label(destination: Destination) -> str:
    """How a forwarding target is named in the choice: its authority, then the destination's own name unless
    that only repeats it ("Bürgeramt Saarbrücken – Bürgeramt Saarbrücken – Hundesteuer" read twice)."""
    authority, name = destination.authority.name, destination.name
    if not name or name == authority:
        return authority
    if name.startswith(authority):
        return name
    return f"{authority} – {name}"


def forward(case: Case, destination: Destination, *, actor: Any) -> Case:
    """Forward the case to `destination` (another authority's, responsible for the service)."""
    from amtsweg.submissions import crypto, metadata, services
    from amtsweg.submissions.models import new_public_reference

    check_may_work(actor, case)
    if Case.State.FORWARDED not in TRANSITIONS.get(case.state, set()):
        raise CaseworkError(_("Ein Vorgang im Status „%(state)s“ kann nicht weitergeleitet werden.")
                            % {"state": Case.State(case.state).label})
    if destination.pk not in {d.pk for d in targets(case)}:
        raise CaseworkError(_("Dieser Zustellpunkt ist für die Leistung nicht zuständig; bitte neu wählen."))
    key = destination.active_encryption_key()
    if key is None:
        raise CaseworkError(_("Der Zustellpunkt hat keinen aktiven Schlüssel; eine Weiterleitung ist nicht möglich."))
    public = crypto.public_key(dict(key.jwk, kid=key.kid))
    content = json.loads(vault.open(case.authority_id, bytes(case.content), purpose=APPLICATION))
    data_bytes = json.dumps(content.get("data") or {}, ensure_ascii=False, separators=(",", ":")).encode()
    data_type = "application/json"
    if content.get("dataXml"):  # data received as application/xml go on as XML, under the schema they named
        data_bytes, data_type = content["dataXml"].encode(), "application/xml"
    stored = {str(a.attachment_id): a for a in CaseAttachment.objects.filter(case=case)}
    parts, entries = [], []
    for described in content.get("attachments") or []:
        row = stored.get(described["attachmentId"])
        if row is None:
            continue
        plain = vault.open(case.authority_id, bytes(row.content), purpose=ATTACHMENT)
        attachment_id = uuid.uuid4()
        entry = {"attachmentId": str(attachment_id), "hash": metadata.hash_entry(crypto.sha512_hex(plain)),
                 "purpose": described.get("purpose") or "attachment",
                 "mimeType": described.get("mimeType") or "application/octet-stream",
                 "filename": described.get("filename") or "anlage"}
        if described.get("description"):
            entry["description"] = described["description"]
        entries.append(entry)
        parts.append((attachment_id, crypto.encrypt_for(public, plain, content_type=None)))
    reference = new_public_reference()
    form = content.get("form") or {}
    document = metadata.build_metadata(
        leika_key=case.leika_key, service_name=case.service_name, form_slug=case.form_slug or "api",
        form_version=case.form_version or 1, data_hash=crypto.sha512_hex(data_bytes), attachments=entries,
        destination_id=str(destination.pk), public_reference=reference,
        auth_level=content.get("levelOfAssurance") or None, applicant_email=content.get("replyEmail") or None,
    )
    if content.get("payment"):
        document["paymentInformation"] = content["payment"]  # as received (already FIT-Connect's shape)
    if content.get("dataXml"):
        document["contentStructure"]["data"]["submissionSchema"] = content["dataSchema"]
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state != case.state:
            raise CaseworkError(_("Der Vorgang wurde inzwischen geändert; bitte laden Sie die Seite neu."))
        submission = services.create_submitted(
            destination, service_identifier=f"urn:de:fim:leika:leistung:{case.leika_key}",
            service_name=case.service_name, attachments=parts,
            encrypted_metadata=crypto.encrypt_for(public, json.dumps(document, ensure_ascii=False).encode(),
                                                  content_type="application/json"),
            encrypted_data=crypto.encrypt_for(public, data_bytes, content_type=data_type),
            public_reference=reference, sender=SYSTEM, form_slug=str(form.get("slug") or case.form_slug)[:80],
            form_version=case.form_version, encryption_kid=key.kid,
        )
        before = locked.state
        locked.state = Case.State.FORWARDED
        locked.paused_since = None
        locked.closed_at = timezone.now()  # closed here: the Aufbewahrungsfrist runs from now (retention)
        locked.save(update_fields=["state", "paused_since", "closed_at", "updated_at"])
        details = {"state": {"from": before, "to": Case.State.FORWARDED}, "destination": str(destination.pk),
                   "reference": submission.public_reference}
        _entry(locked, CaseEntry.Kind.FORWARDED, actor, details)
        audit.record(actor, locked.authority, "case.forwarded", locked, details)
        # The Postfach tells the applicant (a note and a mail without content), in this transaction.
        case_forwarded.send(sender=Case, case=locked, submission=submission, destination=destination, actor=actor)
    return locked
