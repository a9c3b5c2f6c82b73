"""Pages of the submissions app: the applicant's status page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amtsweg.assistants.models import FormVersion
from amtsweg.submissions import events, status
from amtsweg.submissions import status_page as page_parts
from amtsweg.submissions.models import Submission

EVENT_LABELS = {
    events.CREATE: _("Antrag angelegt"),
    events.SUBMIT: _("Antrag verschlüsselt eingereicht"),
    events.NOTIFY: _("Zuständige Stelle benachrichtigt"),
    events.FORWARD: _("Antrag an die zuständige Stelle übergeben"),
    events.ACCEPT: _("Antrag liegt der zuständigen Stelle vollständig vor"),  # not "angenommen": reads like granted
    events.REJECT: _("Antrag von der zuständigen Stelle zurückgewiesen"),
    events.DELETE: _("Antragsdaten gelöscht"),
}


def form_title(submission: Submission) -> str:
    """The title of the platform form the citizen filled in (in the page language), or "" for submissions
    from API senders; the catalogue's service name ("Melderegisterauskunft - …") means little to them."""
    if not submission.form_slug:
        return ""
    version = (FormVersion.objects.select_related("form")
               .filter(form__slug=submission.form_slug, number=submission.form_version).first())
    if version is None:
        return ""
    try:
        return version.spec.title((get_language() or "de")[:2]) or version.form.title
    except (KeyError, TypeError):
        return version.form.title


def status_page(request, reference: str, sig: str):
    """The applicant's view of the event log; only with the signed link (the reference alone is not enough)."""
    if not status.is_valid(reference, sig):
        raise Http404
    submission = (
        Submission.objects.filter(public_reference=reference).select_related("destination__authority").first()
    )
    if submission is None:
        raise Http404
    rows = []
    for event in events.signed_log(submission.events.all()):
        payload = event.claims.get("events", {}).get(event.event_type, {})
        problems = [p.get("title") or p.get("detail") or p.get("type", "").rsplit("/", 1)[-1]
                    for p in payload.get("problems", []) if isinstance(p, dict)]
        rows.append({
            "event": event,
            "label": EVENT_LABELS.get(event.event_type, event.event_type),
            "problems": problems,
            "verified": events.verification_state(event),
        })
    return render(request, "submissions/status.html", {
        "submission": submission, "rows": rows, "form_title": form_title(submission),
        "headline": page_parts.headline(request, submission),
        "status_label": page_parts.status_label(submission),
        "office": page_parts.office(submission),
        "sections": page_parts.sections(request, submission, sig),
    })


def status_help(request, reference: str):
    """The reference alone opens nothing (it is printed and read out); explain where the signed link is.
    Says nothing about whether the reference exists."""
    return render(request, "submissions/status_help.html", {"reference": reference[:20]})

