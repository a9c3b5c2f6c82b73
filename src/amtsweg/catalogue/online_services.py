"""Extension point for the Leistung page: where citizens can apply online.

The catalogue knows nothing of online services (later stages, e.g. the shop, own them), so it offers a
small registry instead: a later app registers a provider in its `AppConfig.ready()`; the provider returns
the links that apply to an OZG-Leistung for this request. With no provider, the section stays empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from amtsweg.catalogue.models import OzgService


@dataclass(frozen=True)
class OnlineServiceLink:
    title: str
    url: str
    description: str = ""


Provider = Callable[[HttpRequest, OzgService], Iterable[OnlineServiceLink]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Register a provider (usable as a decorator); registering the same one twice has no effect."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def links_for(request: HttpRequest, service: OzgService) -> list[OnlineServiceLink]:
    return [link for provider in _providers for link in provider(request, service)]
