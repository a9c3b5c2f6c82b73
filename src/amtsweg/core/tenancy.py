"""The one place where tenancy is enforced.

Every model that belongs to a tenant uses `TenantQuerySet.as_manager()` (or a subclass) and names the
path from itself to its owning `Authority` in `tenant_path`. Views and APIs never filter by authority
themselves: they call `Model.objects.visible_to(user)`, which returns

* everything for platform superusers,
* the rows of the user's Land for Land operators,
* the rows of the user's own Authority for Kommune administrators and staff,
* nothing for anybody else (anonymous users, citizens, users without an authority).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from amtsweg.accounts.models import User


class TenantQuerySet(models.QuerySet):
    def _tenant_path(self) -> str:
        path = getattr(self.model, "tenant_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} must declare tenant_path to use TenantQuerySet")
        return path

    def visible_to(self, user: User | Any) -> TenantQuerySet:
        """Rows this user may read. Unknown or anonymous users see nothing."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        authority = getattr(user, "authority", None)
        if authority is None:
            return self.none()
        path = self._tenant_path()
        prefix = f"{path}__" if path else ""
        if user.is_land_operator:
            return self.filter(**{f"{prefix}land_code": authority.land_code})
        if path:
            return self.filter(**{path: authority})
        return self.filter(pk=authority.pk)

    def editable_by(self, user: User | Any) -> TenantQuerySet:
        """Rows this user may change: staff of the owning Authority and its Land's operators."""
        return self.visible_to(user)
