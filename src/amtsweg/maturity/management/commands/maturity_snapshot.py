"""`amtsweg maturity_snapshot`: the daily maturity run — recompute every cell, then keep the day's counts.

Run once a day from the cluster scheduler (cron `30 3 * * * amtsweg maturity_snapshot`, a systemd timer or a
Kubernetes CronJob). By default it enqueues `maturity.tasks.snapshot_task`; `--now` runs in this process.
Running it twice a day replaces that day's snapshot."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import compute, snapshots
from amtsweg.maturity.tasks import snapshot_task


class Command(BaseCommand):
    help = "Recompute the maturity cells and store today's counts per Kommune (run daily)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="run in this process instead of enqueuing")

    def handle(self, *args, now: bool, **options) -> None:
        if not now:
            self.stdout.write(f"maturity snapshot enqueued: {snapshot_task.enqueue().id}")
            return
        result = compute.recompute_all(actor=SYSTEM)
        areas = snapshots.take(actor=SYSTEM)
        self.stdout.write(f"cells: {result.cells} in {result.seconds:.1f} s; snapshot of {areas} Kommunen")
