"""The "Verwaltungsbereiche" on the staff home page: a small registry later apps add their areas to.

An app registers its staff areas once, in its `AppConfig.ready()`:

    from amtsweg.accounts import navigation

    navigation.register(
        "routing.destinations",                      # unique key; registering it again replaces the entry
        title=_("Zustellpunkte"),
        url_name="routing:destinations",
        description=_("Wohin Anträge Ihrer Behörde zugestellt werden"),
        allowed=navigation.admins,                   # who sees the link (default: all staff)
        order=30,                                    # smaller comes first
    )

The staff home lists the sections whose `allowed(user)` is true. A link is only a hint: the target view
must still be protected by `staff_required`/`admin_required`/`land_operator_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


def everyone(user) -> bool:
    return True


def admins(user) -> bool:
    """Kommune administrators and Land operators."""
    return bool(user.is_superuser or user.is_kommune_admin or user.is_land_operator)


def kommune_admins(user) -> bool:
    return bool(user.is_kommune_admin and user.authority_id)


def land_operators(user) -> bool:
    return bool(user.is_land_operator)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    url_name: str
    description: str = ""
    allowed: Callable = everyone
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_sections: dict[str, Section] = {}


def register(
    key: str,
    *,
    title: str,
    url_name: str,
    description: str = "",
    allowed: Callable = everyone,
    order: int = 100,
) -> Section:
    section = Section(key=key, title=title, url_name=url_name, description=description, allowed=allowed, order=order)
    _sections[key] = section
    return section


def unregister(key: str) -> None:
    _sections.pop(key, None)


def sections_for(user) -> list[Section]:
    """The sections this user may see, in order; entries whose URL does not resolve are left out."""
    visible = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, str(s.title))):
        if not section.allowed(user):
            continue
        try:
            section.url  # noqa: B018 - resolve once so a broken registration cannot break the home page
        except NoReverseMatch:
            continue
        visible.append(section)
    return visible
