"""`amtsweg casework_retention`: the daily Aufbewahrungsfrist run of the back office.

By default it enqueues `casework.tasks.purge_expired_cases` on the task queue, where a worker (`amtsweg
db_worker`, or the configured backend's) runs it; `--now` deletes in this process instead (small
installations without a worker, or by hand). Run it once a day from cron or a systemd timer; running it more
often or twice at once is harmless (see `casework.retention`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from amtsweg.casework import retention
from amtsweg.casework.tasks import purge_expired_cases
from amtsweg.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Delete the content of cases whose retention period after closing has run out (run daily)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="delete in this process instead of enqueuing")
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE,
                            help=f"cases per transaction (default {retention.BATCH_SIZE}, with --now)")

    def handle(self, *args, now: bool, batch_size: int, **options) -> None:
        if not now:
            result = purge_expired_cases.enqueue()
            self.stdout.write(f"retention task enqueued: {result.id}")
            return
        done = retention.purge_expired(actor=SYSTEM, batch_size=max(1, batch_size))
        self.stdout.write(f"cases deleted: {done.deleted} in {done.batches} batches")
