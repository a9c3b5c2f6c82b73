"""Where a citizen can apply online: a small registry later apps (the shop) register into.

Routing knows nothing of online services; the shop knows which are live for which Authority. It registers
a provider once (e.g. in its AppConfig.ready):

    from amtsweg.routing.links import register_online_service_link_provider

    def live_services(leika_key, authority, municipality_ars):
        return [OnlineServiceLink(label="Hundesteuer online anmelden", url="/…")]

    register_online_service_link_provider(live_services)

The "Wer ist zuständig?" page then shows an "Online beantragen" link for every link returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from amtsweg.accounts.models import Authority


@dataclass(frozen=True)
class OnlineServiceLink:
    label: str
    url: str


LinkProvider = Callable[[str, Authority, str], list[OnlineServiceLink]]
_providers: list[LinkProvider] = []


def register_online_service_link_provider(provider: LinkProvider) -> LinkProvider:
    """Register (idempotently) a provider; usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_online_service_link_provider(provider: LinkProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def online_service_links(leika_key: str, authority: Authority, municipality_ars: str = "") -> list[OnlineServiceLink]:
    """All links the registered providers offer for this service, Authority and (if known) Gemeinde."""
    links: list[OnlineServiceLink] = []
    for provider in list(_providers):
        for link in provider(leika_key, authority, municipality_ars) or []:
            if link not in links:
                links.append(link)
    return links
