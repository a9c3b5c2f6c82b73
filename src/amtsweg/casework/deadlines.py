"""Fristen: which open cases are overdue or due soon, per team and per assignee — plain functions.

A case counts against its deadline only while the Authority works on it (eingegangen, in Bearbeitung). In a
Rückfrage the clock stands still (`Case.paused_since`; leaving the Rückfrage moves the deadline by the days
it waited, `services.transition`), so such a case is never overdue: it is listed as "Frist ruht".

One grouped query gives the counts for every (team, assignee) pair of the person's workable cases; the lists
read at most `LIST_LIMIT` cases each through the deadline index, oldest deadline first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.casework.inbox import DUE_SOON_DAYS, LIST_FIELDS
from amtsweg.casework.models import Case

WORKING = [Case.State.RECEIVED, Case.State.IN_PROGRESS]
LIST_LIMIT = 100


@dataclass
class Tally:
    """Counts of one team or one assignee."""

    key: str  # the filter value: a team or user id, or "niemand" / "ohne" for none
    label: str
    overdue: int = 0
    due: int = 0
    paused: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due + self.paused


@dataclass
class Overview:
    today: dt.date
    due_until: dt.date
    teams: list[Tally] = field(default_factory=list)
    assignees: list[Tally] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)
    due: list[Case] = field(default_factory=list)
    paused: list[Case] = field(default_factory=list)
    totals: Tally | None = None


def _conditions(today: dt.date) -> dict[str, Q]:
    working = Q(state__in=WORKING, deadline__isnull=False)
    return {
        "overdue": working & Q(deadline__lt=today),
        "due": working & Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS)),
        "paused": Q(state=Case.State.INQUIRY),
    }


def narrowed(cases: QuerySet[Case], *, team: str = "", assignee: str = "") -> QuerySet[Case]:
    """The cases of one team ("ohne": without a team) and/or one assignee ("niemand": nobody)."""
    if team == "ohne":
        cases = cases.filter(team__isnull=True)
    elif team.isdigit():
        cases = cases.filter(team_id=int(team))
    if assignee == "niemand":
        cases = cases.filter(assignee__isnull=True)
    elif assignee.isdigit():
        cases = cases.filter(assignee_id=int(assignee))
    return cases


def overview(cases: QuerySet[Case], *, team: str = "", assignee: str = "", today: dt.date | None = None) -> Overview:
    """The deadline overview of `cases` (the caller passes `Case.objects.workable_by(user)`)."""
    today = today or timezone.localdate()
    conditions = _conditions(today)
    result = Overview(today=today, due_until=today + dt.timedelta(days=DUE_SOON_DAYS))
    relevant = cases.filter(conditions["overdue"] | conditions["due"] | conditions["paused"])
    rows = (relevant.order_by().values("team_id", "team__name", "assignee_id", "assignee__username",
                                       "assignee__first_name", "assignee__last_name")
            .annotate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()}))
    teams: dict[Any, Tally] = {}
    people: dict[Any, Tally] = {}
    totals = Tally("", _("Alle"))
    for row in rows:
        team_key = str(row["team_id"]) if row["team_id"] else "ohne"
        team_tally = teams.setdefault(team_key, Tally(team_key, row["team__name"] or _("ohne Team")))
        person_key = str(row["assignee_id"]) if row["assignee_id"] else "niemand"
        name = " ".join(filter(None, [row["assignee__first_name"], row["assignee__last_name"]])) \
            or row["assignee__username"] or _("niemandem zugewiesen")
        person_tally = people.setdefault(person_key, Tally(person_key, name))
        for tally in (team_tally, person_tally, totals):
            tally.overdue += row["overdue"]
            tally.due += row["due"]
            tally.paused += row["paused"]
    order = lambda t: (-t.overdue, -t.due, t.label.casefold())  # noqa: E731 - the worst first
    result.teams = sorted(teams.values(), key=order)
    result.assignees = sorted(people.values(), key=order)
    result.totals = totals
    listed = narrowed(cases, team=team, assignee=assignee).select_related("assignee", "team").only(*LIST_FIELDS)
    result.overdue = list(listed.filter(conditions["overdue"]).order_by("deadline", "id")[:LIST_LIMIT])
    result.due = list(listed.filter(conditions["due"]).order_by("deadline", "id")[:LIST_LIMIT])
    result.paused = list(listed.filter(conditions["paused"]).order_by("deadline", "id")[:LIST_LIMIT])
    return result
