"""What the Postfach adds to the applicant's status page (`submissions.status_page`): where the back office
stands with the application in plain German, and the section with messages, the open Rückfrage and notices.
Only for applications worked in Amtsweg-Sachbearbeitung (a `casework.Case` exists); otherwise nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from amtsweg.casework.models import Case, CaseEntry
from amtsweg.postfach import messages, notices
from amtsweg.postfach.models import Notice
from amtsweg.submissions import status
from amtsweg.submissions.models import Submission
from amtsweg.submissions.status_page import article_kind


def _at(kind_texts: dict[str, str], fallback: str, name: str) -> str:
    return kind_texts.get(article_kind(name), fallback) % {"authority": name}


# A list of submissions (Meine Anträge) brings each one's case state along (`with_case_state`), so the
# headline of every row costs no query of its own.
CASE_STATE = "postfach_case_state"


HAS_NOTICE = "postfach_has_notice"


def with_case_state(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The submissions, each annotated with its back-office case's state (None: not worked here) and whether a
    Bescheid is in its Postfach."""
    return submissions.annotate(**{
        CASE_STATE: Subquery(Case.objects.filter(submission_id=OuterRef("pk")).values("state")[:1]),
        HAS_NOTICE: Exists(Notice.objects.filter(case__submission_id=OuterRef("pk")))})


def _has_notice(submission: Submission) -> bool:
    if hasattr(submission, HAS_NOTICE):
        return bool(getattr(submission, HAS_NOTICE))
    return Notice.objects.filter(case__submission_id=submission.pk).exists()


def _state(submission: Submission) -> str | None:
    if hasattr(submission, CASE_STATE):
        return getattr(submission, CASE_STATE)
    return Case.objects.filter(submission_id=submission.pk).values_list("state", flat=True).first()


# A list of submissions (Meine Anträge) looks up where its forwarded ones went for all rows at once
# (`with_forwarding`), so a forwarded row costs no queries of its own (it was two).
FORWARDED_TO = "postfach_forwarded_to"


def with_forwarding(submissions: list[Submission]) -> list[Submission]:
    """The submissions (read with `with_case_state`), each forwarded one given where it went: its forwarding
    entry and the new submission with its authority, two queries for the whole list."""
    forwarded = [s for s in submissions if getattr(s, CASE_STATE, None) == Case.State.FORWARDED]
    references: dict = {}
    for submission_id, details in (CaseEntry.objects.filter(case__submission_id__in=[s.pk for s in forwarded],
                                                            kind=CaseEntry.Kind.FORWARDED)
                                   .order_by("at").values_list("case__submission_id", "details")):
        references[submission_id] = (details or {}).get("reference")  # the latest forwarding wins
    new = {n.public_reference: n for n in Submission.objects.filter(
        public_reference__in=[r for r in references.values() if r]).select_related("destination__authority")}
    for submission in forwarded:
        setattr(submission, FORWARDED_TO, _target(new.get(references.get(submission.pk) or "")))
    return submissions


def _target(new: Submission | None) -> dict[str, Any] | None:
    if new is None:
        return None
    return {"authority": new.destination.authority.name, "reference": new.public_reference,
            "url": status.status_path(new.public_reference), "office": new.destination.authority}


def forwarded_to(submission: Submission) -> dict[str, Any] | None:
    """Where a forwarded application went: the responsible authority's name, the new reference and the new
    status page (signed), from the case's forwarding entry; None if it was not forwarded. The applicant's
    truth is there now; this page only points at it."""
    if hasattr(submission, FORWARDED_TO):
        return getattr(submission, FORWARDED_TO)
    entry = (CaseEntry.objects.filter(case__submission_id=submission.pk, kind=CaseEntry.Kind.FORWARDED)
             .order_by("-at").values_list("details", flat=True).first())
    reference = (entry or {}).get("reference")
    if not reference:
        return None
    return _target(Submission.objects.filter(public_reference=reference).select_related("destination__authority")
                   .first())


def office(submission: Submission) -> Any:
    """A forwarded application's responsible office is the authority it was forwarded to."""
    if _state(submission) != Case.State.FORWARDED:
        return None
    target = forwarded_to(submission)
    return target["office"] if target else None


def status_label(submission: Submission) -> str | None:
    """The badge beside the headline tells what the headline tells: a forwarded application is "weitergeleitet"
    here, whatever the transport says (the back office accepted it before forwarding, so the transport's status
    is "angenommen"); one with an open Rückfrage, decided or closed says so too (the badge said the transport's
    "in Bearbeitung" beside "Über Ihren Antrag ist entschieden"). Received and in progress keep the transport's
    label, which says the same."""
    labels = {Case.State.FORWARDED: _("weitergeleitet"), Case.State.INQUIRY: _("Rückfrage"),
              Case.State.DECIDED: _("entschieden"), Case.State.CLOSED: _("abgeschlossen")}
    return labels.get(_state(submission))


def headline(request: HttpRequest | None, submission: Submission) -> str | None:
    state = _state(submission)
    if state is None:
        return None
    name = submission.destination.authority.name
    if state == Case.State.INQUIRY:
        return _("Es gibt eine Rückfrage zu Ihrem Antrag. Bitte antworten Sie hier im Postfach; bis dahin ruht "
                 "die Bearbeitung.")
    if state == Case.State.IN_PROGRESS:
        return _at({"f": _("Ihr Antrag wird bei der %(authority)s bearbeitet."),
                    "m": _("Ihr Antrag wird beim %(authority)s bearbeitet.")},
                   _("Ihr Antrag wird bei der zuständigen Stelle (%(authority)s) bearbeitet."), name)
    if state in (Case.State.DECIDED, Case.State.CLOSED):
        if not _has_notice(submission):  # decided without a Bescheid here (e.g. sent by post): promise none
            return _("Über Ihren Antrag ist entschieden.")
        return _("Über Ihren Antrag ist entschieden. Den Bescheid finden Sie unten.")
    if state == Case.State.FORWARDED:
        target = forwarded_to(submission)
        if target is None:
            return _("Ihr Antrag wurde an die Stelle weitergeleitet, die für ihn zuständig ist.")
        return _("Ihr Antrag wurde an %(authority)s weitergeleitet, weil diese Stelle für ihn zuständig ist. Dort "
                 "hat er die neue Vorgangsnummer %(reference)s.") % target
    return None


def section(request: HttpRequest, submission: Submission, signature: str) -> str | None:
    applicant = messages.Applicant(submission.pk, "link")
    if messages.case_of(applicant) is None:
        return None
    shown = messages.messages_for_applicant(applicant)
    inquiry = messages.open_inquiry(applicant)
    return render_to_string("postfach/_status_section.html", {
        "submission": submission, "sig": signature, "shown": shown, "inquiry": inquiry,
        # the day the case worker asked to be answered by, read from the opened messages (sealed)
        "answer_by": next((m.answer_by for m in shown if inquiry is not None and m.message.pk == inquiry.pk), None),
        "forwarded": forwarded_to(submission) if _state(submission) == Case.State.FORWARDED else None,
        "notices": [{"notice": n, "verified": notices.verify(n, notices.document_of(n))}
                    for n in notices.notices_for_applicant(applicant)],
    }, request=request)
