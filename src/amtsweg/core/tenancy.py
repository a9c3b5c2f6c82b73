"""The one place where tenancy is enforced.

Every model that belongs to a tenant uses `TenantQuerySet.as_manager()` (or a subclass), names the path
from itself to its owning `accounts.Authority` in `tenant_path` (`""` for the Authority itself) and says
in `tenant_land_access` what Land operators may do with the rows of the Kommunen of their Land.
Views and APIs never filter by authority themselves; they call

* `Model.objects.visible_to(user)` for everything they show,
* `Model.objects.editable_by(user)` to fetch the row they are about to change, and
* `can_act_for(user, authority)` (or `Authority.objects.acting_for(user)` for choices) before they create
  rows for an Authority, and `can_manage_area(user, area_ars)` before they route an area's applications.

The acting user is always passed explicitly: a person, or `amtsweg.core.actors.SYSTEM` for the platform
itself (jobs, imports, management commands, demo data). `None` is not an actor: the permission checks raise
`TypeError` for it (`require_actor`), so a forgotten argument can never mean "full access". The tenancy
querysets give SYSTEM nothing (it is not authenticated); code that lets the system act checks
`is_system(actor)` explicitly, as `can_act_for` and `can_manage_area` do.

A row that is not in the user's scope is simply absent, so views answer 404 (existence is not leaked).

Who sees what (`visible_to`):

* platform superusers: everything;
* Kommune administrators and staff (of a Kommune, Kreis or Land office): the rows of their own Authority;
* Land operators: the rows of their Land's own offices (Authorities of kind "land" in their Land, the
  "Land-owned" rows), plus the rows of the Kommunen of their Land where the model says
  `tenant_land_access` is `LandAccess.READ` or `LandAccess.WRITE`;
* everybody else (anonymous, inactive, citizens, accounts without an Authority): nothing.

Who may change what (`editable_by`):

* superusers: everything;
* members of the owning Authority whose role is in the model's `tenant_edit_roles` (default: every staff
  role; `Authority`, `User` and API clients narrow it to administrators);
* Land operators: Land-owned rows, and rows of the Kommunen of their Land only where `tenant_land_access`
  is `LandAccess.WRITE`.

Why the Land's access is declared per model and defaults to `LandAccess.NONE`: the Land runs the platform
for its Kommunen, offers the services and onboards Kommunen (creates the Authority and its first
administrator, fixes a wrong contact address, prepares subscriptions). A Kommune's applications and
everything that leads to them (destinations and their keys, API clients, tokens, delivery orders) are the
Kommune's alone: if the Land could register a key or a Fachverfahren client for a Kommune's destination it
could read the Kommune's applications. A new tenant model is therefore closed to the Land until someone
decides otherwise, and `accounts/tests/test_tenancy.py` asks every tenant model to say so explicitly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import models

from amtsweg.core.actors import is_system

#: Whoever acts: an `accounts.User`, an anonymous user or `core.actors.SYSTEM`. Read only through the
#: attributes they share (`is_authenticated`, `is_active`, `role`, `authority`), because core comes before
#: accounts and may not import it (README "Architecture", `lint-imports`).
Actor = Any

STAFF_ROLES = frozenset({"land_operator", "kommune_admin", "kommune_staff"})
ADMIN_ROLES = frozenset({"land_operator", "kommune_admin"})
# `accounts.Authority.Kind.LAND` (core may not import accounts): the Land's own offices.
LAND_KIND = "land"


class LandAccess(StrEnum):
    """What a Land operator may do with the rows of the Kommunen of their Land (Land-owned rows aside)."""

    NONE = "none"
    READ = "read"
    WRITE = "write"


def _is_active_user(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def _staff_authority(user: Any):
    """The Authority a staff account works for, or None (citizens, accounts without an Authority)."""
    if getattr(user, "role", None) not in STAFF_ROLES:
        return None
    return getattr(user, "authority", None)


def is_land_owned(authority: Any, land_code: str) -> bool:
    """An office of the Land itself (not a Kommune or Kreis) in this Land."""
    return authority.kind == LAND_KIND and authority.land_code == land_code


def require_actor(actor: Any) -> None:
    """Refuse a missing actor. Why a TypeError: it is a programming error (like a missing argument), never a
    question of permission — and it must not be caught and turned into "access denied" or "full access"."""
    if actor is None:
        raise TypeError("no acting user: pass the user, or amtsweg.core.actors.SYSTEM for the platform itself")


def can_act_for(user: Actor, authority: Any) -> bool:
    """May `user` create or change things *for* `authority` (destinations, keys, API clients, accounts)?

    Staff act for their own Authority, Land operators also for the Land's own offices (Land-owned),
    superusers for everyone. A Land operator never acts for a Kommune: that would let the Land register
    keys or Fachverfahren clients for the Kommune's applications. `SYSTEM` (management commands, imports,
    demo data) acts for every Authority; requests always pass their user; `None` raises TypeError.
    """
    require_actor(user)
    if is_system(user):
        return True
    if not _is_active_user(user):
        return False
    if user.is_superuser:
        return True
    own = _staff_authority(user)
    if own is None:
        return False
    if own.pk == authority.pk:
        return True
    return user.role == "land_operator" and is_land_owned(authority, own.land_code)


def can_manage_area(user: Actor, area_ars: str) -> bool:
    """May `user` route the applications of the area `area_ars` (register responsibilities for it)?

    Kommune staff manage areas inside their Authority's area; Land operators only the whole Land. A Land
    operator may not register a responsibility for a Kreis or a Gemeinde: the most specific entry wins, so
    a Land entry for a Gemeinde would divert that Kommune's applications to the Land. `SYSTEM` (the Land's
    bulk import run as a command) manages every area; `None` raises TypeError."""
    require_actor(user)
    if is_system(user):
        return True
    if not _is_active_user(user):
        return False
    if user.is_superuser:
        return True
    authority = _staff_authority(user)
    if authority is None:
        return False
    if user.role == "land_operator":
        return area_ars == authority.land_code
    return area_ars.startswith(authority.area_ars)


# --- Role checks: who may open a kind of page or use a kind of function ---------------------------------
# The page guards (`accounts.access`), the staff home's sections (`accounts.navigation`) and the apps' staff
# views all ask these, so a role rule is written once. They say nothing about rows: that is `visible_to`,
# `editable_by` and `can_act_for`.


def is_kommune_admin(user: Actor) -> bool:
    """An administrator of an Authority (the `admin_required` pages)."""
    return bool(getattr(user, "role", None) == "kommune_admin" and getattr(user, "authority_id", None))


def is_land_operator(user: Actor) -> bool:
    """A Land operator of a Land office (the `land_operator_required` pages)."""
    return bool(getattr(user, "role", None) == "land_operator" and getattr(user, "authority_id", None))


def is_kommune_member(user: Actor) -> bool:
    """Staff of a Kommune or Kreis, not of a Land office: who has pages about "our Kommune" (the maturity
    dashboard); a Land office's staff look at their Land instead."""
    authority = getattr(user, "authority", None) if getattr(user, "authority_id", None) else None
    return bool(authority is not None and getattr(authority, "kind", "") != "land")


