"""The one plugin registry API, shared by every plugin kind.

Delivery channels, output formats, the public and the staff navigation, online-service link providers,
identity providers and payment providers are all kept in a `PluginRegistry`. The app that owns the kind
creates one registry; the apps that provide plugins register into it, in their `AppConfig.ready()` (directly,
or by importing the module whose classes carry the decorator):

    register: PluginRegistry[PaymentProvider] = PluginRegistry("payment provider",
                                                                test_setting="AMTSWEG_TEST_PAYMENT_PROVIDER")

    @register("testbezahldienst")          # a class: one instance is made and registered
    class TestProvider(PaymentProvider): ...

    register.add("shop", links.live_services)   # an object (a function, an entry) under an identifier

Why one API: whoever adds a plugin of any kind learns one way, and every kind gets the same guarantees.

* An identifier is unique within its registry. Registering it twice raises `AlreadyRegistered` — two
  plugins silently replacing each other would make behaviour depend on import order.
* Asking for an unknown identifier raises `UnknownPlugin`, whose message names the kind and the registered
  identifiers (`registry.get()` answers None instead, for callers that handle absence themselves).
* A plugin with `is_test_plugin = True` is offered (`enabled()`, `get_enabled()`, `offerable()`) only while
  the registry's test setting is on; it stays registered, so tests can still reach it by identifier.
  A plugin with an `is_enabled()` method is offered only when it says it is configured.
* Tests add a plugin for their duration with `with registry.registered("x", plugin): …`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

# The setting that switches test plugins on, for kinds without a setting of their own.
DEFAULT_TEST_SETTING = "AMTSWEG_TEST_PLUGINS"


class AlreadyRegistered(ValueError):
    """An identifier was registered twice in the same registry (a programming error)."""


class UnknownPlugin(LookupError):
    """No plugin of this kind is registered under the identifier."""

    def __init__(self, kind: str, identifier: str, known: list[str]):
        self.kind = kind
        self.identifier = identifier
        self.known = known
        super().__init__(f"unknown {kind} {identifier!r}; registered: {', '.join(known) or 'none'}")

    def __str__(self) -> str:  # LookupError would otherwise show the repr of the arguments
        return self.args[0]


class PluginRegistry[PluginT]:
    """Plugins of one kind under unique identifiers, in registration order."""

    def __init__(self, kind: str, *, test_setting: str = DEFAULT_TEST_SETTING) -> None:
        self.kind = kind
        self.test_setting = test_setting
        self._plugins: dict[str, PluginT] = {}

    def __repr__(self) -> str:
        return f"<PluginRegistry {self.kind}: {', '.join(self._plugins)}>"

    # -- registering --------------------------------------------------------------------------------------

    def __call__(self, identifier: str) -> Callable[[type[PluginT]], type[PluginT]]:
        """Class decorator: register one instance of the class under `identifier` (set as its `identifier`)."""
        if not isinstance(identifier, str):  # `register(Plugin())` would otherwise register nothing, silently
            raise TypeError(f"register a {self.kind} with @register(\"identifier\") or register.add(identifier, "
                            f"plugin), not register({identifier!r})")

        def decorator(cls: type[PluginT]) -> type[PluginT]:
            plugin: Any = cls()
            plugin.identifier = identifier
            self.add(identifier, plugin)
            return cls

        return decorator

    def add(self, identifier: str, plugin: PluginT) -> PluginT:
        """Register an object under `identifier`; returns it."""
        if not identifier:
            raise ValueError(f"a {self.kind} needs an identifier")
        if identifier in self._plugins:
            raise AlreadyRegistered(f"{self.kind} {identifier!r} is registered twice")
        self._plugins[identifier] = plugin
        return plugin

    def remove(self, identifier: str) -> PluginT:
        """Take a plugin out again (tests); an unknown identifier raises `UnknownPlugin`."""
        plugin = self[identifier]
        del self._plugins[identifier]
        return plugin

    @contextmanager
    def registered(self, identifier: str, plugin: PluginT) -> Iterator[PluginT]:
        """Register `plugin` for the duration of a `with` block (tests)."""
        self.add(identifier, plugin)
        try:
            yield plugin
        finally:
            self._plugins.pop(identifier, None)

    # -- looking up ---------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[PluginT]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._plugins

    def __getitem__(self, identifier: str) -> PluginT:
        try:
            return self._plugins[identifier]
        except KeyError:
            raise UnknownPlugin(self.kind, identifier, self.identifiers()) from None

    def get(self, identifier: str) -> PluginT | None:
        """The plugin, or None if none is registered under `identifier` (for callers that report it)."""
        return self._plugins.get(identifier)

    def identifiers(self) -> list[str]:
        return list(self._plugins)

    def items(self) -> list[tuple[str, PluginT]]:
        return list(self._plugins.items())

    # -- offering -----------------------------------------------------------------------------------------

    def tests_allowed(self) -> bool:
        return bool(getattr(settings, self.test_setting, False))

    def offerable(self, plugin: Any) -> bool:
        """Configured (`is_enabled()`, where the kind has it), and not a test plugin unless they are on."""
        is_enabled = getattr(plugin, "is_enabled", None)
        if is_enabled is not None and not is_enabled():
            return False
        return self.tests_allowed() or not getattr(plugin, "is_test_plugin", False)

    def enabled(self) -> list[PluginT]:
        """The plugins that may be offered now, in registration order."""
        return [plugin for plugin in self if self.offerable(plugin)]

    def enabled_items(self) -> list[tuple[str, PluginT]]:
        """(identifier, plugin) of the plugins that may be offered now."""
        return [(identifier, plugin) for identifier, plugin in self.items() if self.offerable(plugin)]

    def get_enabled(self, identifier: str) -> PluginT | None:
        """The plugin if it is registered and may be offered now, else None."""
        plugin = self._plugins.get(identifier)
        return plugin if plugin is not None and self.offerable(plugin) else None
