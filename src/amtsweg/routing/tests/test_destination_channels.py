import pytest
from django.core.exceptions import ValidationError

from amtsweg.routing.tests.factories import DestinationFactory

pytestmark = pytest.mark.django_db


def test_every_registered_delivery_channel_can_be_chosen_for_a_destination():
    from amtsweg.delivery import channels

    destination = DestinationFactory(channels=["pull", "directory"])
    destination.clean()  # the legacy directory export is a valid choice
    built_in = {"callback", "email", "directory"}  # the push channels delivery ships
    assert built_in <= set(channels.register.identifiers())
    assert built_in <= set(type(destination).Channel.values)


def test_unknown_channel_is_refused():
    destination = DestinationFactory(channels=["fax"])
    with pytest.raises(ValidationError):
        destination.clean()