def is_admin_or_operator(user: Actor) -> bool:
    """Kommune administrators, Land operators and superusers: who manages accounts and reads the audit log."""
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) == "kommune_admin"
                or is_land_operator(user))


def is_authority_admin(user: Actor) -> bool:
    """An administrator of the Authority they work for: a Kommune's administrator, or a Land operator for the
    Land's own office. Pages that configure one's own Authority (the back office's teams and per-service
    settings) need an Authority, so superusers without one are not included."""
    return is_kommune_admin(user) or is_land_operator(user)


def can_manage_api_clients(user: Actor) -> bool:
    """Who may list, create and revoke Submission-API clients (for the Authorities they act for)."""
    return bool(getattr(user, "is_superuser", False) or is_kommune_admin(user) or is_land_operator(user))


def can_create_sender_clients(user: Actor) -> bool:
    """Sender clients submit applications for the whole Land: Land operators (and superusers of an office)."""
    return bool((getattr(user, "is_superuser", False) and getattr(user, "authority_id", None))
                or is_land_operator(user))


def can_edit_forms(user: Actor) -> bool:
    """The application assistants' forms are the Land's: Land operators and superusers edit them."""
    return bool(getattr(user, "is_superuser", False) or is_land_operator(user))


class TenantQuerySet(models.QuerySet):
    """Queryset with the tenant scopes. Model attributes it reads:

    `tenant_path` (required): ORM path to the owning Authority, `""` for Authority itself.
    `tenant_land_access` (default `LandAccess.NONE`): Land operators' access to rows of their Land's Kommunen.
    `tenant_edit_roles` (default all staff roles): roles of the owning Authority that may change rows.
    """

    def _tenant_path(self) -> str:
        path = getattr(self.model, "tenant_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} must declare tenant_path to use TenantQuerySet")
        return path

    def _prefix(self) -> str:
        path = self._tenant_path()
        return f"{path}__" if path else ""

    def _land_access(self) -> LandAccess:
        return LandAccess(getattr(self.model, "tenant_land_access", LandAccess.NONE))

    def _edit_roles(self) -> frozenset[str]:
        return frozenset(getattr(self.model, "tenant_edit_roles", STAFF_ROLES))

    def _own_authority(self, authority) -> models.Q:
        return models.Q(**{f"{self._prefix()}pk": authority.pk})

    def _land(self, land_code: str) -> models.Q:
        return models.Q(**{f"{self._prefix()}land_code": land_code})

    def _land_owned(self, land_code: str) -> models.Q:
        prefix = self._prefix()
        return models.Q(**{f"{prefix}land_code": land_code, f"{prefix}kind": LAND_KIND})

    def _scope(self, user: Actor, *, write: bool) -> TenantQuerySet:
        if not _is_active_user(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        authority = _staff_authority(user)
        if authority is None:
            return self.none()
        if write and user.role not in self._edit_roles():
            return self.none()
        if user.role != "land_operator":
            return self.filter(self._own_authority(authority))
        needed = {LandAccess.WRITE} if write else {LandAccess.READ, LandAccess.WRITE}
        if self._land_access() in needed:
            return self.filter(self._land(authority.land_code))
        # The Land's own offices are the operator's own, like a Kommune's rows are its staff's.
        return self.filter(self._land_owned(authority.land_code) | self._own_authority(authority))

    def visible_to(self, user: Actor) -> TenantQuerySet:
        """Rows this user may read. Unknown, anonymous, inactive users and citizens see nothing."""
        return self._scope(user, write=False)

    def editable_by(self, user: Actor) -> TenantQuerySet:
        """Rows this user may change (always a subset of `visible_to`)."""
        return self._scope(user, write=True)

    def acting_for(self, user: Actor) -> TenantQuerySet:
        """Rows owned by the Authorities `user` acts for (`can_act_for`), whatever the model's Land access:
        e.g. the Authorities a new destination or API client may be created for."""
        if not _is_active_user(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        authority = _staff_authority(user)
        if authority is None:
            return self.none()
        if user.role == "land_operator":
            return self.filter(self._land_owned(authority.land_code) | self._own_authority(authority))
        return self.filter(self._own_authority(authority))
