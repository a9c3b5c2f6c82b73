"""The problem types of the Submission API (FIT-Connect's URIs), raised by the submission services.

Each is a `core.problems.Problem`: status, the FIT-Connect type slug and the English title are fixed, the
German detail names the occurrence; `core.problems` renders them as `application/problem+json`.

The assistant shows `NoResponsibleDestination` to the citizen (its message is German and specific). Code
that must not import this module (the assistant, an earlier stage) can duck-type: an exception from the
intake with a `user_message` attribute carries text meant for citizens.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtsweg.core.problems import Problem

PROBLEM_BASE = "https://schema.fitko.de/fit-connect/submission-api/problems/"


class SubmissionError(Problem):
    type_base = PROBLEM_BASE
    status = 400
    slug = "bad-request"
    title = "Bad Request"


class NoResponsibleDestination(SubmissionError):
    """No destination is responsible for this service at the applicant's place (or it cannot receive)."""

    status = 422
    slug = "no-responsible-destination"
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
    slug = "not-found"
    title = "Not Found"


class Forbidden(SubmissionError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class Conflict(SubmissionError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class Unprocessable(SubmissionError):
    status = 422
    slug = "unprocessable-entity"
    title = "Unprocessable Entity"


class UnsupportedMediaType(SubmissionError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"


class TooLarge(SubmissionError):
    status = 413
    slug = "request-entity-too-large"
    title = "Request Entity Too Large"


class EventMalformed(SubmissionError):
    """A Security Event Token that is not one (`events.EventRejected` of kind "malformed")."""

    slug = "event-malformed"


class EventInvalid(SubmissionError):
    status = 422
    slug = "event-invalid"
    title = "Unprocessable Entity"


class EventConflict(SubmissionError):
    status = 409
    slug = "event-conflict"
    title = "Conflict"


EVENT_PROBLEMS: dict[str, type[SubmissionError]] = {
    "malformed": EventMalformed, "invalid": EventInvalid, "conflict": EventConflict,
}
