"""The contract every plugin registry keeps (`amtsweg.core.plugins`), as one check each kind's tests call.

Each app that owns a plugin kind proves, in its own tests, that its registry is a `PluginRegistry` with the
shared guarantees — so a kind cannot drift back to a hand-made dict that silently replaces entries:

    def test_channel_registry_keeps_the_plugin_contract(settings):
        check_registry_contract(channels.register, make_plugin=lambda test: Fax(is_test_plugin=test),
                                settings=settings)

`make_plugin(test)` builds a fresh plugin of the kind; with `test=True` it must be a test plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amtsweg.core.plugins import AlreadyRegistered, PluginRegistry, UnknownPlugin


def check_registry_contract(registry: PluginRegistry, *, make_plugin: Callable[[bool], Any], settings) -> None:
    assert isinstance(registry, PluginRegistry)
    identifier = "contract-check"
    assert identifier not in registry
    before = registry.identifiers()

    # Registering the same identifier twice is an error, and the first registration stays.
    first = make_plugin(False)
    with registry.registered(identifier, first):
        with pytest.raises(AlreadyRegistered, match=identifier):
            registry.add(identifier, make_plugin(False))
        assert registry[identifier] is first
        assert first in registry.enabled()
    assert registry.identifiers() == before

    # An unknown identifier names the kind and what is registered; get() answers None.
    with pytest.raises(UnknownPlugin) as error:
        registry["no-such-plugin"]
    assert registry.kind in str(error.value) and "no-such-plugin" in str(error.value)
    assert registry.get("no-such-plugin") is None
    with pytest.raises(UnknownPlugin):
        registry.remove("no-such-plugin")

    # A test plugin is registered but only offered while the kind's test setting is on.
    test_plugin = make_plugin(True)
    with registry.registered(identifier, test_plugin):
        setattr(settings, registry.test_setting, False)
        assert registry[identifier] is test_plugin
        assert test_plugin not in registry.enabled() and registry.get_enabled(identifier) is None
        setattr(settings, registry.test_setting, True)
        assert test_plugin in registry.enabled() and registry.get_enabled(identifier) is test_plugin
