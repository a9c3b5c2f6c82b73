"""Who may open an application's Postfach pages: the holder of the signed status link, which the logged-in
owner's list hands out too. Everything else answers 404 (the reference alone opens nothing)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from amtsweg.assistants import integrations
from amtsweg.postfach.messages import Applicant
from amtsweg.postfach.models import Application
from amtsweg.submissions import status
from amtsweg.submissions.models import Submission


def applicant_for(request: HttpRequest, reference: str, sig: str) -> tuple[Submission, Applicant]:
    if not status.is_valid(reference, sig):
        raise Http404
    submission = (Submission.objects.filter(public_reference=reference)
                  .select_related("destination__authority").first())
    if submission is None:
        raise Http404
    owner = integrations.owner_key(integrations.citizen_identity(request))
    own = bool(owner) and Application.objects.filter(submission=submission, owner_key=owner).exists()
    return submission, Applicant(submission.pk, "account" if own else "link")
