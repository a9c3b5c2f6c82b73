"""Aufbewahrungsfrist: the daily job that deletes closed cases' content after their service's retention period.

A case closed (abgeschlossen) or forwarded (weitergeleitet: closed here) longer ago than the period of its
service (`ServiceDeadline.retention_days`, default `DEFAULT_RETENTION_DAYS`) loses everything that is about
the applicant: the sealed application (answers, payment, reply address), its attachments, the history with
the internal notes, the keyed hash of the applicant's name, and what later apps keep about it (the Postfach's
messages, their files, the Bescheide and the account's link to the application; `case_parts`). The case row
itself goes, and a `CaseDeletion` record stays: reference, service, Authority, final state, closed and
deleted dates, the period applied and how many items of each category were deleted — nothing personal.
Open or decided-but-not-closed cases are never touched.

Safe to re-run and to run twice at once: each batch locks its cases (`SKIP LOCKED` where the database has
it), re-checks them under the lock and deletes them together with writing the record and the audit entry
in one transaction; a case already deleted is simply not found again. Runs in batches of `BATCH_SIZE` so a
backlog (the first run after the period was shortened) never holds one long transaction.

How it runs: `amtsweg casework_retention` enqueues `casework.tasks.purge_expired_cases` on the task queue
(a `db_worker` runs it); `--now` runs it in the command's process. Production: once a day from cron or a
systemd timer (README, "Back office").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts import audit
from amtsweg.casework import case_parts
from amtsweg.casework.models import (
    DEFAULT_RETENTION_DAYS,
    Case,
    CaseAttachment,
    CaseDeletion,
    CaseEntry,
    ServiceDeadline,
)
from amtsweg.core.tenancy import require_actor

BATCH_SIZE = 200
ENDED_STATES = (Case.State.CLOSED, Case.State.FORWARDED)

# The category codes a deletion record counts, and how pages name them.
CATEGORIES = {
    "application": _("Antrag (Angaben, Zahlung, Kontaktadresse)"),
    "attachments": _("Anlagen des Antrags"),
    "name_hash": _("Suchschlüssel des Namens"),
    "history": _("Verlauf"),
    "notes": _("Interne Notizen"),
    "messages": _("Nachrichten und Rückfragen"),
    "message_attachments": _("Dateien zu Nachrichten"),
    "notices": _("Bescheide"),
    "postfach_links": _("Zuordnung zum Bürgerkonto"),
}


@dataclass
class PurgeResult:
    deleted: int = 0
    batches: int = 0
    references: list[str] = field(default_factory=list)


def retention_days(authority_id: int, leika_key: str) -> int:
    """The service's Aufbewahrungsfrist at this Authority, in days after closing."""
    days = (ServiceDeadline.objects.filter(authority_id=authority_id, leika_key=leika_key)
            .values_list("retention_days", flat=True).first())
    return DEFAULT_RETENTION_DAYS if days is None else days


def deletion_due_on(case: Case) -> Any:
    """The day the case's content will be deleted (None while it is not closed)."""
    if case.state not in ENDED_STATES or case.closed_at is None:
        return None
    return timezone.localdate(case.closed_at) + timedelta(days=retention_days(case.authority_id, case.leika_key))


def _periods() -> dict[tuple[int, str], int]:
    """Every period set per Authority and service: (authority id, LeiKa key) → days."""
    return {(a, k): d for a, k, d in ServiceDeadline.objects.values_list("authority_id", "leika_key",
                                                                         "retention_days")}


def _period(overrides: dict[tuple[int, str], int], case: Case) -> int:
    return overrides.get((case.authority_id, case.leika_key), DEFAULT_RETENTION_DAYS)


