"""A small typed plugin registry, shared by every plugin kind (identity providers, payment providers, …).

    register: PluginRegistry[PaymentProvider] = PluginRegistry("payment provider", test_setting="…")

    @register("testbezahldienst")
    class TestProvider(PaymentProvider): ...

One instance per plugin class, under a unique identifier (registering twice is a programming error).
Test plugins (`is_test_plugin = True`) are offered only while the registry's `test_setting` is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings


class PluginRegistry[PluginT]:
    def __init__(self, kind: str, *, test_setting: str) -> None:
        self.kind = kind
        self.test_setting = test_setting
        self._plugins: dict[str, PluginT] = {}

    def __call__(self, identifier: str) -> Callable[[type[PluginT]], type[PluginT]]:
        def decorator(cls: type[PluginT]) -> type[PluginT]:
            if identifier in self._plugins:
                raise ValueError(f"{self.kind} {identifier!r} is registered twice")
            plugin: Any = cls()
            plugin.identifier = identifier
            self._plugins[identifier] = plugin
            return cls

        return decorator

    def __iter__(self) -> Iterator[PluginT]:
        return iter(self._plugins.values())

    def __contains__(self, identifier: str) -> bool:
        return identifier in self._plugins

    def __getitem__(self, identifier: str) -> PluginT:
        return self._plugins[identifier]

    def tests_allowed(self) -> bool:
        return bool(getattr(settings, self.test_setting, False))

    def offerable(self, plugin: Any) -> bool:
        """Configured, and not a test plugin unless test plugins are switched on."""
        return plugin.is_enabled() and (self.tests_allowed() or not plugin.is_test_plugin)

    def get_enabled(self, identifier: str) -> PluginT | None:
        plugin = self._plugins.get(identifier)
        return plugin if plugin is not None and self.offerable(plugin) else None
