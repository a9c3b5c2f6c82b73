"""Delivery's gauges on `/metrics`: outbox depth by status and channel, the oldest undelivered message's age,
dead letters, and the queue's waiting wake-ups and their lag."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amtsweg.delivery.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def test_outbox_depth_age_and_dead_letters(scrape_metrics):
    empty = scrape_metrics()
    assert empty[("amtsweg_outbox_depth", ())] == 0
    assert empty[("amtsweg_outbox_oldest_undelivered_age_seconds", ())] == 0
    assert empty[("amtsweg_outbox_dead_letters", ())] == 0

    old = OutboxMessageFactory(channel="callback")
    OutboxMessageFactory(channel="callback", in_flight=True)
    OutboxMessageFactory(channel="email", dead=True)
    OutboxMessageFactory(channel="email", delivered=True)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    samples = scrape_metrics()
    assert samples[("amtsweg_outbox_depth", ())] == 2
    assert samples[("amtsweg_outbox_dead_letters", ())] == 1
    assert samples[("amtsweg_outbox_messages", (("channel", "callback"), ("status", "pending")))] == 1
    assert samples[("amtsweg_outbox_messages", (("channel", "callback"), ("status", "in_flight")))] == 1
    assert samples[("amtsweg_outbox_messages", (("channel", "email"), ("status", "dead")))] == 1
    assert not any(name == "amtsweg_outbox_messages" and ("status", "delivered") in labels
                   for name, labels in samples)
    assert 2 * 3600 <= samples[("amtsweg_outbox_oldest_undelivered_age_seconds", ())] < 3 * 3600


def test_database_queue_depth_and_lag(scrape_metrics):
    from django_tasks_db.models import DBTaskResult

    from amtsweg.delivery.tasks import wake

    assert scrape_metrics()[("amtsweg_queue_depth", ())] == 0
    result = wake.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=5))
    samples = scrape_metrics()
    assert samples[("amtsweg_queue_depth", ())] == 1
    assert 300 <= samples[("amtsweg_queue_lag_seconds", ())] < 400


def test_redis_queue_depth_and_lag(scrape_metrics, redis_url):
    """The RQ backend's queue, read with rq's own API (the shared `redis_url` fixture: skipped only without a Redis)."""
    from django.tasks import task_backends

    from amtsweg.delivery import broker
    from amtsweg.delivery.tasks import wake

    backend = broker.RQBackend("default", {"OPTIONS": {"URL": redis_url}})
    rq_queue = backend.queue("default")
    rq_queue.empty()
    original = task_backends["default"]
    task_backends["default"] = backend
    try:
        assert scrape_metrics()[("amtsweg_queue_depth", ())] == 0
        backend.enqueue(wake, (), {})
        samples = scrape_metrics()
        assert samples[("amtsweg_queue_depth", ())] == 1
        assert 0 <= samples[("amtsweg_queue_lag_seconds", ())] < 600
    finally:
        task_backends["default"] = original
        rq_queue.empty()
