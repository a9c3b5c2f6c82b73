"""delivery's contribution to `/readyz` (`amtsweg.core.health`): the queue of the configured tasks backend.

Database queue: its table answers. Redis (RQ): the server answers a PING within a second, on a client of its
own with timeouts (the backend's client has none, and a probe must not hang on an unreachable host).
Intakes still succeed without the queue (the sweep wakes workers later), but an instance that cannot reach
it delays every delivery, so it is not ready.
"""

from __future__ import annotations

from amtsweg.core.health import readiness_check

PING_TIMEOUT_SECONDS = 1.0


@readiness_check("queue")
def queue_answers() -> bool:
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from amtsweg.delivery.broker import RQBackend

    backend = task_backends["default"]
    if isinstance(backend, RQBackend):
        from redis import Redis

        from amtsweg.delivery.broker import redis_url

        client = Redis.from_url(redis_url(backend.options), socket_timeout=PING_TIMEOUT_SECONDS,
                                socket_connect_timeout=PING_TIMEOUT_SECONDS)
        try:
            return bool(client.ping())
        finally:
            client.close()
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.order_by().values_list("pk")[:1])
    return True
