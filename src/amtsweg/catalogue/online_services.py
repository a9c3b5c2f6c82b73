"""Extension point for the Leistung page: where citizens can apply online.

The catalogue knows nothing of online services (later stages, e.g. the shop, own them), so it offers a
small registry instead: a later app registers a provider in its `AppConfig.ready()`; the provider returns
the links that apply to an OZG-Leistung for this request. With no provider, the section stays empty.

    from amtsweg.catalogue import online_services
    online_services.register.add("shop", links.catalogue_page_links)

Providers live in a `PluginRegistry` (`amtsweg.core.plugins`): one identifier per provider, registered once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from amtsweg.catalogue.models import OzgService
from amtsweg.core.plugins import PluginRegistry


@dataclass(frozen=True)
class OnlineServiceLink:
    title: str
    url: str
    description: str = ""


Provider = Callable[[HttpRequest, OzgService], Iterable[OnlineServiceLink]]

register: PluginRegistry[Provider] = PluginRegistry("online-service link provider (catalogue)")


def links_for(request: HttpRequest, service: OzgService) -> list[OnlineServiceLink]:
    """Every provider's links, one per URL: two providers may offer the same one (the assistants app every
    published form, the shop its offer); the later provider's wins (the shop names the offer and says where)."""
    links: dict[str, OnlineServiceLink] = {}
    for provider in register.enabled():
        for link in provider(request, service):
            links[link.url] = link
    return list(links.values())
