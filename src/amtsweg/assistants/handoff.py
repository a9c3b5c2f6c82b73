"""The one function through which a completed application leaves the assistant.

The assistant (this app) knows nothing of encryption or delivery. It builds a `FormSubmissionPayload`
and calls `hand_over()`, which passes it to the intake named by settings.AMTSWEG_SUBMISSION_INTAKE
(a dotted path to a callable taking the payload and returning the public submission reference).
That keeps imports one-way: the submissions app plugs itself in, the assistant never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    description: str = ""


@dataclass(frozen=True)
class FormSubmissionPayload:
    leika_key: str  # 14-digit LeiKa key of the service applied for
    form_slug: str
    form_version: int
    data: dict[str, Any]  # validated answers, JSON-serialisable
    applicant_ars: str  # 12-digit ARS of the applicant's place (decides the responsible authority)
    attachments: list[Attachment] = field(default_factory=list)
    xml: bytes | None = None  # XML rendering of `data` where the service has one (e.g. an XÖV message)
    auth_level: str | None = None  # level of assurance reached at login: "niedrig", "substantiell", "hoch"
    auth_provider: str | None = None
    payment: dict[str, Any] | None = None  # {"reference", "status", "amount_cents", "provider"}
    applicant_email: str | None = None  # reply channel and status notifications; never sent to logs
    language: str = "de"
    mail_status_link: bool = True  # False: over the mail rate limit (core.ratelimit), send no status mail


def hand_over(payload: FormSubmissionPayload) -> str:
    """Give the application to the configured intake; returns the public submission reference."""
    intake = import_string(settings.AMTSWEG_SUBMISSION_INTAKE)
    return intake(payload)
