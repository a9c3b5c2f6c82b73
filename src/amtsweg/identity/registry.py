"""Identity provider plugins: a small typed registry, one entry per provider a citizen can choose.

A plugin knows how to start a login (`start_login`) and, in its own callback view, how to turn the
provider's answer into a `CitizenIdentity`. Plugins register under a unique identifier; test plugins
(`is_test_plugin`) only appear when settings.AMTSWEG_TEST_IDENTITY_PROVIDERS is on, and real ones only
when their configuration is complete (`is_enabled`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings

from amtsweg.identity import levels

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class IdentityProvider(ABC):
    identifier: str = ""
    label: str = ""
    description: str = ""
    protocol: str = ""  # "saml" or "oidc"
    is_test_plugin: bool = False

    @abstractmethod
    def is_enabled(self) -> bool:
        """Configured and allowed to be offered."""

    @abstractmethod
    def offered_levels(self) -> tuple[str, ...]:
        """Levels of assurance this provider can deliver (German names)."""

    @abstractmethod
    def start_login(self, request: HttpRequest, *, min_level: str | None, next_url: str) -> HttpResponse:
        """Send the citizen's browser to the provider."""

    def can_reach(self, min_level: str | None) -> bool:
        return any(levels.satisfies(level, min_level) for level in self.offered_levels())


class Registry[PluginT: IdentityProvider]:
    def __init__(self) -> None:
        self._plugins: dict[str, PluginT] = {}

    def __call__(self, identifier: str) -> Callable[[type[PluginT]], type[PluginT]]:
        def decorator(cls: type[PluginT]) -> type[PluginT]:
            if identifier in self._plugins:
                raise ValueError(f"identity provider {identifier!r} is registered twice")
            plugin = cls()
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

    def enabled(self, min_level: str | None = None) -> list[PluginT]:
        """Providers a citizen may choose now, that can reach `min_level`."""
        with_tests = getattr(settings, "AMTSWEG_TEST_IDENTITY_PROVIDERS", False)
        return [
            p for p in self
            if (with_tests or not p.is_test_plugin) and p.is_enabled() and p.can_reach(min_level)
        ]

    def get_enabled(self, identifier: str) -> PluginT | None:
        plugin = self._plugins.get(identifier)
        if plugin is None or not plugin.is_enabled():
            return None
        if plugin.is_test_plugin and not getattr(settings, "AMTSWEG_TEST_IDENTITY_PROVIDERS", False):
            return None
        return plugin


register: Registry[IdentityProvider] = Registry()
