"""The inbox query: filters, exact search, sorting, keyset pagination and counts per state, as plain functions.

Keyset pagination ("seek"): a page is the next `PAGE_SIZE` rows after the last row of the previous one,
found through the index on (authority, sort key, id), so page 400 costs what page 1 costs (OFFSET would read
and skip every earlier row). The cursor is the last row's sort value and id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from amtsweg.casework import vault
from amtsweg.casework.models import Case

PAGE_SIZE = 50
DUE_SOON_DAYS = 7
SORTS = {
    # name: (field, descending)
    "neueste": ("received_at", True),
    "aelteste": ("received_at", False),
    "frist": ("deadline", False),
}
OPEN = [Case.State.RECEIVED, Case.State.IN_PROGRESS, Case.State.INQUIRY]
SERVICES_CACHE_SECONDS = 60


# What a row of the list needs (the sealed content stays in the database).
LIST_FIELDS = ("id", "reference", "service_name", "received_at", "state", "decision", "deadline",
               "assignee__id", "assignee__username", "assignee__first_name", "assignee__last_name",
               "team__id", "team__name")


class BadCursor(ValueError):
    pass


@dataclass
class Filters:
    service: str = ""
    state: str = ""  # a Case.State, "offen", or ""
    assignee: str = ""  # "", "mir", "niemand" or a user id
    team: str = ""  # "", "ohne" (no team) or a team id
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    deadline: str = ""  # "", "ueberfaellig", "bald"
    search: str = ""
    sort: str = "neueste"
    cursor: str = ""


@dataclass
class InboxPage:
    cases: list[Case]
    next_cursor: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0


def filtered(user, filters: Filters, *, with_state: bool = True, base: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The user's workable cases narrowed by everything but the cursor (and the state, for the counts).
    `base`: `Case.objects.workable_by(user)` if the caller has it already (one team lookup per request)."""
    qs = Case.objects.workable_by(user) if base is None else base
    today = timezone.localdate()
    if filters.service:
        qs = qs.filter(leika_key=filters.service)
    if with_state and filters.state == "offen":
        qs = qs.filter(state__in=OPEN)
    elif with_state and filters.state:
        qs = qs.filter(state=filters.state)
    if filters.assignee == "mir":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "niemand":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.team == "ohne":
        qs = qs.filter(team__isnull=True)
    elif filters.team:
        qs = qs.filter(team_id=int(filters.team))
    if filters.received_from:
        qs = qs.filter(received_at__gte=_start_of(filters.received_from))
    if filters.received_to:
        qs = qs.filter(received_at__lt=_start_of(filters.received_to + dt.timedelta(days=1)))
    if filters.deadline == "ueberfaellig":
        qs = qs.filter(state__in=[Case.State.RECEIVED, Case.State.IN_PROGRESS], deadline__lt=today)
    elif filters.deadline == "bald":
        qs = qs.filter(state__in=[Case.State.RECEIVED, Case.State.IN_PROGRESS], deadline__gte=today,
                       deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    if filters.search:
        qs = qs.filter(_search(user, filters.search))
    return qs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _search(user, text: str) -> Q:
    """Exact search: the reference (as printed, any case) or the applicant's name (keyed hash per Authority)."""
    condition = Q(reference=text.strip().upper())
    authority_id = getattr(user, "authority_id", None)
    if authority_id:
        digest = vault.name_hash(authority_id, text)
        if digest:
            condition |= Q(authority_id=authority_id, applicant_name_hash=digest)
    return condition


def services_offered(user, workable: QuerySet[Case], *, team_ids: list[int] | None = None,
                     wanted: str = "") -> list[tuple[str, str]]:
    """(LeiKa key, name) of the services among the person's cases: the choices of the service filter.

    Finding them reads every index entry of the Authority's cases (an index-only scan, but of all of them:
    20,000 entries, 3 to 20 ms on PostgreSQL in benchmarks/backoffice.py, on every page of the inbox), and the
    answer changes only when a case of a new service arrives. So it is kept per person and team scope for
    `SERVICES_CACHE_SECONDS`; a service asked for (`wanted`) that the kept list lacks is looked up afresh, so a
    link to a new service's cases filters at once, and only the choice list may name it up to a minute late.
    `team_ids`: the person's teams (None: sees every team), as passed to `workable_by`."""
    scope = "all" if team_ids is None else ",".join(str(pk) for pk in sorted(team_ids))
    key = f"casework:services:{user.pk}:{getattr(user, 'authority_id', None)}:{scope}"
    found = cache.get(key)
    if found is None or (wanted and wanted not in {leika for leika, _name in found}):
        found = list(workable.order_by("leika_key").values_list("leika_key", "service_name").distinct())
        cache.set(key, found, SERVICES_CACHE_SECONDS)
    return found


def counts_per_state(user, filters: Filters, base: QuerySet[Case] | None = None) -> dict[str, int]:
    """Cases per state under the other filters, in one GROUP BY. `COUNT(*)`, not `COUNT(id)`: every column
    the filters use is in `casework_counts_idx`, so PostgreSQL answers from the index alone (an index-only
    scan of the Authority's entries) instead of reading one heap page per case; the id is not in it."""
    rows = filtered(user, filters, with_state=False, base=base).order_by().values_list("state").annotate(
        n=Count("*"))
    return dict(rows)


def page(user, filters: Filters, base: QuerySet[Case] | None = None) -> InboxPage:
    """One page of the inbox and the cursor of the next (BadCursor for a cursor that is not one)."""
    field_name, descending = SORTS.get(filters.sort, SORTS["neueste"])
    base = Case.objects.workable_by(user) if base is None else base
    qs = filtered(user, filters, base=base)
    if field_name == "deadline":
        qs = qs.filter(deadline__isnull=False)
    if filters.cursor:
        value, last_id = parse_cursor(filters.cursor, field_name)
        # (field, id) after (value, last_id), written so that the index can seek to it: the plain range
        # `field <= value` (or >=) bounds the index scan; the OR only sorts out the rows equal to `value`.
        # The OR alone would make PostgreSQL walk the index from the first page on every next page.
        before, strictly = ("lte", "lt") if descending else ("gte", "gt")
        qs = qs.filter(Q(**{f"{field_name}__{before}": value}),
                       Q(**{f"{field_name}__{strictly}": value}) | Q(**{f"id__{strictly}": last_id}))
    order = [f"-{field_name}", "-id"] if descending else [field_name, "id"]
    rows = list(qs.select_related("assignee", "team").only(*LIST_FIELDS).order_by(*order)[:PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = make_cursor(rows[-1], field_name) if more and rows else ""
    counts = counts_per_state(user, filters, base)
    return InboxPage(rows, next_cursor, counts, sum(counts.values()))


def make_cursor(case: Case, field_name: str) -> str:
    value = getattr(case, field_name)
    return f"{value.isoformat()}_{case.pk}"


def parse_cursor(cursor: str, field_name: str) -> tuple[Any, uuid.UUID]:
    value, _, last_id = cursor.rpartition("_")
    try:
        parsed: Any = (dt.datetime.fromisoformat(value) if field_name == "received_at"
                       else dt.date.fromisoformat(value))
        return parsed, uuid.UUID(last_id)
    except ValueError as exc:
        raise BadCursor(cursor) from exc
