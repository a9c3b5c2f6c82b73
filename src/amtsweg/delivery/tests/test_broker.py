"""The broker-backed option: a wake-up travels through Redis (RQ) to a worker, which delivers.

Skipped with a reason only when no Redis answers on REDIS_URL / 127.0.0.1:6379 (CI has one).
"""

import os
import uuid

import pytest
from django.tasks import task_backends

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.delivery import broker, channels, services
from amtsweg.delivery.models import OutboxMessage

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}; the broker-backed option cannot be tested here")
    return client


class Recorder(channels.PerMessageChannel):
    name = "broker-test"

    def __init__(self):
        self.delivered = []

    def deliver_one(self, message):
        self.delivered.append(message.submission_id)


@pytest.mark.django_db(transaction=True)
def test_wake_up_reaches_an_rq_worker_through_redis_and_the_message_is_delivered():
    from django.core.management import call_command
    from django.db import transaction

    _redis_or_skip()
    backend = broker.RQBackend("default", {"OPTIONS": {"URL": REDIS_URL}})
    rq_queue = backend.queue("default")
    rq_queue.empty()
    original = task_backends["default"]
    task_backends["default"] = backend
    plugin = channels.register.add("broker-test", Recorder())
    try:
        authority = AuthorityFactory()
        submission_id = uuid.uuid4()
        # The wake-up is enqueued on commit of the transaction that wrote the outbox row.
        with transaction.atomic():
            services.enqueue(
                submission_id=submission_id,
                destination_id=uuid.uuid4(),
                authority_id=authority.pk,
                channel_names=["broker-test"],
            )
        assert rq_queue.count == 1  # the wake-up sits in Redis; nothing has been delivered yet
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
        call_command("delivery_rq_worker", "--burst")
        message = OutboxMessage.objects.get()
        assert message.status == OutboxMessage.Status.DELIVERED
        assert plugin.delivered == [submission_id]
    finally:
        channels.register.remove("broker-test")
        task_backends["default"] = original
        rq_queue.empty()
