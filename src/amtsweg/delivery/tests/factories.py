"""Factories for outbox messages, with named states.

    OutboxMessageFactory()                pending and due now, channel "test"
    OutboxMessageFactory(in_flight=True)  claimed by a worker whose lease is still running
    OutboxMessageFactory(expired=True)    claimed by a worker that died (lease ran out)
    OutboxMessageFactory(delivered=True) / (dead=True)
"""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.delivery.models import OutboxMessage


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    submission_id = factory.LazyFunction(uuid.uuid4)
    destination_id = factory.LazyFunction(uuid.uuid4)
    case_id = factory.LazyFunction(uuid.uuid4)
    authority = factory.SubFactory(AuthorityFactory)
    channel = "test"
    idempotency_key = factory.LazyAttribute(lambda o: f"{o.submission_id}:{o.channel}")
    status = OutboxMessage.Status.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)

    class Params:
        in_flight = factory.Trait(
            status=OutboxMessage.Status.IN_FLIGHT,
            attempts=1,
            claim_token="other-worker",
            first_attempt_at=factory.LazyFunction(timezone.now),
            locked_until=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=2)),
        )
        expired = factory.Trait(
            status=OutboxMessage.Status.IN_FLIGHT,
            attempts=1,
            claim_token="dead-worker",
            first_attempt_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5)),
            locked_until=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1)),
        )
        delivered = factory.Trait(
            status=OutboxMessage.Status.DELIVERED,
            attempts=1,
            next_attempt_at=None,
            delivered_at=factory.LazyFunction(timezone.now),
        )
        dead = factory.Trait(
            status=OutboxMessage.Status.DEAD,
            attempts=7,
            next_attempt_at=None,
            first_attempt_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=49)),
            last_error="Zustellfrist abgelaufen nach 7 Versuchen. Letzter Fehler: HTTP 500.",
        )
