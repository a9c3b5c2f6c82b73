"""The back office's channel is registered through the shared channel registry, like the built-in ones, and
finds the destinations it receives for without a query per application."""

import pytest

from amtsweg.casework import receiving
from amtsweg.casework.channel import NAME, CaseworkChannel
from amtsweg.casework.models import ReceivingSystem
from amtsweg.casework.tests.factories import on_casework
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import channels
from amtsweg.delivery.models import OutboxMessage
from amtsweg.submissions.tests.factories import payload_for, submit_payload


def test_the_back_office_channel_is_registered_like_the_built_in_ones():
    assert isinstance(channels.register[NAME], CaseworkChannel) and channels.register[NAME].identifier == NAME
    assert channels.push_channels([NAME]) == [NAME]  # enqueue() accepts it …
    assert channels.destination_channels([NAME]) == []  # … but a destination never lists it


@pytest.mark.django_db
@pytest.mark.usefixtures("routing_index_as_in_production")
def test_the_intake_asks_for_the_receiving_system_once_per_routing_index_not_per_application(
        responsibility, django_assert_num_queries):
    destination = responsibility.destination
    assert not receiving.is_active(destination.pk)
    with django_assert_num_queries(0):  # the intake asks on every application, inside its transaction
        assert not receiving.is_active(destination.pk)

    on_casework(responsibility)  # switching bumps the routing index: seen at once, then read from memory
    assert receiving.is_active(destination.pk)
    with django_assert_num_queries(0):
        assert receiving.is_active(destination.pk)
    submission = submit_payload(payload_for(responsibility))
    assert OutboxMessage.objects.filter(submission_id=submission.pk, channel=NAME).exists()

    receiving.disable(destination, actor=SYSTEM)
    assert not receiving.is_active(destination.pk)
    ReceivingSystem.objects.filter(destination=destination).delete()  # a deletion too
    on_casework(responsibility)
    assert receiving.is_active(destination.pk)
