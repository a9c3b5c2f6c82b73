"""delivery's contribution to `/readyz` (`amtsweg.core.health`): the queue of the configured tasks backend.

Database queue: its table answers. Redis (RQ): the server answers a PING within a second, on a client of its
own with timeouts (the backend's client has none, and a probe must not hang on an unreachable host).
Not critical: intakes still succeed without the queue (the outbox is in the database, the sweep wakes the
workers once it is back), and every host shares the same queue, so taking hosts out of the load balancer for
it would turn a delivery delay into an outage. `/readyz` names it ("degraded"), the metric
`amtsweg_readiness_check{check="queue"}` and the alert rules report it. A pass counts for 10 s in the process
(`QUEUE_CACHE_SECONDS`): the probe runs every second or two on every host and process, and a queue that went
away is reported that much later, well within the alert's minutes.
"""

from __future__ import annotations

from amtsweg.core.health import readiness_check

PING_TIMEOUT_SECONDS = 1.0
QUEUE_CACHE_SECONDS = 10.0


@readiness_check("queue", critical=False, cache_seconds=QUEUE_CACHE_SECONDS)
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
