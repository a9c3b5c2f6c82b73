"""Signed, unguessable links to the applicant's status page: `/status/<reference>/<signature>/`.

The reference alone (printed on receipts, read out on the phone) does not open the page; the signature
(HMAC with the SECRET_KEY, salted for this purpose) does. The link is mailed to the applicant and shown
on the assistant's receipt page and PDF through `status_link()` (the assistant's AMTSWEG_STATUS_LINK hook).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from amtsweg.submissions.models import Submission

SALT = "amtsweg.submissions.status"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def signature(reference: str) -> str:
    return _signer().signature(reference)


def is_valid(reference: str, sig: str) -> bool:
    return constant_time_compare(signature(reference), sig or "")


def status_path(reference: str) -> str:
    return reverse("submissions:status", args=[reference, signature(reference)])


def absolute_status_url(reference: str) -> str:
    return settings.PUBLIC_BASE_URL + status_path(reference)


def status_link(reference: str) -> str | None:
    """The assistant's AMTSWEG_STATUS_LINK hook: the signed status path for a submission that exists
    (the assistant makes it absolute for the page and the PDF receipt), else None."""
    if not Submission.objects.filter(public_reference=reference).exists():
        return None
    return status_path(reference)
