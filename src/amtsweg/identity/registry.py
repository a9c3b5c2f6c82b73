"""Identity provider plugins: a small typed registry, one entry per provider a citizen can choose.

A plugin knows how to start a login (`start_login`) and, in its own callback view, how to turn the
provider's answer into a `CitizenIdentity`. Plugins register under a unique identifier; test plugins
(`is_test_plugin`) only appear when settings.AMTSWEG_TEST_IDENTITY_PROVIDERS is on, and real ones only
when their configuration is complete (`is_enabled`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from amtsweg.core.plugins import PluginRegistry
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


class Registry[PluginT: IdentityProvider](PluginRegistry[PluginT]):
    def enabled(self, min_level: str | None = None) -> list[PluginT]:
        """Providers a citizen may choose now, that can reach `min_level`."""
        return [p for p in self if self.offerable(p) and p.can_reach(min_level)]


register: Registry[IdentityProvider] = Registry("identity provider", test_setting="AMTSWEG_TEST_IDENTITY_PROVIDERS")
