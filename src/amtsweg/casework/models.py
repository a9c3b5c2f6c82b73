"""The back office (Amtsweg-Sachbearbeitung): data keys of the vault, cases and their file.

Stable contract for later stages (Postfach, Rückfrage, Bescheid) — change only additively:

* `DataKey`: an Authority's AES-256 data key, stored only wrapped by the KEK (`amtsweg.casework.vault`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core.tenancy import LandAccess, TenantQuerySet


class DataKey(models.Model):
    """A per-Authority data key, wrapped by the key-encryption key (never stored in clear).

    `key_id` is named in every value sealed with it; one key per Authority is active (not retired), older
    ones only open what they sealed. `kek_id` says which KEK wrapped it (KEK rotation re-wraps)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField(max_length=32)
    kek_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "authority"
    # Keys to a Kommune's case files: nobody's business but the vault's (no page shows them).
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "key_id"], name="casework_datakey_uniq"),
            models.UniqueConstraint(fields=["authority"], condition=models.Q(retired_at__isnull=True),
                                    name="casework_datakey_one_active"),
        ]
        verbose_name = _("Datenschlüssel")
        verbose_name_plural = _("Datenschlüssel")

    def __str__(self) -> str:
        return f"data key {self.key_id}"
