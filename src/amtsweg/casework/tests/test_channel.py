"""The back office's channel is registered through the shared channel registry, like the built-in ones."""

from amtsweg.casework.channel import NAME, CaseworkChannel
from amtsweg.delivery import channels


def test_the_back_office_channel_is_registered_like_the_built_in_ones():
    assert isinstance(channels.register[NAME], CaseworkChannel) and channels.register[NAME].identifier == NAME
    assert channels.push_channels([NAME]) == [NAME]  # enqueue() accepts it …
    assert channels.destination_channels([NAME]) == []  # … but a destination never lists it
