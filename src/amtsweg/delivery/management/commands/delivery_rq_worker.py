"""RQ worker for the broker-backed task backend (see amtsweg.delivery.broker)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.tasks import task_backends

from amtsweg.delivery import broker


class Command(BaseCommand):
    help = "Run an RQ worker that executes django.tasks wake-ups from Redis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue", action="append", dest="queues", help="queue name (default: default)")
        parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--name", default=None, help="worker name")

    def handle(self, *args, queues: list[str] | None, burst: bool, name: str | None, **options) -> None:
        from rq import SimpleWorker

        backend = task_backends["default"]
        redis = backend.redis if isinstance(backend, broker.RQBackend) else broker.connection()
        rq_queues = [broker.queue_name(q) for q in (queues or ["default"])]
        # SimpleWorker runs jobs in this process: no fork, so Django's database connections stay sane.
        worker = SimpleWorker(rq_queues, connection=redis, name=name)
        worker.work(burst=burst, with_scheduler=True)
