"""Links on the case page to what later apps do with a case (the Postfach: messages, Rückfrage, Bescheid).

The Postfach builds on the back office, so the case page cannot name its pages; it registers here instead
(a `core.plugins.PluginRegistry`, like every plugin kind):

    case_links.register.add("postfach.messages", case_links.CaseLink(
        title=_("Nachrichten und Rückfrage"), url_name="postfach:case_messages", order=10))

Each link is reversed with the case's id as its only argument.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from amtsweg.core.plugins import PluginRegistry


@dataclass(frozen=True)
class CaseLink:
    title: str
    url_name: str
    order: int = 100
    is_test_plugin: bool = False


register: PluginRegistry[CaseLink] = PluginRegistry("case page link")


def links_for(case) -> list[dict[str, str]]:
    """The registered links for this case, by order: [{"title", "url"}]."""
    items = []
    for _key, link in sorted(register.enabled_items(), key=lambda item: (item[1].order, item[0])):
        try:
            items.append({"title": str(link.title), "url": reverse(link.url_name, args=[case.pk])})
        except NoReverseMatch:
            continue
    return items
