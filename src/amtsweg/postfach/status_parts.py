"""What the Postfach adds to the applicant's status page (`submissions.status_page`): where the back office
stands with the application in plain German, and the section with messages, the open Rückfrage and notices.
Only for applications worked in Amtsweg-Sachbearbeitung (a `casework.Case` exists); otherwise nothing."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from amtsweg.casework.models import Case
from amtsweg.postfach import messages, notices
from amtsweg.submissions.models import Submission
from amtsweg.submissions.status_page import article_kind


def _at(kind_texts: dict[str, str], fallback: str, name: str) -> str:
    return kind_texts.get(article_kind(name), fallback) % {"authority": name}


# A list of submissions (Meine Anträge) brings each one's case state along (`with_case_state`), so the
# headline of every row costs no query of its own.
CASE_STATE = "postfach_case_state"


def with_case_state(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """The submissions, each annotated with its back-office case's state (None: not worked here)."""
    return submissions.annotate(**{CASE_STATE: Subquery(
        Case.objects.filter(submission_id=OuterRef("pk")).values("state")[:1])})


def headline(request: HttpRequest | None, submission: Submission) -> str | None:
    if hasattr(submission, CASE_STATE):
        state = getattr(submission, CASE_STATE)
    else:
        state = Case.objects.filter(submission_id=submission.pk).values_list("state", flat=True).first()
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
        return _("Über Ihren Antrag ist entschieden. Den Bescheid finden Sie unten.")
    if state == Case.State.FORWARDED:
        return _("Ihr Antrag wurde an die Stelle weitergeleitet, die für ihn zuständig ist.")
    return None


def section(request: HttpRequest, submission: Submission, signature: str) -> str | None:
    applicant = messages.Applicant(submission.pk, "link")
    if messages.case_of(applicant) is None:
        return None
    return render_to_string("postfach/_status_section.html", {
        "submission": submission, "sig": signature, "shown": messages.messages_for_applicant(applicant),
        "inquiry": messages.open_inquiry(applicant),
        "notices": [{"notice": n, "verified": notices.verify(n, notices.document_of(n))}
                    for n in notices.notices_for_applicant(applicant)],
    }, request=request)
