"""Delivery channels are plugins of the shared registry (amtsweg.core.plugins), issue 13 item 9."""

from amtsweg.delivery import channels
from amtsweg.testkit.plugin_contract import check_registry_contract


class Fax(channels.PerMessageChannel):
    label = "Fax"

    def __init__(self, is_test_plugin: bool = False):
        self.is_test_plugin = is_test_plugin

    def deliver_one(self, message) -> None:
        raise channels.DeliveryError("not wired")


def test_the_channel_registry_keeps_the_plugin_contract(settings):
    check_registry_contract(channels.register, make_plugin=Fax, settings=settings)


def test_a_test_channel_is_pushed_only_while_test_plugins_are_on(settings):
    with channels.register.registered("fax", Fax(is_test_plugin=True)):
        settings.AMTSWEG_TEST_PLUGINS = False
        assert channels.push_channels(["pull", "fax", "email"]) == ["email"]
        settings.AMTSWEG_TEST_PLUGINS = True
        assert channels.push_channels(["pull", "fax", "email"]) == ["fax", "email"]


def test_the_built_in_channels_are_registered_under_their_identifiers():
    built_in = {"callback", "email", "directory", "sender_callback"}
    assert built_in <= set(channels.register.identifiers())
    assert all(channels.register[name].identifier == name for name in built_in)

