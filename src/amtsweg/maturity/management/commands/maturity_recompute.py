"""`amtsweg maturity_recompute`: evaluate every maturity cell (set-based).

By default it enqueues `maturity.tasks.recompute_all_task` for the worker; `--now` computes in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import compute
from amtsweg.maturity.tasks import recompute_all_task


class Command(BaseCommand):
    help = "Recompute the maturity (Reifegrad) of every Kommune and relevant OZG-Leistung."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="compute in this process instead of enqueuing")

    def handle(self, *args, now: bool, **options) -> None:
        if not now:
            self.stdout.write(f"maturity recompute enqueued: {recompute_all_task.enqueue().id}")
            return
        result = compute.recompute_all(actor=SYSTEM)
        self.stdout.write(f"cells: {result.cells} in {result.seconds:.1f} s")
