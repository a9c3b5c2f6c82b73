"""Periodic jobs run once per cluster (issue 18): however many schedulers run, one wins each turn."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from amtsweg.core import scheduling
from amtsweg.core.models import ScheduledJob

ROUNDS = 15


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_running_at_once_execute_each_turn_of_a_job_once():
    runs: list[str] = []
    lock = threading.Lock()

    def counted() -> None:
        with lock:
            runs.append(threading.current_thread().name)

    job = scheduling.Job(run=counted, interval=60)
    start = timezone.now()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            for turn in range(ROUNDS):
                barrier.wait(timeout=30)  # both ask for the same turn at the same moment
                scheduling.run_due(start + timedelta(seconds=60 * turn), selected=[("test.counted", job)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, name=f"host-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert len(runs) == ROUNDS  # one run per turn, never two, never none
    row = ScheduledJob.objects.get(name="test.counted")
    assert row.lease_until is None and row.outcome == "ok"


@pytest.mark.django_db
def test_a_job_still_running_on_another_host_is_not_started_until_its_lease_ran_out():
    job = scheduling.Job(run=lambda: None, interval=10, max_runtime=300)
    now = timezone.now()
    assert scheduling.claim("test.long", job, now)  # host 1 starts it and has not finished

    assert not scheduling.claim("test.long", job, now + timedelta(seconds=60))  # due again, but still leased
    assert scheduling.claim("test.long", job, now + timedelta(seconds=301))  # host 1 died: another takes over


@pytest.mark.django_db
def test_a_failing_job_releases_its_lease_and_the_others_still_run():
    ran = []

    def broken() -> None:
        raise RuntimeError("boom")

    jobs = [("test.broken", scheduling.Job(run=broken, interval=60)),
            ("test.fine", scheduling.Job(run=lambda: ran.append(1), interval=60))]

    assert scheduling.run_due(selected=jobs) == ["test.broken", "test.fine"]
    assert ran == [1]
    broken_row = ScheduledJob.objects.get(name="test.broken")
    assert broken_row.lease_until is None and broken_row.outcome == "failed: RuntimeError"
    assert scheduling.run_due(selected=jobs) == []  # next turn in a minute


def test_the_sweeps_and_purges_are_registered_as_cluster_jobs():
    assert {"delivery_sweep", "submissions_housekeeping", "casework_retention", "purge_drafts"} <= set(
        scheduling.jobs.identifiers())


@pytest.mark.django_db
def test_the_scheduler_command_runs_what_is_due_once(capsys, settings):
    only = scheduling.Job(run=lambda: None, interval=3600)
    registered = dict(scheduling.jobs.items())
    for name in registered:
        scheduling.jobs.remove(name)
    try:
        with scheduling.jobs.registered("test.only", only):
            call_command("scheduler", "--once")
            call_command("scheduler", "--once")
    finally:
        for name, job in registered.items():
            scheduling.jobs.add(name, job)

    out = capsys.readouterr().out
    assert "ran: test.only" in out and "ran: nothing due" in out
