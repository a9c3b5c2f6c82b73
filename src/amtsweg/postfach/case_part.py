"""The Postfach's share of a case for the back office's retention job and exports (`casework.case_parts`):
messages with their files, Bescheide with their signatures, and the citizen account's link to the
application."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from amtsweg.casework.case_parts import ArchiveFile, safe_name
from amtsweg.casework.models import Case
from amtsweg.postfach import messages, notices
from amtsweg.postfach.models import Application, Message, MessageAttachment, Notice, SigningKey


def purge(cases: list) -> dict[Any, dict[str, int]]:
    """Delete the cases' messages (with their files), notices and the Postfach links of their applications;
    counts per case."""
    case_ids = [c.pk for c in cases]
    counts: dict[Any, dict[str, int]] = {c.pk: {} for c in cases}
    for case_id, n in (Message.objects.filter(case_id__in=case_ids).values("case_id").annotate(n=Count("id"))
                       .values_list("case_id", "n")):
        counts[case_id]["messages"] = n
    for case_id, n in (MessageAttachment.objects.filter(message__case_id__in=case_ids)
                       .values("message__case_id").annotate(n=Count("id")).values_list("message__case_id", "n")):
        counts[case_id]["message_attachments"] = n
    for case_id, n in (Notice.objects.filter(case_id__in=case_ids).values("case_id").annotate(n=Count("id"))
                       .values_list("case_id", "n")):
        counts[case_id]["notices"] = n
    by_submission = {c.submission_id: c.pk for c in cases}
    for submission_id in Application.objects.filter(submission_id__in=list(by_submission)).values_list(
            "submission_id", flat=True):
        counts[by_submission[submission_id]]["postfach_links"] = 1
    MessageAttachment.objects.filter(message__case_id__in=case_ids).delete()
    Message.objects.filter(case_id__in=case_ids, in_reply_to__isnull=False).delete()
    Message.objects.filter(case_id__in=case_ids).delete()
    Notice.objects.filter(case_id__in=case_ids).delete()
    Application.objects.filter(submission_id__in=list(by_submission)).delete()
    return counts


def _message_path(message: Message, index: int) -> str:
    return f"nachrichten/{index:02d}-{message.created_at:%Y%m%d}-{message.kind}"


def personal_data(case, *, for_applicant: bool) -> dict[str, Any]:
    """Messages (direction, dates, subject, text, requested documents, files) and notices (decision, dates,
    the PDF and its signature) of the case, opened."""
    items = []
    rows = Message.objects.filter(case=case).select_related("case").order_by("created_at", "id")
    for index, message in enumerate(rows, start=1):
        shown = messages.show(message)
        files = []
        for position, described in enumerate(shown.attachments, start=1):
            attachment = MessageAttachment.objects.select_related("message__case").get(pk=described["id"])
            _described, content = messages.open_attachment(attachment)
            path = f"{_message_path(message, index)}/{position:02d}-{safe_name(described['filename'])}"
            files.append(ArchiveFile(path, content, described["content_type"], "message-attachment"))
        items.append({
            "title": f"{Message.Kind(message.kind).label}: {shown.subject}",
            "fields": [
                (_("Richtung"), str(Message.Direction(message.direction).label)),
                (_("Gesendet am"), message.created_at),
                (_("Gelesen am"), message.read_at),
                (_("Betreff"), shown.subject),
                (_("Text"), shown.text),
                (_("Angeforderte Unterlagen"), ", ".join(shown.documents)),
            ],
            "files": files,
        })
    for index, notice in enumerate(Notice.objects.filter(case=case).select_related("case")
                                   .order_by("made_available_at", "id"), start=1):
        items.append({
            "title": _("Bescheid vom %(date)s") % {"date": notice.made_available_at.strftime("%d.%m.%Y")},
            "fields": [
                (_("Entscheidung"), str(Case.Decision(notice.decision).label)),
                (_("Bereitgestellt am"), notice.made_available_at),
                (_("Zuerst abgerufen am"), notice.first_fetched_at),
            ],
            "files": _notice_files(notice, index),
        })
    return {"title": _("Nachrichten und Bescheide (Postfach)"), "items": items}


def _notice_files(notice: Notice, index: int) -> list[ArchiveFile]:
    document = notices.document_of(notice)
    key = SigningKey.objects.filter(kid=notice.kid, authority_id=notice.case.authority_id).values_list(
        "public_jwk", flat=True).first()
    meta = {"kid": notice.kid, "decision": notice.decision, "madeAvailableAt": notice.made_available_at.isoformat(),
            "firstFetchedAt": notice.first_fetched_at.isoformat() if notice.first_fetched_at else None,
            "signatureValid": notices.verify(notice, document)}
    signature = json.dumps({"signature": notice.signature, "key": key,
                            "info": "JWS (RFC 7515) ES256, payload detached: the PDF's bytes"}, indent=2)
    base = f"bescheide/{index:02d}-bescheid"
    return [ArchiveFile(f"{base}.pdf", document, "application/pdf", "notice", meta),
            ArchiveFile(f"{base}.signatur.json", signature.encode(), "application/json", "notice-signature",
                        {"kid": notice.kid})]


def archive_files(case) -> list[ArchiveFile]:
    """For the e-Akte: the notices with their signatures, the correspondence as JSON and its files."""
    files: list[ArchiveFile] = []
    for index, notice in enumerate(Notice.objects.filter(case=case).select_related("case")
                                   .order_by("made_available_at", "id"), start=1):
        files += _notice_files(notice, index)
    correspondence = []
    for index, message in enumerate(Message.objects.filter(case=case).select_related("case")
                                    .order_by("created_at", "id"), start=1):
        shown = messages.show(message)
        names = []
        for position, described in enumerate(shown.attachments, start=1):
            attachment = MessageAttachment.objects.select_related("message__case").get(pk=described["id"])
            _described, content = messages.open_attachment(attachment)
            path = f"{_message_path(message, index)}/{position:02d}-{safe_name(described['filename'])}"
            files.append(ArchiveFile(path, content, described["content_type"], "message-attachment",
                                     {"message": str(message.pk)}))
            names.append(path)
        correspondence.append({
            "id": str(message.pk), "direction": message.direction, "kind": message.kind,
            "inReplyTo": str(message.in_reply_to_id) if message.in_reply_to_id else None,
            "createdAt": message.created_at.isoformat(),
            "readAt": message.read_at.isoformat() if message.read_at else None,
            "sender": message.sender.get_username() if message.sender_id else None,
            "subject": shown.subject, "text": shown.text, "documents": shown.documents, "files": names,
        })
    if correspondence:
        files.append(ArchiveFile("nachrichten/nachrichten.json",
                                 json.dumps(correspondence, ensure_ascii=False, indent=2).encode(),
                                 "application/json", "messages"))
    return files
