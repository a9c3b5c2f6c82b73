"""The citizen's identity in the session: what the form assistant reads for prefill and level checks.

Contract for other apps (do not change without telling them):
    get_citizen_identity(request) -> CitizenIdentity | None
    login_url(request, next_url, min_level=None) -> str
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from amtsweg.identity import levels

SESSION_KEY = "amtsweg.identity"


@dataclass(frozen=True)
class CitizenIdentity:
    provider: str  # identifier of the identity provider plugin, e.g. "bundid", "test-saml"
    subject: str  # the provider's stable pseudonymous id of the person (BundID: bPK2 / NameID)
    given_name: str = ""
    family_name: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    level: str = levels.NIEDRIG  # "niedrig" | "substantiell" | "hoch"
    birth_date: str = ""  # ISO 8601 (YYYY-MM-DD) when the provider sent a complete date, else empty

    def __post_init__(self) -> None:
        if self.level not in levels.LEVELS:
            raise ValueError(f"unknown level of assurance: {self.level!r}")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def as_session(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> CitizenIdentity | None:
        names = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in names})
        except (TypeError, ValueError):
            return None


def get_citizen_identity(request: HttpRequest) -> CitizenIdentity | None:
    """The identity of the logged-in citizen, or None (anonymous, staff, or the login was for someone else)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or str(user.pk) != str(data.get("user_id")):
        return None
    return CitizenIdentity.from_session(data)


def store_citizen_identity(request: HttpRequest, identity: CitizenIdentity) -> None:
    """Called after `django.contrib.auth.login` (which rotates the session) by the login service."""
    request.session[SESSION_KEY] = {**identity.as_session(), "user_id": str(request.user.pk)}


def clear_citizen_identity(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def login_url(request: HttpRequest | None, next_url: str, min_level: str | None = None) -> str:
    """URL of the provider chooser: lists the providers that can reach `min_level`, then returns to next_url."""
    params = {"next": next_url}
    if min_level:
        normalized = levels.normalize(min_level)
        if normalized is None:
            raise ValueError(f"unknown level of assurance: {min_level!r}")
        params["stufe"] = normalized
    return f"{reverse('identity:choose')}?{urlencode(params)}"


def offered_login_url(request: HttpRequest | None, next_url: str, min_level: str | None = None) -> str | None:
    """`login_url`, but `None` when no provider a citizen may choose now reaches `min_level`.

    Pages that offer a login (a form's start page, "Meine Anträge") use this: a chooser with nothing to
    choose is a dead end, and an installation without BundID or OpenID configured must not promise a login
    (issue 16)."""
    from amtsweg.identity.registry import register

    if not register.enabled(levels.normalize(min_level) if min_level else None):
        return None
    return login_url(request, next_url, min_level=min_level)
