"""Signing the event log off the hot path: `seal_pending` finds the unsigned events by their own index."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import events
from amtsweg.submissions.models import Event
from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = pytest.mark.django_db


def test_seal_pending_signs_the_oldest_unsigned_events_first():
    responsibility = ResponsibilityFactory()
    first, second = (submit_payload(payload_for(responsibility, applicant_email=None)) for _ in range(2))
    assert events.seal_pending(limit=2) == 2
    signed = set(Event.objects.exclude(token="").values_list("submission_id", flat=True))
    assert signed == {first.pk}
    assert events.seal_pending() == 2 and not Event.objects.filter(token="").exists()
    assert events.seal_pending() == 0


def test_the_query_for_unsigned_events_uses_their_partial_index():
    """An index on every event's time would make this query walk past all signed events."""
    query = Event.objects.filter(token="").order_by("created_at")[:500]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the tables are tiny here: make the planner show its index
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "event_unsealed_idx" in plan
