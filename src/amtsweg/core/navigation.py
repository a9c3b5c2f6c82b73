"""The public main navigation: apps add their citizen-facing entries in `AppConfig.ready()`.

    from amtsweg.core import navigation
    navigation.register("routing.who", title=_("Wer ist zuständig?"), url_name="routing:who_is_responsible",
                        namespace="routing", order=30)

The page frame (core/base.html) renders the entries through the `public_navigation` context processor, so
core never names a later app's pages itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    url_name: str
    namespace: str = ""  # the entry is marked current on every page of this URL namespace
    order: int = 100


_entries: dict[str, Entry] = {}


def register(key: str, *, title: str, url_name: str, namespace: str = "", order: int = 100) -> None:
    _entries[key] = Entry(key, title, url_name, namespace, order)


def entries() -> list[Entry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.key))


def public_navigation(request) -> dict:
    """Context processor: the registered entries with their URL and whether they are the current section."""
    match = getattr(request, "resolver_match", None)
    current_ns = match.namespace if match else ""
    items = []
    for entry in entries():
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"title": entry.title, "url": url, "current": bool(entry.namespace and
                                                                         entry.namespace == current_ns)})
    return {"public_navigation": items}
