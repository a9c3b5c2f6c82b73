"""Broker-backed option: a django.tasks backend on Redis through RQ, for installations with many workers.

The outbox stays the source of truth either way; the broker only carries wake-ups, so switching the
backend changes nothing about retries, leases or dead letters. Configure with environment variables:

    TASKS_BACKEND=amtsweg.delivery.broker.RQBackend
    REDIS_URL=redis://127.0.0.1:6379/0

and run workers with `amtsweg delivery_rq_worker` (several processes or hosts), plus one
`amtsweg delivery_sweep`. Each job names the django.tasks `Task` by its module path; the worker imports
it and calls the function, so only Task objects can ever be run (no arbitrary callables from Redis).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string


def redis_url(options: dict | None = None) -> str:
    url = (options or {}).get("URL") or settings.REDIS_URL
    if not url:
        raise ImproperlyConfigured("The RQ task backend needs REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
    return url


def connection(options: dict | None = None):
    from redis import Redis

    return Redis.from_url(redis_url(options))


def queue_name(name: str) -> str:
    return f"amtsweg:{name}"


def run_task(module_path: str, args: list, kwargs: dict):
    """Executed by the RQ worker: import the django.tasks Task and call its function."""
    task = import_string(module_path)
    if not isinstance(task, Task):
        raise TypeError(f"{module_path} is not a django.tasks Task")
    close_old_connections()
    try:
        return task.call(*args, **kwargs)
    finally:
        close_old_connections()


class RQBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = False

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self._connection = None

    @property
    def redis(self):
        if self._connection is None:
            self._connection = connection(self.options)
        return self._connection

    def queue(self, name: str):
        from rq import Queue

        return Queue(queue_name(name), connection=self.redis)

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = self.queue(task.queue_name)
        job_args = (task.module_path, list(args), dict(kwargs))
        if task.run_after is not None:
            queue.enqueue_at(task.run_after, run_task, *job_args, job_id=result.id, result_ttl=60)
        else:
            queue.enqueue(run_task, *job_args, job_id=result.id, result_ttl=60, failure_ttl=7 * 24 * 3600)
        object.__setattr__(result, "enqueued_at", timezone.now())
        task_enqueued.send(type(self), task_result=result)
        return result
