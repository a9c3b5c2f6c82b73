"""The Land's online-services shop: offers, agreement versions, subscriptions, reminders.

An `Offer` is an online service (Online-Dienst) a Kommune can take over. Taking it over means
accepting one exact `AgreementVersion` (recorded with who, when and from which account), configuring the
local part and going live; that is a `Subscription` (Anschluss), owned by the Kommune's Authority.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.catalogue.models import PublicService
from amtsweg.core.tenancy import LandAccess, TenantQuerySet


class Offer(models.Model):
    class ProviderKind(models.TextChoices):
        LAND = "land", _("Land")
        KOMMUNE = "kommune", _("Kommune")
        FEDERAL = "federal", _("Bund")
        VENDOR = "vendor", _("Hersteller")

    class Kind(models.TextChoices):
        EFA = "efa", _("EfA-Leistung")
        LAND = "land", _("Landesdienst")
        MARKET = "market", _("Marktprodukt")
        OWN = "own", _("Eigenentwicklung")

    class Status(models.TextChoices):
        PLANNED = "planned", _("geplant")
        PILOT = "pilot", _("Pilot")
        AVAILABLE = "available", _("verfügbar")
        RETIRED = "retired", _("eingestellt")

    class Sharing(models.TextChoices):
        EQUAL = "equal", _("zu gleichen Teilen")
        POPULATION = "population", _("nach Einwohnerzahl")
        FIXED = "fixed", _("fester Betrag je Kommune")

    slug = models.SlugField(_("Kurzname"), unique=True)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    land_code = models.CharField(_("Land"), max_length=2, db_index=True)
    provider_name = models.CharField(_("Anbieter"), max_length=200)
    provider_kind = models.CharField(_("Art des Anbieters"), max_length=20, choices=ProviderKind.choices)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    public_services = models.ManyToManyField(PublicService, verbose_name=_("LeiKa-Leistungen"), related_name="offers")
    form_slug = models.SlugField(_("Antragsassistent"), blank=True, help_text=_("Kurzname des Formulars"))
    licence = models.CharField(_("Lizenz"), max_length=100, blank=True)
    operating_model = models.CharField(_("Betriebsmodell"), max_length=200, blank=True)
    annual_cost_cents = models.PositiveBigIntegerField(_("jährliche Betriebskosten (Cent)"), default=0)
    cost_sharing = models.CharField(_("Kostenverteilung"), max_length=20, choices=Sharing.choices,
                                    default=Sharing.EQUAL)
    fixed_fee_cents = models.PositiveBigIntegerField(_("fester Jahresbetrag je Kommune (Cent)"), default=0)
    maturity_level = models.PositiveSmallIntegerField(_("Reifegrad"), default=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")

    def __str__(self) -> str:
        return self.name

    def current_agreement(self) -> AgreementVersion | None:
        return self.agreements.order_by("-version").first()

    @property
    def orderable(self) -> bool:
        return self.status in {self.Status.AVAILABLE, self.Status.PILOT}


class AgreementVersion(models.Model):
    """One immutable version of the Nutzungs-/Verwaltungsvereinbarung of an offer."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveIntegerField(_("Version"))
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Text"))
    sha256 = models.CharField(max_length=64, editable=False)
    published_on = models.DateField(_("veröffentlicht am"), default=date.today)
    # "kann mit einer Frist von drei Monaten zum Monatsende beendet werden": the Kommune's own end is
    # enforced against it (services.earliest_end); the Land may allow an earlier end.
    notice_months = models.PositiveSmallIntegerField(_("Kündigungsfrist in Monaten (zum Monatsende)"), default=3)

    class Meta:
        ordering = ["offer", "-version"]
        constraints = [models.UniqueConstraint(fields=["offer", "version"], name="uniq_agreement_version")]
        verbose_name = _("Vereinbarungsversion")
        verbose_name_plural = _("Vereinbarungsversionen")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = AgreementVersion.objects.get(pk=self.pk)
            if stored.text != self.text or stored.version != self.version:
                raise ValueError("a published agreement version is immutable; publish a new version")
        self.sha256 = hashlib.sha256(self.text.encode()).hexdigest()
        super().save(*args, **kwargs)


class SubscriptionQuerySet(TenantQuerySet):
    def live_on(self, day: date):
        return self.filter(live_since__isnull=False, live_since__lte=day).exclude(ends_on__lte=day)


class Subscription(models.Model):
    """A Kommune's connection to an offer (Anschluss): ordered → configured → live → ended."""

    class Status(models.TextChoices):
        ORDERED = "ordered", _("bestellt")
        CONFIGURED = "configured", _("konfiguriert")
        LIVE = "live", _("freigeschaltet")
        ENDED = "ended", _("beendet")

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="subscriptions")
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ORDERED)
    office_name = models.CharField(_("Zuständige Stelle"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    opening_hours = models.TextField(_("Öffnungszeiten"), blank=True)
    local_fee_cents = models.PositiveIntegerField(_("Gebühr der Kommune für die Online-Beantragung (Cent)"),
                                                  null=True, blank=True)
    destination = models.ForeignKey(
        "routing.Destination", on_delete=models.PROTECT, null=True, blank=True, related_name="subscriptions"
    )
    responsibilities = models.ManyToManyField("routing.Responsibility", blank=True, related_name="+")
    live_since = models.DateField(_("live seit"), null=True, blank=True)
    ends_on = models.DateField(_("endet am"), null=True, blank=True)
    # The Land's exception to the notice period (e.g. the Kommune merged or the service moves elsewhere).
    early_end_allowed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+",
                                             verbose_name=_("vorzeitiges Ende erlaubt von"))
    early_end_allowed_at = models.DateTimeField(_("vorzeitiges Ende erlaubt am"), null=True, blank=True)
    onboarded_by_land = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    tenant_path = "authority"
    # The Land follows the rollout of its offers (and prepares subscriptions by CSV, `onboarding`); ordering,
    # accepting the agreement and going live are the Kommune's own acts.
    tenant_land_access = LandAccess.READ
    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "authority"], condition=~models.Q(status="ended"), name="one_open_subscription"
            )
        ]
        verbose_name = _("Anschluss")
        verbose_name_plural = _("Anschlüsse")

    def __str__(self) -> str:
        return f"{self.authority} – {self.offer}"

    def is_live_on(self, day: date) -> bool:
        return bool(self.live_since and self.live_since <= day and (self.ends_on is None or self.ends_on > day))


class AgreementAcceptance(models.Model):
    """Proof that an account accepted exactly this agreement version for its Authority."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="acceptances")
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_by_username = models.CharField(max_length=150)
    accepted_at = models.DateTimeField(default=timezone.now)
    agreement_sha256 = models.CharField(max_length=64)

    tenant_path = "subscription__authority"
    tenant_land_access = LandAccess.READ  # like Subscription
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "agreement"], name="uniq_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.accepted_by_username} {self.accepted_at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder the Land sent to a Kommune that has not joined an offer."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="reminders")
    authority = models.ForeignKey("accounts.Authority", on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    tenant_path = "authority"
    tenant_land_access = LandAccess.READ  # the Land sends them
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.offer} → {self.authority} ({self.sent_at:%Y-%m-%d})"
