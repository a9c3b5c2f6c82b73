"""The broker-backed option: a wake-up travels through Redis (RQ) to a worker, which delivers.

Redis from the shared ``redis_url`` fixture (skipped with a reason only when no Redis answers; CI has one).
"""

import uuid

import pytest
from django.tasks import task_backends

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.delivery import broker, channels, services
from amtsweg.delivery.models import OutboxMessage


class Recorder(channels.PerMessageChannel):
    name = "broker-test"

    def __init__(self):
        self.delivered = []

    def deliver_one(self, message):
        self.delivered.append(message.submission_id)


@pytest.mark.django_db(transaction=True)
def test_wake_up_reaches_an_rq_worker_through_redis_and_the_message_is_delivered(redis_url):
    from django.core.management import call_command
    from django.db import transaction

    backend = broker.RQBackend("default", {"OPTIONS": {"URL": redis_url}})
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
