"""The one place where tenancy is enforced.

Every model that belongs to a tenant uses `TenantQuerySet.as_manager()` (or a subclass) and names the
path from itself to its owning `accounts.Authority` in `tenant_path` (`""` for the Authority itself).
Views and APIs never filter by authority themselves; they call

* `Model.objects.visible_to(user)` for everything they show, and
* `Model.objects.editable_by(user)` to fetch the row they are about to change.

A row that is not in the user's scope is simply absent, so views answer 404 (existence is not leaked).

Who sees what (`visible_to`):

* platform superusers: everything;
* Land operators: the rows of every Authority in their Land, unless the model says otherwise
  (`tenant_land_access`, see below);
* Kommune administrators and staff (of a Kommune, Kreis or Land office): the rows of their own Authority;
* everybody else (anonymous, inactive, citizens, accounts without an Authority): nothing.

Who may change what (`editable_by`):

* superusers: everything;
* members of the owning Authority whose role is in the model's `tenant_edit_roles` (default: every staff
  role; `Authority` and `User` narrow it to administrators);
* Land operators: rows of their Land only where `tenant_land_access` is `LandAccess.WRITE`.

Why Land operators may write by default: the Land runs the platform for its Kommunen and its operators
onboard Kommunen and do first-level support (create the Authority and its first administrator, fix a
wrong contact address). They are few, TOTP-protected and accountable. Models that hold citizens' personal
data (applications, cases, mailbox messages) are none of the Land's business: they declare
`tenant_land_access = LandAccess.NONE` (the Land sees nothing) or `LandAccess.READ` (e.g. statistics).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from amtsweg.accounts.models import User

STAFF_ROLES = frozenset({"land_operator", "kommune_admin", "kommune_staff"})
ADMIN_ROLES = frozenset({"land_operator", "kommune_admin"})


class LandAccess(StrEnum):
    """What a Land operator may do with a model's rows in their Land."""

    NONE = "none"
    READ = "read"
    WRITE = "write"


def _is_active_user(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


class TenantQuerySet(models.QuerySet):
    """Queryset with the tenant scopes. Model attributes it reads:

    `tenant_path` (required): ORM path to the owning Authority, `""` for Authority itself.
    `tenant_land_access` (default `LandAccess.WRITE`): Land operators' access to rows of their Land.
    `tenant_edit_roles` (default all staff roles): roles of the owning Authority that may change rows.
    """

    def _tenant_path(self) -> str:
        path = getattr(self.model, "tenant_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} must declare tenant_path to use TenantQuerySet")
        return path

    def _land_access(self) -> LandAccess:
        return LandAccess(getattr(self.model, "tenant_land_access", LandAccess.WRITE))

    def _edit_roles(self) -> frozenset[str]:
        return frozenset(getattr(self.model, "tenant_edit_roles", STAFF_ROLES))

    def _own_authority(self, authority) -> TenantQuerySet:
        path = self._tenant_path()
        if path:
            return self.filter(**{path: authority})
        return self.filter(pk=authority.pk)

    def _land(self, land_code: str) -> TenantQuerySet:
        path = self._tenant_path()
        prefix = f"{path}__" if path else ""
        return self.filter(**{f"{prefix}land_code": land_code})

    def _scope(self, user: User | Any, *, write: bool) -> TenantQuerySet:
        if not _is_active_user(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        role = getattr(user, "role", None)
        authority = getattr(user, "authority", None)
        if authority is None or role not in STAFF_ROLES:
            return self.none()
        if role == "land_operator":
            needed = {LandAccess.WRITE} if write else {LandAccess.READ, LandAccess.WRITE}
            if self._land_access() in needed:
                return self._land(authority.land_code)
            # A Land operator still belongs to the Land office: its own rows are in scope like for staff.
        if write and role not in self._edit_roles():
            return self.none()
        return self._own_authority(authority)

    def visible_to(self, user: User | Any) -> TenantQuerySet:
        """Rows this user may read. Unknown, anonymous, inactive users and citizens see nothing."""
        return self._scope(user, write=False)

    def editable_by(self, user: User | Any) -> TenantQuerySet:
        """Rows this user may change (always a subset of `visible_to`)."""
        return self._scope(user, write=True)
