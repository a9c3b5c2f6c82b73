"""View models for the case page: the application as the citizen saw the form, attachments, payment, events.

The form is rendered with the labels, steps and version the citizen used: form definitions are versioned data
(`assistants.FormVersion`, immutable once published), so the case names slug and version and the page looks
the definition up; the assistant's own summary builder (`summary_sections`) lays it out.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.casework.models import Case
from amtsweg.casework.services import TRANSITIONS
from amtsweg.submissions import events, subscriber
from amtsweg.submissions.models import Event

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def today():
    return timezone.localdate()


def deadline_marker(case: Case, today_=None) -> str:
    """"overdue", "due" (within a week), "paused" (Rückfrage: the clock stands still) or ""."""
    from amtsweg.casework.inbox import DUE_SOON_DAYS

    today_ = today_ or today()
    if not case.deadline:
        return ""
    if case.state == Case.State.INQUIRY:
        return "paused"
    if case.state not in (Case.State.RECEIVED, Case.State.IN_PROGRESS):
        return ""
    if case.deadline < today_:
        return "overdue"
    return "due" if (case.deadline - today_).days <= DUE_SOON_DAYS else ""


def inbox_rows(cases: list[Case]) -> list[dict[str, Any]]:
    """The list's rows with every text prepared (one pass in Python instead of template lookups per cell).

    What is the same for every row is worked out once per page (profiled on a page of 50: the labels of
    state and decision through `get_FOO_display`, `reverse` and `date_format` per row were about 30 ms): the
    state and decision labels translated once, the case URL reversed once for a placeholder id, dates with
    fixed numeric formats (the same text as `date_format` with "d.m.Y H:i" and "d.m.Y")."""
    today_ = today()
    select = _("%(reference)s auswählen")
    states = {value: str(label) for value, label in Case.State.choices}
    decisions = {value: str(label) for value, label in Case.Decision.choices}
    placeholder = str(uuid.UUID(int=0))
    case_url = reverse("casework:case", args=[placeholder])
    rows = []
    for case in cases:
        assignee = case.assignee
        state = states.get(case.state, case.state)
        rows.append({
            "pk": case.pk, "reference": case.reference, "url": case_url.replace(placeholder, str(case.pk)),
            "select_label": select % {"reference": case.reference}, "service": case.service_name,
            "received": timezone.localtime(case.received_at).strftime("%d.%m.%Y %H:%M"),
            "state": state + (f" ({decisions.get(case.decision, case.decision)})" if case.decision else ""),
            "assignee": (assignee.get_full_name() or assignee.username) if assignee else "–",
            "team": case.team.name if case.team else "",
            "deadline": case.deadline.strftime("%d.%m.%Y") if case.deadline else "–",
            "marker": deadline_marker(case, today_),
        })
    return rows


def application(case: Case, content: dict[str, Any]) -> dict[str, Any]:
    """{"title", "version", "sections": [{title, rows: [{label, value}]}], "generic": bool}."""
    from amtsweg.assistants.engine.display import summary_sections
    from amtsweg.assistants.models import FormVersion

    data = content.get("data") or {}
    version = None
    if case.form_slug and case.form_version is not None:
        version = FormVersion.objects.filter(form__slug=case.form_slug, number=case.form_version).first()
    if version is not None:
        try:
            sections = summary_sections(version.spec, data, "de")
        except (KeyError, TypeError, ValueError):
            sections = None
        if sections is not None:
            return {"title": version.spec.title("de"), "version": version.number, "sections": sections,
                    "generic": False}
    # An API sender's application (no platform form): the answers as they came, keys as labels; XML data
    # (FIT-Connect allows application/xml) as one row per element with text, its path as the label.
    rows = [{"label": key, "value": _plain(value)} for key, value in data.items()]
    if content.get("dataXml"):
        rows += xml_rows(content["dataXml"])
    return {"title": case.service_name, "version": case.form_version, "generic": True,
            "sections": [{"title": _("Angaben"), "rows": rows}]}


def xml_rows(xml: str) -> list[dict[str, str]]:
    """Rows (label: the element's path of local names, value: its text) of every element with text."""
    from lxml import etree

    from amtsweg.core import safexml

    try:
        root = safexml.fromstring(xml.encode("utf-8"))
    except (safexml.XmlRefused, etree.XMLSyntaxError, ValueError):
        return [{"label": "XML", "value": xml}]
    rows = []
    for element in root.iter(etree.Element):
        text = (element.text or "").strip()
        if text:
            path = [etree.QName(e).localname for e in (*reversed(list(element.iterancestors())), element)]
            rows.append({"label": "/".join(path), "value": text})
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if value is None or value == "":
        return "–"
    return str(value)


def attachments(case: Case, content: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in content.get("attachments") or []:
        url = reverse("casework:attachment", args=[case.pk, entry["attachmentId"]])
        media_type = str(entry.get("mimeType") or "").lower()
        rows.append({**entry, "view_url": url if media_type in INLINE_TYPES else "",
                     "download_url": f"{url}?herunterladen=1", "kb": max(1, int(entry.get("size") or 0) // 1024)})
    return rows


PAYMENT_STATUS = {"BOOKED": gettext_lazy("bezahlt"), "INITIAL": gettext_lazy("offen"),
                  "FAILED": gettext_lazy("fehlgeschlagen"), "CANCELED": gettext_lazy("abgebrochen")}


def payment(content: dict[str, Any]) -> dict[str, Any] | None:
    info = content.get("payment")
    if not info:
        return None
    amount = info.get("grossAmount")
    return {"reference": info.get("transactionReference", ""), "method": info.get("paymentMethod", ""),
            "status": str(PAYMENT_STATUS.get(info.get("status"), info.get("status", ""))),
            "amount": f"{amount:.2f} €".replace(".", ",") if isinstance(amount, int | float) else ""}


EVENT_LABELS = {
    events.CREATE: gettext_lazy("Einreichung angelegt"),
    events.SUBMIT: gettext_lazy("Antrag abgesendet"),
    events.NOTIFY: gettext_lazy("Behörde benachrichtigt"),
    events.FORWARD: gettext_lazy("an das Empfangssystem übergeben"),
    events.ACCEPT: gettext_lazy("angenommen (Eingangsbestätigung)"),
    events.REJECT: gettext_lazy("zurückgewiesen"),
    events.DELETE: gettext_lazy("verschlüsselte Übermittlung gelöscht"),
}


def event_log(case: Case) -> list[dict[str, Any]]:
    """The transport's event log of the case, through the subscriber service (as a Fachverfahren reads it)."""
    me = subscriber.Subscriber.for_destination(case.destination_id)
    try:
        log = subscriber.event_log(me, case.transport_case_id)
    except subscriber.NotFound:
        return []
    # The destination's events are the back office's own (it is this destination's receiving system), so they
    # are named after it, not after an external "Fachverfahren".
    return [{"at": e.created_at, "label": str(EVENT_LABELS.get(e.event_type, e.event_type.rsplit("/", 1)[-1])),
             "issuer": _("Amtsweg-Sachbearbeitung") if e.issuer == Event.Issuer.DESTINATION
             else e.get_issuer_display()} for e in log]


def next_states(case: Case) -> list[dict[str, str]]:
    labels = {
        Case.State.IN_PROGRESS: _("Bearbeitung beginnen") if case.state == Case.State.RECEIVED
        else _("Bearbeitung fortsetzen"),
        Case.State.INQUIRY: _("Rückfrage stellen (Frist ruht)"),
        Case.State.DECIDED: _("Entscheiden"),
        Case.State.CLOSED: _("Abschließen"),
    }
    allowed = TRANSITIONS.get(case.state, set())
    return [{"value": state, "label": str(label)} for state, label in labels.items() if state in allowed]
