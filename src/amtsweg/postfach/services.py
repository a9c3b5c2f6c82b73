"""The citizen's applications: linking a submission to the account that made it, and listing them.

The acting citizen is always named by the owner key of the logged-in identity (see `models.Application`);
nothing here takes a name, an e-mail address or a user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from amtsweg.postfach.models import Application
from amtsweg.postfach.status_parts import with_case_state, with_forwarding
from amtsweg.submissions import status, status_page
from amtsweg.submissions.models import Submission
from amtsweg.submissions.views import form_title


def link_application(reference: str, owner_key: str) -> Application | None:
    """The assistant's AMTSWEG_APPLICATION_OWNER hook: put the just submitted application (by its public
    reference) into the Postfach of the account with `owner_key`. Runs in the hand-over's transaction, so
    the link exists exactly when the application does. Idempotent; an empty key (anonymous) links nothing."""
    if not owner_key:
        return None
    submission = Submission.objects.filter(public_reference=reference).only("pk").first()
    if submission is None:
        return None
    with transaction.atomic():
        application, _created = Application.objects.get_or_create(submission=submission,
                                                                  defaults={"owner_key": owner_key})
    return application


@dataclass(frozen=True)
class ApplicationRow:
    """One line of "Meine Anträge"."""

    reference: str
    title: str
    authority: str
    submitted_at: datetime | None
    state: str
    url: str  # the signed status page: the application's own page in the Postfach


def applications_of(owner_key: str) -> list[ApplicationRow]:
    """The applications of the citizen account with `owner_key`, newest first (an empty key has none)."""
    if not owner_key:
        return []
    # One query for the list: the case's state comes along for the headline (it was one query per row), and
    # where the forwarded ones went is two queries for all of them (it was two per forwarded row).
    submissions = with_forwarding(list(with_case_state(
        Submission.objects.filter(postfach_application__owner_key=owner_key)
        .select_related("destination__authority").order_by("-submitted_at", "-created_at"))))
    titles: dict[tuple[str, int | None], str] = {}  # one form's title is looked up (and its spec parsed) once

    def title(s: Submission) -> str:
        key = (s.form_slug, s.form_version)
        if key not in titles:
            titles[key] = form_title(s) or s.service_name
        return titles[key]

    return [ApplicationRow(
        reference=s.public_reference, title=title(s),
        authority=status_page.office(s).name, submitted_at=s.submitted_at,
        state=status_page.headline(None, s), url=status.status_path(s.public_reference),
    ) for s in submissions]
