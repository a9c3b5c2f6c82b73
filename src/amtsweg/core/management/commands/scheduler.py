"""`amtsweg scheduler`: run the registered periodic jobs (sweeps, housekeeping, retention, purges) at their
intervals. Run it on every worker host: each job still runs once per cluster (`amtsweg.core.scheduling`), and
when a host dies the others carry on. `--once` runs what is due now and exits (cron, tests); `--list` shows the
jobs and their turns."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from amtsweg.core import scheduling
from amtsweg.core.models import ScheduledJob


class Command(BaseCommand):
    help = "Run the periodic jobs at their intervals, once per cluster however many hosts run this."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs that are due now, then exit")
        parser.add_argument("--list", action="store_true", help="list the jobs, their intervals and turns")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks (default 1)")

    def handle(self, *args, once: bool, list: bool, tick: float, **options) -> None:  # noqa: A002
        if list:
            rows = {row.name: row for row in ScheduledJob.objects.all()}
            for name, job in scheduling.jobs.items():
                row = rows.get(name)
                due = row.next_due.isoformat() if row else "now"
                self.stdout.write(f"{name}: every {job.interval_seconds():g} s, next {due}"
                                  + (f", last {row.outcome} by {row.owner}" if row and row.outcome else ""))
            return
        if once:
            ran = scheduling.run_due()
            self.stdout.write(f"ran: {', '.join(ran) or 'nothing due'}")
            return
        scheduling.serve(tick=max(0.1, tick))
