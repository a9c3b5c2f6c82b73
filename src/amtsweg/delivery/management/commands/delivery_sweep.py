"""Periodic sweep: wakes a worker when retries are due or a dead worker's lease ran out.

Run one next to the workers (`amtsweg delivery_sweep`), or from cron with `--once`. It never delivers
itself; it only enqueues a wake-up task, so it works with any django.tasks backend. With `--deliver` it
delivers in-process instead (small installations without a separate worker).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from amtsweg.delivery import conf, services


class Command(BaseCommand):
    help = "Wake delivery workers for due outbox messages (periodically)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument("--interval", type=float, default=None, help="seconds between sweeps")
        parser.add_argument("--deliver", action="store_true", help="deliver in this process instead of waking")

    def handle(self, *args, once: bool, interval: float | None, deliver: bool, **options) -> None:
        interval = interval if interval is not None else conf.value("SWEEP_INTERVAL_SECONDS")
        while True:
            close_old_connections()
            try:
                if deliver:
                    services.run_until_idle()
                else:
                    services.sweep()
            except Exception as exc:  # a database restart must not end the sweep
                self.stderr.write(f"sweep failed, retrying: {type(exc).__name__}")
                close_old_connections()
            if once:
                return
            time.sleep(interval)
