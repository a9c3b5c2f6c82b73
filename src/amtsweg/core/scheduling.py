"""Periodic jobs that run once per cluster, however many hosts run the scheduler (`amtsweg scheduler`).

Every worker host may run `amtsweg scheduler`; losing one host must not stop the sweeps, and two hosts must
not both run the daily retention. Each job has a row (`core.ScheduledJob`) with the time it is next due and a
lease. A scheduler claims a due job with one conditional UPDATE:

    UPDATE … SET next_due = now + interval, lease_until = now + max_runtime, owner = me
    WHERE name = job AND next_due <= now AND (lease_until IS NULL OR lease_until <= now)

Exactly one concurrent claimant gets a row count of 1: PostgreSQL locks the row for the first UPDATE and
re-checks the WHERE clause for the second after the first committed (it no longer matches); SQLite serialises
writers. No lock is held while the job runs (a long job must not keep a transaction open); the lease keeps a
second host from starting a job that is still running, and expires after `max_runtime` if the host running it
died, so another host takes over. Jobs are periodic and idempotent (a sweep, a purge), so a job whose host
died in the middle simply runs again at its next turn.

Apps register their jobs in `AppConfig.ready()`:

    scheduling.jobs.add("delivery_sweep", scheduling.Job(run=services.sweep, interval=lambda: 15.0))
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from amtsweg.core.models import ScheduledJob
from amtsweg.core.plugins import PluginRegistry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: `run` (no arguments) every `interval` seconds (a number or a callable read at each
    claim, so a setting changed in a test or by the operator applies), at most `max_runtime` seconds long
    before another host may take it over."""

    run: Callable[[], object]
    interval: float | Callable[[], float]
    max_runtime: float = 3600.0

    def interval_seconds(self) -> float:
        return float(self.interval() if callable(self.interval) else self.interval)


jobs: PluginRegistry[Job] = PluginRegistry("scheduled job")


def owner() -> str:
    """Who holds a lease: host and process (shown in the row, for operators)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(name: str, job: Job, now: datetime | None = None) -> bool:
    """True if this process won the job's current turn (and must run it now)."""
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(name=name, defaults={"next_due": now})
    return bool(ScheduledJob.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now), name=name, next_due__lte=now,
    ).update(next_due=now + timedelta(seconds=job.interval_seconds()),
             lease_until=now + timedelta(seconds=job.max_runtime), owner=owner(), started_at=now))


def finish(name: str, outcome: str) -> None:
    """Release the lease (the next turn is already set by the claim)."""
    ScheduledJob.objects.filter(name=name, owner=owner()).update(
        lease_until=None, finished_at=timezone.now(), outcome=outcome[:200])


def run_due(now: datetime | None = None, selected: Iterable[tuple[str, Job]] | None = None) -> list[str]:
    """Run every registered job (or those `selected`) whose turn it is and that no other scheduler claimed;
    returns their names."""
    ran = []
    for name, job in jobs.items() if selected is None else selected:
        if not claim(name, job, now):
            continue
        started = time.monotonic()
        try:
            job.run()
        except Exception as exc:  # one failing job must not stop the others or the scheduler
            logger.exception("scheduled job failed", extra={"job": name})
            finish(name, f"failed: {type(exc).__name__}")
        else:
            finish(name, "ok")
            logger.info("scheduled job done", extra={"job": name, "seconds": round(time.monotonic() - started, 3)})
        ran.append(name)
    return ran


def serve(*, tick: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    """Run due jobs forever (`amtsweg scheduler`): a database restart only costs the turns it lasts."""
    while not stop():
        close_old_connections()
        try:
            run_due()
        except Exception as exc:  # the database is away: try again at the next tick
            logger.warning("scheduler pass failed, retrying", extra={"error": type(exc).__name__})
        close_old_connections()
        time.sleep(tick)
