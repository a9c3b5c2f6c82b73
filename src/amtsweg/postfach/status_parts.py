"""What the Postfach adds to the applicant's status page (`submissions.status_page`): a sentence about
questions and notices waiting, and the messages section. Filled in as the Postfach learns messages."""

from __future__ import annotations

from django.http import HttpRequest

from amtsweg.submissions.models import Submission


def headline(request: HttpRequest, submission: Submission) -> str | None:
    return None


def section(request: HttpRequest, submission: Submission, signature: str) -> str | None:
    return None
