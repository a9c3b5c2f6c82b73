"""The one plugin registry API (issue 13 item 9) and the public navigation kept in it."""

import pytest
from django.test import RequestFactory

from amtsweg.core import navigation
from amtsweg.core.plugins import AlreadyRegistered, PluginRegistry, UnknownPlugin
from amtsweg.testkit.plugin_contract import check_registry_contract


class Widget:
    is_test_plugin = False


def test_the_class_decorator_registers_one_instance_with_its_identifier():
    register: PluginRegistry[Widget] = PluginRegistry("widget")

    @register("knob")
    class Knob(Widget):
        pass

    assert isinstance(register["knob"], Knob) and register["knob"].identifier == "knob"
    with pytest.raises(AlreadyRegistered, match="widget 'knob' is registered twice"):
        register("knob")(Knob)


def test_an_unknown_identifier_names_the_kind_and_the_registered_ones():
    register: PluginRegistry[Widget] = PluginRegistry("widget")
    register.add("knob", Widget())
    with pytest.raises(UnknownPlugin) as error:
        register["dial"]
    assert str(error.value) == "unknown widget 'dial'; registered: knob"
    with pytest.raises(ValueError):
        register.add("", Widget())


def test_a_plugin_that_is_not_configured_is_not_offered(settings):
    class Unconfigured(Widget):
        def is_enabled(self) -> bool:
            return False

    register: PluginRegistry[Widget] = PluginRegistry("widget")
    register.add("off", Unconfigured())
    assert "off" in register and register.enabled() == [] and register.get_enabled("off") is None


def test_the_public_navigation_keeps_the_plugin_contract(settings):
    check_registry_contract(navigation.register, settings=settings, make_plugin=lambda test: navigation.Entry(
        title="Test", url_name="routing:who_is_responsible", is_test_plugin=test))


def test_a_test_entry_appears_in_the_public_navigation_only_while_test_plugins_are_on(settings):
    entry = navigation.Entry(title="Nur zum Testen", url_name="routing:who_is_responsible", is_test_plugin=True)
    request = RequestFactory().get("/")
    with navigation.register.registered("test.entry", entry):
        settings.AMTSWEG_TEST_PLUGINS = False
        assert "Nur zum Testen" not in [i["title"] for i in navigation.public_navigation(request)["public_navigation"]]
        settings.AMTSWEG_TEST_PLUGINS = True
        assert "Nur zum Testen" in [i["title"] for i in navigation.public_navigation(request)["public_navigation"]]


def test_calling_the_registry_with_a_plugin_instead_of_an_identifier_fails():
    register: PluginRegistry[Widget] = PluginRegistry("widget")
    with pytest.raises(TypeError, match="register.add"):
        register(Widget())
