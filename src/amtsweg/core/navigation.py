"""The public main navigation: apps add their citizen-facing entries in `AppConfig.ready()`.

    from amtsweg.core import navigation
    navigation.register.add("routing.who", navigation.Entry(
        title=_("Wer ist zuständig?"), url_name="routing:who_is_responsible", namespace="routing", order=30))

The entries live in a `PluginRegistry` (`amtsweg.core.plugins`): a key registered twice is an error. The page
frame (core/base.html) renders them through the `public_navigation` context processor, so core never names a
later app's pages itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from amtsweg.core.plugins import PluginRegistry


@dataclass(frozen=True)
class Entry:
    title: str
    url_name: str
    namespace: str = ""  # the entry is marked current on every page of this URL namespace
    # ... or on every page under this path (for an app whose namespace also holds staff pages)
    path_prefix: str = ""
    order: int = 100
    is_test_plugin: bool = False


register: PluginRegistry[Entry] = PluginRegistry("public navigation entry")


def entries() -> list[Entry]:
    """The entries that may be offered, by order and then key."""
    return [entry for _key, entry in sorted(register.enabled_items(), key=lambda item: (item[1].order, item[0]))]


# The staff area ("Verwaltung" in the frame): the Kommunen's and the Land's pages and the staff's own account.
# Apps such as routing or assistants keep citizen and staff pages in one URL namespace; on a staff page their
# public entry must not light up, "Verwaltung" must (issue 16: the navigation did not show where one was).
STAFF_PATH_PREFIXES = ("/verwaltung/", "/land/", "/konto/profil/")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def public_navigation(request) -> dict:
    """Context processor: the registered entries with their URL and whether they are the current section, and
    whether the page belongs to the staff area (`staff_section_current`)."""
    match = getattr(request, "resolver_match", None)
    current_ns = match.namespace if match else ""
    path = getattr(request, "path", "")
    staff = is_staff_path(path)
    items = []
    for entry in entries():
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        current = not staff and (bool(entry.namespace and entry.namespace == current_ns) or bool(
            entry.path_prefix and path.startswith(entry.path_prefix)))
        items.append({"title": entry.title, "url": url, "current": current})
    return {"public_navigation": items, "staff_section_current": staff}
