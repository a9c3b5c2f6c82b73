"""Where a citizen can apply online: a small registry later apps (the shop) register into.

Routing knows nothing of online services; the shop knows which are live for which Authority. It registers
a provider once, in its AppConfig.ready(), in a `PluginRegistry` (`amtsweg.core.plugins`):

    from amtsweg.routing import links

    def live_services(leika_key, authority, municipality_ars):
        return [links.OnlineServiceLink(label="Hundesteuer online anmelden", url="/…")]

    links.register.add("shop", live_services)

The "Wer ist zuständig?" page then shows an "Online beantragen" link for every link returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from amtsweg.accounts.models import Authority
from amtsweg.core.plugins import PluginRegistry


@dataclass(frozen=True)
class OnlineServiceLink:
    label: str
    url: str
    note: str = ""  # e.g. the fee this place's office charges, shown under the link


LinkProvider = Callable[[str, Authority, str], list[OnlineServiceLink]]
register: PluginRegistry[LinkProvider] = PluginRegistry("online-service link provider (routing)")


def online_service_links(leika_key: str, authority: Authority, municipality_ars: str = "") -> list[OnlineServiceLink]:
    """All links the registered providers offer for this service, Authority and (if known) Gemeinde."""
    links: dict[str, OnlineServiceLink] = {}
    for provider in register.enabled():
        for link in provider(leika_key, authority, municipality_ars) or []:
            # Two providers may offer the same form (the assistants app every published form, the shop the
            # live offer): one link per URL, the later provider's label wins (the shop names the offer), an
            # earlier provider's note stays unless the later one has its own.
            earlier = links.get(link.url)
            if earlier is not None and not link.note and earlier.note:
                link = replace(link, note=earlier.note)
            links[link.url] = link
    return list(links.values())
