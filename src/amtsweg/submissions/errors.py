"""Errors of the submission services, each with an HTTP status and an RFC 7807 problem shape.

The assistant shows `NoResponsibleDestination` to the citizen (its message is German and specific). Code
that must not import this module (the assistant, an earlier stage) can duck-type: an exception from the
intake with a `user_message` attribute carries text meant for citizens. The Submission API renders every
`SubmissionError` as `application/problem+json`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROBLEM_BASE = "https://schema.fitko.de/fit-connect/submission-api/problems/"


class SubmissionError(Exception):
    status = 400
    problem = "bad-request"
    title = "Bad Request"

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.title)
        self.detail = str(detail or self.title)

    def as_problem(self) -> dict:
        return {"type": PROBLEM_BASE + self.problem, "title": self.title, "status": self.status, "detail": self.detail}


class NoResponsibleDestination(SubmissionError):
    """No destination is responsible for this service at the applicant's place (or it cannot receive)."""

    status = 422
    problem = "no-responsible-destination"
    title = "No responsible destination"

    def __init__(self, leika_key: str, ars: str, detail: str = ""):
        self.leika_key, self.ars = leika_key, ars
        super().__init__(
            detail
            or str(
                _(
                    "Für diese Leistung ist an Ihrem Wohnort derzeit keine Stelle erreichbar, die Anträge "
                    "elektronisch entgegennimmt. Ihre Angaben wurden nicht gesendet. Bitte wenden Sie sich "
                    "direkt an Ihre Gemeindeverwaltung."
                )
            )
        )
        self.user_message = self.detail  # safe to show to citizens


class NotFound(SubmissionError):
    status = 404
    problem = "not-found"
    title = "Not Found"


class Forbidden(SubmissionError):
    status = 403
    problem = "forbidden"
    title = "Forbidden"


class Conflict(SubmissionError):
    status = 409
    problem = "conflict"
    title = "Conflict"


class Unprocessable(SubmissionError):
    status = 422
    problem = "unprocessable-entity"
    title = "Unprocessable Entity"


class UnsupportedMediaType(SubmissionError):
    status = 415
    problem = "unsupported-media-type"
    title = "Unsupported Media Type"


class TooLarge(SubmissionError):
    status = 413
    problem = "request-entity-too-large"
    title = "Request Entity Too Large"
