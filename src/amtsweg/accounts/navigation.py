"""The "Verwaltungsbereiche" on the staff home page: a small registry later apps add their areas to.

An app registers its staff areas once, in its `AppConfig.ready()`, in a `PluginRegistry`
(`amtsweg.core.plugins`; a key registered twice is an error):

    from amtsweg.accounts import navigation

    navigation.register.add("routing.destinations", navigation.Section(   # unique key
        title=_("Zustellpunkte"),
        url_name="routing:destinations",
        description=_("Wohin Anträge Ihrer Behörde zugestellt werden"),
        allowed=tenancy.is_admin_or_operator,        # who sees the link (a core.tenancy check; default: all)
        order=30,                                    # smaller comes first
    ))

The staff home lists the sections whose `allowed(user)` is true. A link is only a hint: the target view
must still be protected by `staff_required`/`admin_required`/`land_operator_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from amtsweg.core.plugins import PluginRegistry


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    title: str
    url_name: str
    description: str = ""
    allowed: Callable = everyone
    order: int = 100
    is_test_plugin: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


register: PluginRegistry[Section] = PluginRegistry("staff navigation section")


def sections_for(user) -> list[Section]:
    """The sections this user may see, in order; entries whose URL does not resolve are left out."""
    visible = []
    for section in sorted(register.enabled(), key=lambda s: (s.order, str(s.title))):
        if not section.allowed(user):
            continue
        try:
            section.url  # noqa: B018 - resolve once so a broken registration cannot break the home page
        except NoReverseMatch:
            continue
        visible.append(section)
    return visible