def expired_ids(now: datetime, *, limit: int, after: tuple | None = None) -> tuple[list, tuple | None]:
    """Up to `limit` ids of cases whose period has run out at `now`, oldest closing first, and the keyset
    position (closed_at, id) to continue from (None: no more candidates). Candidates are the cases ended before
    their service's period by SQL (the default, or the shorter ones set per Authority and service), read in
    windows along the index `casework_retention_v2_idx`; each is checked against its own period again (a longer
    one set for its service keeps it)."""
    overrides = _periods()
    # in SQL: ended before the default period, or before a shorter period of one of the Authority's services
    due = Q(closed_at__lt=now - timedelta(days=DEFAULT_RETENTION_DAYS))
    shorter: dict[tuple[int, int], list[str]] = {}
    for (authority_id, leika_key), days in overrides.items():
        if days < DEFAULT_RETENTION_DAYS:
            shorter.setdefault((days, authority_id), []).append(leika_key)
    for (days, authority_id), keys in shorter.items():
        due |= Q(closed_at__lt=now - timedelta(days=days), authority_id=authority_id, leika_key__in=keys)
    candidates = (Case.objects.filter(due, state__in=ENDED_STATES).order_by("closed_at", "id")
                  .values_list("closed_at", "id", "authority_id", "leika_key"))
    window_size = limit * 4
    ids, position = [], after
    while True:
        window = candidates
        if position is not None:
            window = window.filter(Q(closed_at__gt=position[0]) | Q(closed_at=position[0], id__gt=position[1]))
        rows = list(window[:window_size])
        for closed_at, pk, authority_id, leika_key in rows:
            position = (closed_at, pk)
            days = overrides.get((authority_id, leika_key), DEFAULT_RETENTION_DAYS)
            if closed_at < now - timedelta(days=days):
                ids.append(pk)
                if len(ids) == limit:
                    return ids, position
        if len(rows) < window_size:
            return ids, None


def purge_expired(*, actor: Any, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> PurgeResult:
    """Delete every case whose Aufbewahrungsfrist has run out (module docstring); returns what was done.
    `actor`: `core.actors.SYSTEM` for the daily job, or the person who started it by hand."""
    require_actor(actor)
    now = now or timezone.now()
    result = PurgeResult()
    position = None
    while True:
        ids, position = expired_ids(now, limit=batch_size, after=position)
        if ids:
            references = _purge_batch(ids, now=now, actor=actor)
            result.deleted += len(references)
            result.references += references
            result.batches += 1
        if position is None:
            return result


def _counts(model, case_ids: list, **filters) -> dict:
    return dict(model.objects.filter(case_id__in=case_ids, **filters).values("case_id")
                .annotate(n=Count("id")).values_list("case_id", "n"))


def _purge_batch(ids: list, *, now: datetime, actor: Any) -> list[str]:
    with transaction.atomic():
        locking = Case.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        cases = list(locking.filter(pk__in=ids, state__in=ENDED_STATES, closed_at__isnull=False)
                     .order_by("closed_at", "id"))
        # re-checked under the lock: a period lengthened meanwhile keeps the case
        overrides = _periods()
        cases = [c for c in cases if c.closed_at < now - timedelta(days=_period(overrides, c))]
        if not cases:
            return []
        case_ids = [c.pk for c in cases]
        attachments = _counts(CaseAttachment, case_ids)
        notes = _counts(CaseEntry, case_ids, kind=CaseEntry.Kind.NOTE)
        history = _counts(CaseEntry, case_ids)
        per_case: dict[Any, dict[str, int]] = {c.pk: {
            "application": 1, "attachments": attachments.get(c.pk, 0), "name_hash": int(bool(c.applicant_name_hash)),
            "history": history.get(c.pk, 0) - notes.get(c.pk, 0), "notes": notes.get(c.pk, 0),
        } for c in cases}
        for part in case_parts.parts():
            for case_id, counts in part.purge(cases).items():
                for code, n in counts.items():
                    per_case[case_id][code] = per_case[case_id].get(code, 0) + n
        records = [CaseDeletion(
            authority_id=c.authority_id, reference=c.reference, leika_key=c.leika_key, service_name=c.service_name,
            final_state=c.state, closed_on=timezone.localdate(c.closed_at),
            retention_days=_period(overrides, c), deleted_at=now,
            categories={code: n for code, n in per_case[c.pk].items() if n}) for c in cases]
        CaseDeletion.objects.bulk_create(records, ignore_conflicts=True)
        audit.record_many(actor, [
            (record.authority, "case.content_deleted", record,
             {"reference": record.reference, "closed_on": record.closed_on.isoformat(),
              "retention_days": record.retention_days, "categories": record.categories})
            for record in CaseDeletion.objects.filter(reference__in=[c.reference for c in cases], deleted_at=now,
                                                      authority_id__in={c.authority_id for c in cases}
                                                      ).select_related("authority")])
        CaseAttachment.objects.filter(case_id__in=case_ids).delete()
        CaseEntry.objects.filter(case_id__in=case_ids).delete()
        Case.objects.filter(pk__in=case_ids).delete()
    return [c.reference for c in cases]
