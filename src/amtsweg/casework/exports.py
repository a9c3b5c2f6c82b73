"""Exports of a case: the data subject's copy (Auskunft nach Art. 15 DSGVO) and the e-Akte archive for a DMS.

Both are ZIP archives built in memory from the sealed case file and what later apps keep about the case
(`case_parts`, e.g. the Postfach's messages and Bescheide). Callers decide who may have them; these functions
check that the actor may work on the case (staff) and write the audit entry:

* `data_export(case, actor=…)` — for staff of the case's Authority; `data_export(case, applicant_via=…)` —
  for the applicant (the holder of the signed status link or the owning citizen account; the Postfach view
  checks that). Content: `auskunft.json` (machine-readable), `auskunft.html` (the same, readable, with the
  information Art. 15 (1) a–h asks for: purposes, recipients, retention, source, rights) and every file
  (attachments, the applicant's answers' files, Bescheide). Internal notes are the Authority's working
  papers: in the staff export, marked for review before handing it out (Art. 15 (4), § 34 BDSG); never in
  the applicant's own download.
* `archive(case, actor=…)` — a decided or closed case for the e-Akte: `antrag.pdf` (the application as the
  form showed it), `antrag.json` (everything as received), the attachments, the Bescheide with their detached
  signatures, the correspondence, `verlauf.json` (history with notes), `ereignisse.json` (the transport's
  signed event log) and `manifest.json` with the case's metadata and the SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from amtsweg.accounts import audit
from amtsweg.casework import case_parts, presentation, retention, services, vault
from amtsweg.casework.case_parts import ArchiveFile, safe_name
from amtsweg.casework.ingest import APPLICATION, ATTACHMENT
from amtsweg.casework.models import Case, CaseAttachment, CaseEntry
from amtsweg.core.actors import SYSTEM
from amtsweg.core.pdf import unicode_font, write_sections

FORMAT = "amtsweg-e-akte/1"
ARCHIVABLE_STATES = (Case.State.DECIDED, Case.State.CLOSED)
# A fixed time for every entry of an archive: the same case gives the same bytes (and hashes) twice.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class NotArchivable(Exception):
    """Only decided or closed cases go to the e-Akte (an open case is still being worked on)."""


# --- shared pieces -----------------------------------------------------------------------------------------


def _content(case: Case) -> dict[str, Any]:
    return json.loads(vault.open(case.authority_id, bytes(case.content), purpose=APPLICATION))


def _attachments(case: Case, content: dict[str, Any]) -> list[ArchiveFile]:
    described = {a["attachmentId"]: a for a in content.get("attachments") or []}
    files = []
    for position, row in enumerate(CaseAttachment.objects.filter(case=case).order_by("position"), start=1):
        entry = described.get(str(row.attachment_id), {})
        data = vault.open(case.authority_id, bytes(row.content), purpose=ATTACHMENT)
        files.append(ArchiveFile(
            f"anlagen/{position:02d}-{safe_name(str(entry.get('filename') or ''), 'anlage')}", data,
            str(entry.get("mimeType") or "application/octet-stream"), "attachment",
            {"attachmentId": str(row.attachment_id), "description": entry.get("description", "")}))
    return files


def _zip(files: list[ArchiveFile]) -> bytes:
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            if file.path in seen:
                raise ValueError(f"duplicate path in archive: {file.path}")
            seen.add(file.path)
            info = zipfile.ZipInfo(file.path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.content)
    return buffer.getvalue()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _readable(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _case_facts(case: Case) -> list[tuple[str, Any]]:
    return [
        (_("Vorgangsnummer"), case.reference),
        (_("Leistung"), case.service_name),
        (_("Leistungsschlüssel"), case.leika_key),
        (_("Behörde"), case.authority.name),
        (_("Eingegangen am"), case.received_at),
        (_("Status"), case.get_state_display()),
        (_("Entscheidung"), case.get_decision_display() if case.decision else ""),
        (_("Entschieden am"), case.decided_at),
        (_("Abgeschlossen am"), case.closed_at),
    ]


# --- Art. 15 DSGVO -----------------------------------------------------------------------------------------


def information(case: Case) -> dict[str, str]:
    """The information Art. 15 (1) a–h and (2) ask for besides the data, in plain German."""
    days = retention.retention_days(case.authority_id, case.leika_key)
    due = retention.deletion_due_on(case)
    authority = case.authority.name
    retention_text = _("Die Angaben werden nach Abschluss des Vorgangs %(days)d Tage aufbewahrt "
                       "(Aufbewahrungsfrist für „%(service)s“) und danach automatisch gelöscht.") % {
        "days": days, "service": case.service_name}
    if due:
        retention_text += " " + _("Für diesen Vorgang ist das am %(date)s.") % {"date": due.strftime("%d.%m.%Y")}
    return {
        "controller": _("Verantwortlich ist %(authority)s.") % {"authority": authority},
        "purposes": _("Ihre Angaben werden verarbeitet, um Ihren Antrag „%(service)s“ zu prüfen, darüber zu "
                      "entscheiden, Ihnen Rückfragen und den Bescheid zuzustellen und die Entscheidung "
                      "nachvollziehbar zu dokumentieren (Art. 6 Abs. 1 Buchst. c und e DSGVO in Verbindung mit "
                      "dem für die Leistung geltenden Fachrecht).") % {"service": case.service_name},
        "categories": _("Ihre Angaben im Antrag, die mitgesandten Dateien, Angaben zur Zahlung und zum "
                        "Vertrauensniveau Ihrer Anmeldung, Ihre Kontaktadresse, Nachrichten und Rückfragen, "
                        "Ihre Antworten und die Bescheide."),
        "recipients": _("Ihre Angaben sehen nur die zuständigen Beschäftigten der %(authority)s. Amtsweg "
                        "speichert sie verschlüsselt; der Betreiber der Plattform und das Land sehen sie nicht. "
                        "Wurde der Antrag an eine zuständige Stelle weitergeleitet, hat diese ihn "
                        "erhalten.") % {"authority": authority},
        "retention": retention_text,
        "source": _("Die Angaben stammen von Ihnen selbst (Ihr Online-Antrag und Ihre Antworten im Postfach). "
                    "Bei einer Anmeldung mit einem Bürgerkonto kamen Name und Anschrift aus diesem Konto."),
        "rights": _("Sie haben das Recht auf Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung der "
                    "Verarbeitung (Art. 18) und Widerspruch (Art. 21 DSGVO) sowie das Recht, sich bei der "
                    "Datenschutz-Aufsichtsbehörde Ihres Landes zu beschweren (Art. 77 DSGVO). Wenden Sie sich "
                    "dazu an %(authority)s.") % {"authority": authority},
        "automated": _("Über Ihren Antrag entscheidet ein Mensch; eine automatisierte Entscheidung im Sinne "
                       "von Art. 22 DSGVO findet nicht statt."),
    }


def _history(case: Case, *, with_notes: bool, with_staff: bool) -> list[dict[str, Any]]:
    rows = []
    for entry in CaseEntry.objects.filter(case=case).order_by("at", "id"):
        if entry.kind == CaseEntry.Kind.NOTE and not with_notes:
            continue
        row = {"at": entry.at, "kind": str(CaseEntry.Kind(entry.kind).label),
               "change": services._summary(entry.details)}
        if entry.kind == CaseEntry.Kind.ASSIGNED and not with_staff:
            row["change"] = ""  # whom a case was given names staff, not the applicant
        if with_staff:
            row["by"] = entry.actor_username or _("System")
        if entry.text and with_notes:
            row["text"] = vault.open(case.authority_id, bytes(entry.text), purpose=services.NOTE).decode()
        rows.append(row)
    return rows


def data_export(case: Case, *, actor: Any = None, applicant_via: str = "") -> tuple[str, bytes]:
    """The Art. 15 copy of everything stored about the applicant in this case: (file name, ZIP bytes).
    Staff: `actor` (checked and audited); the applicant: `applicant_via` ("link" or "account"), audited as
    the system acting for the applicant."""
    for_applicant = bool(applicant_via)
    if for_applicant:
        actor = SYSTEM
    services.check_may_work(actor, case)
    content = _content(case)
    shown = presentation.application(case, content)
    attachment_files = _attachments(case, content)
    parts = [part.personal_data(case, for_applicant=for_applicant) for part in case_parts.parts()
             if part.personal_data is not None]
    part_files = [file for part in parts for item in part["items"] for file in item.get("files", [])]
    history = _history(case, with_notes=not for_applicant, with_staff=False)
    now = timezone.now()
    info = information(case)
    payment = presentation.payment(content)
    document = {
        "format": "amtsweg-auskunft/1",
        "createdAt": now,
        "case": {"reference": case.reference, "service": case.service_name, "leikaKey": case.leika_key,
                 "authority": case.authority.name, "receivedAt": case.received_at, "state": case.state,
                 "decision": case.decision or None, "decidedAt": case.decided_at, "closedAt": case.closed_at},
        "application": {
            "form": {"title": shown["title"], "version": shown["version"]},
            "sections": [{"title": s["title"], "rows": [{"label": r["label"], "value": r["value"]} for r in s["rows"]]}
                         for s in shown["sections"]],
            "data": content.get("data") or {},
            "applicationDate": content.get("applicationDate"),
            "payment": content.get("payment"),
            "levelOfAssurance": content.get("levelOfAssurance"),
            "replyEmail": content.get("replyEmail"),
        },
        "attachments": [{"file": f.path, "mediaType": f.media_type, "size": len(f.content)}
                        for f in attachment_files],
        "history": history,
        "parts": [{"title": str(p["title"]), "items": [
            {"title": str(i["title"]), "fields": {str(k): v for k, v in i["fields"]},
             "files": [f.path for f in i.get("files", [])]} for i in p["items"]]} for p in parts],
        "information": info,
    }
    html = render_to_string("casework/export/auskunft.html", {
        "case": case, "facts": [(label, _readable(value)) for label, value in _case_facts(case)],
        "application": shown, "payment": payment, "content": content, "attachments": attachment_files,
        "history": [{**row, "at": _readable(row["at"])} for row in history],
        "parts": [{"title": p["title"], "items": [
            {"title": i["title"], "fields": [(k, _readable(v)) for k, v in i["fields"]],
             "files": i.get("files", [])} for i in p["items"]]} for p in parts],
        "information": info, "created": _readable(now), "for_applicant": for_applicant,
        "with_notes": not for_applicant and any(row.get("text") for row in history),
    })
    files = [ArchiveFile("auskunft.html", html.encode(), "text/html", "report"),
             ArchiveFile("auskunft.json", _json(document), "application/json", "report"),
             *attachment_files, *part_files]
    details = {"reference": case.reference, "by": "applicant" if for_applicant else "staff",
               "files": len(files)}
    if for_applicant:
        details["via"] = applicant_via
    audit.record(actor, case.authority, "case.data_exported", case, details)
    return f"Auskunft-{case.reference}.zip", _zip(files)


# --- e-Akte ------------------------------------------------------------------------------------------------


def application_pdf(case: Case, shown: dict[str, Any], content: dict[str, Any]) -> bytes:
    """The application as the form showed it, for the file (complete: the Authority's copy is not shortened)."""
    pdf = FPDF(format="A4")
    pdf.set_title(_("Antrag %(reference)s") % {"reference": case.reference})
    pdf.set_lang("de")
    pdf.set_creator("Amtsweg")
    facts = [(label, _readable(value)) for label, value in _case_facts(case)]
    printed = [shown["title"], case.authority.name, *[v for _l, v in facts]]
    printed += [text for s in shown["sections"] for row in s["rows"] for text in (row["label"], row["value"])]
    unicode_font(pdf, printed)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 8, shown["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    if shown.get("version") is not None and not shown.get("generic"):
        pdf.multi_cell(width, 5, _("Formularversion %(version)s") % {"version": shown["version"]},
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in facts:
        pdf.multi_cell(width, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    extra = [(_("Vertrauensniveau der Anmeldung"), content.get("levelOfAssurance") or _("ohne Anmeldung"))]
    payment = presentation.payment(content)
    if payment:
        extra.append((_("Zahlung"), f"{payment['amount']} – {payment['status']} ({payment['reference']})"))
    for label, value in extra:
        pdf.multi_cell(width, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    write_sections(pdf, shown["sections"], width, empty="–")
    return bytes(pdf.output())


def archive(case: Case, *, actor: Any) -> tuple[str, bytes]:
    """The e-Akte archive of a decided or closed case: (file name, ZIP bytes); NotArchivable otherwise."""
    services.check_may_work(actor, case)
    if case.state not in ARCHIVABLE_STATES:
        raise NotArchivable
    with translation.override("de"):  # the file is German whatever the case worker's language
        content = _content(case)
        shown = presentation.application(case, content)
        files = [ArchiveFile("antrag.pdf", application_pdf(case, shown, content), "application/pdf", "application"),
                 ArchiveFile("antrag.json", _json(content), "application/json", "application-data",
                             {"form": {"slug": case.form_slug, "version": case.form_version}}),
                 *_attachments(case, content)]
        for part in case_parts.parts():
            if part.archive_files is not None:
                files += part.archive_files(case)
        history = _history(case, with_notes=True, with_staff=True)
        files.append(ArchiveFile("verlauf.json", _json(history), "application/json", "history"))
        events = [{**e, "at": e["at"]} for e in presentation.event_log(case)]
        files.append(ArchiveFile("ereignisse.json", _json(events), "application/json", "event-log"))
    now = timezone.now()
    manifest = {
        "format": FORMAT,
        "createdAt": now,
        "createdBy": getattr(actor, "get_username", lambda: "")() or "system",
        "case": {
            "id": str(case.pk), "reference": case.reference, "authority": case.authority.name,
            "authorityId": case.authority_id, "leikaKey": case.leika_key, "service": case.service_name,
            "form": {"slug": case.form_slug, "version": case.form_version},
            "receivedAt": case.received_at, "state": case.state, "decision": case.decision or None,
            "decidedAt": case.decided_at, "closedAt": case.closed_at, "submissionId": str(case.submission_id),
            "transportCaseId": str(case.transport_case_id),
            "retentionDays": retention.retention_days(case.authority_id, case.leika_key),
            "deletionDueOn": retention.deletion_due_on(case),
        },
        "files": [{"path": f.path, "kind": f.kind, "mediaType": f.media_type, "size": len(f.content),
                   "sha256": hashlib.sha256(f.content).hexdigest(), **({"meta": f.meta} if f.meta else {})}
                  for f in files],
    }
    files.append(ArchiveFile("manifest.json", _json(manifest), "application/json", "manifest"))
    audit.record(actor, case.authority, "case.archive_exported", case,
                 {"reference": case.reference, "files": len(files)})
    return f"E-Akte-{case.reference}.zip", _zip(files)
