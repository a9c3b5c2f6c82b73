"""The back office's backlog for `/metrics` (`amtsweg.core.metrics`), read on every scrape.

Open cases (eingegangen, in Bearbeitung, Rückfrage) of all Authorities, by state, and the age of the
oldest case nobody has started. One statement along the partial index `casework_open_idx`, which holds only
open cases: counting them over all Authorities with the inbox's indexes (Authority first) read the whole table
(1,000,000 cases, 60,000 of them open: about 200 ms on PostgreSQL); along the partial index an index-only scan
of the open cases took 23-40 ms on the loaded shared machine.
"""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils import timezone

from amtsweg.casework.models import Case
from amtsweg.core.metrics import gauge, metric_source


@metric_source("casework")
def backlog_metrics():
    rows = {row["state"]: row for row in Case.objects.filter(state__in=Case.OPEN_STATES).order_by()
            .values("state").annotate(n=Count("*"), oldest=Min("received_at"))}
    cases = gauge("amtsweg_casework_open_cases", "Open back-office cases of all Authorities, by state.",
                  labels=("state",))
    for state in Case.OPEN_STATES:
        cases.add_metric([state], rows[state]["n"] if state in rows else 0)
    yield cases
    oldest = rows.get(Case.State.RECEIVED, {}).get("oldest")
    yield gauge("amtsweg_casework_oldest_received_age_seconds",
                "Age of the oldest case still in state 'eingegangen' (nobody started it; 0 when none).",
                (timezone.now() - oldest).total_seconds() if oldest else 0)
