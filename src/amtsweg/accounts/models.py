"""Tenants and people: Authorities (the tenants) and user accounts with their role.

A staff account belongs to exactly one Authority and sees only that Authority's data; a Land
operator's account belongs to a Land office and sees everything of its Land. Citizens have accounts
without an Authority and see no tenant data at all. Scoping itself lives in `amtsweg.core.tenancy`.
"""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.core.tenancy import ADMIN_ROLES, LandAccess, TenantQuerySet
from amtsweg.geo.models import District, Land, Municipality


class Authority(models.Model):
    """Behörde / zuständige Stelle: a Kommune, Kreis or Land office. The tenant of the platform."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        DISTRICT = "district", _("Kreis")
        LAND = "land", _("Landesbehörde")

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    # The area the authority belongs to, as an ARS prefix: 2 digits (Land), 5 (Kreis), 9 (Verband), 12 (Gemeinde).
    area_ars = models.CharField(_("Gebiet (ARS)"), max_length=12, db_index=True)
    land_code = models.CharField(_("Land"), max_length=2, db_index=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, null=True, blank=True)

    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    website = models.URLField(_("Webseite"), blank=True)
    opening_hours = models.TextField(_("Öffnungszeiten"), blank=True)
    # The creditor identifier of the office's cash office for SEPA direct debits it collects (Hundesteuer):
    # the mandate a citizen gives in a form must name it (issue 16), so it is data of the payee, not text.
    sepa_creditor_id = models.CharField(_("Gläubiger-Identifikationsnummer (SEPA)"), max_length=35, blank=True,
                                        db_default="")  # db_default: the previous release inserts without it
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = ""  # an Authority is its own tenant
    tenant_edit_roles = ADMIN_ROLES  # staff read their Authority's data; administrators change it
    # The Land creates the Authorities of its Kommunen and fixes their (public) contact data.
    tenant_land_access = LandAccess.WRITE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Behörde")
        verbose_name_plural = _("Behörden")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.land_code = self.area_ars[:2]
        super().save(*args, **kwargs)


class UserManager(DjangoUserManager.from_queryset(TenantQuerySet)):
    """Django's user manager with the tenant scopes: `User.objects.visible_to(user)`."""


class User(AbstractUser):
    class Role(models.TextChoices):
        LAND_OPERATOR = "land_operator", _("Land-Betrieb")
        KOMMUNE_ADMIN = "kommune_admin", _("Kommune: Administration")
        KOMMUNE_STAFF = "kommune_staff", _("Kommune: Sachbearbeitung")
        CITIZEN = "citizen", _("Bürgerin/Bürger")

    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, default=Role.KOMMUNE_STAFF)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )

    # Staff accounts are tenant data of their Authority; citizens (no Authority) are visible to superusers only.
    tenant_path = "authority"
    tenant_edit_roles = ADMIN_ROLES
    # A Kommune's accounts are the Kommune's: the Land only creates the first administrator
    # (`services.create_staff_account`), it never sees, resets or deactivates the Kommune's accounts.
    tenant_land_access = LandAccess.NONE
    objects = UserManager()

    class Meta:
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="citizen", authority__isnull=True) | ~models.Q(role="citizen"),
                name="citizen_has_no_authority",
            )
        ]

    @property
    def is_land_operator(self) -> bool:
        return self.role == self.Role.LAND_OPERATOR and self.authority_id is not None

    @property
    def is_kommune_admin(self) -> bool:
        return self.role == self.Role.KOMMUNE_ADMIN

    @property
    def is_staff_member(self) -> bool:
        """Works for an Authority (any staff role)."""
        return self.role != self.Role.CITIZEN and self.authority_id is not None

    @property
    def requires_totp(self) -> bool:
        """Administrators and Land operators must use a second factor."""
        return self.is_superuser or self.role in {self.Role.KOMMUNE_ADMIN, self.Role.LAND_OPERATOR}


class AuditEntry(models.Model):
    """One change to security-relevant tenant data: who (actor) did what (action) to which row (target) of
    which Authority, and when. Written by `amtsweg.accounts.audit.record` inside the transaction of the change,
    so a change is never stored without its entry. Entries are never changed or deleted by the application.

    `details` carries ids, names and changed non-secret values only: never a secret, a password or personal
    data of citizens."""

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("durch")
    )
    # The username at the time (accounts may be renamed or removed later); blank for the system itself.
    actor_username = models.CharField(_("Benutzername"), max_length=150, blank=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    action = models.CharField(_("Aktion"), max_length=60)
    target_type = models.CharField(_("Art"), max_length=60)
    target_id = models.CharField(_("Kennung"), max_length=64)
    target_label = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    tenant_path = "authority"
    # Who changed a Kommune's keys and clients is the Kommune's business (and its staff's usernames).
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    @property
    def by_system(self) -> bool:
        """Written for `amtsweg.core.actors.SYSTEM` (a command or job), not for a person."""
        return self.actor_id is None and not self.actor_username
