"""Destinations (Zustellpunkte) with their public keys, and responsibilities (Zuständigkeiten).

A destination is a technical address of an Authority: the channels it accepts and the public keys an
online service encrypts for. A responsibility maps (LeiKa key, area) to the responsible Authority and
the destination its applications go to; the most specific area (longest ARS prefix) wins.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core import keyformats, netguard
from amtsweg.core.actors import is_system
from amtsweg.core.tenancy import LandAccess, TenantQuerySet, require_actor


def area_level(area_ars: str) -> str:
    """Human name of the ARS level, for lists and reports."""
    level = keyformats.ars_level(area_ars)
    return level.label if level else _("unbekannt")


def new_callback_secret() -> str:
    """A fresh HMAC-SHA512 secret for callbacks (shown once, then only stored).

    Hex, so that it never starts with "-" (command-line tools would take it for an option) and survives
    any configuration format unquoted.
    """
    return secrets.token_hex(48)


class Destination(models.Model):
    """Zustellpunkt: where applications for a service and area are delivered, and how."""

    class Channel(models.TextChoices):
        PULL = "pull", _("Abruf über die Submission-API")
        CALLBACK = "callback", _("Zustellung an eine HTTPS-Callback-Adresse")
        EMAIL = "email", _("E-Mail-Benachrichtigung (ohne personenbezogene Daten)")
        DIRECTORY = "directory", _("Ablage im Übergabeverzeichnis (für Verfahren ohne Schnittstelle)")

    class Status(models.TextChoices):
        CREATED = "created", _("angelegt")
        ACTIVE = "active", _("aktiv")
        INACTIVE = "inactive", _("inaktiv")
        DECOMMISSIONED = "decommissioned", _("stillgelegt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="destinations", verbose_name=_("Behörde")
    )
    name = models.CharField(_("Name"), max_length=200)
    channels = models.JSONField(_("Zustellwege"), default=list)
    callback_url = models.URLField(_("Callback-Adresse (HTTPS)"), blank=True)
    callback_secret = models.CharField(_("Callback-Geheimnis"), max_length=128, default=new_callback_secret)
    notification_email = models.EmailField(_("E-Mail für Benachrichtigungen"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    metadata_versions = models.JSONField(_("Metadaten-Versionen"), default=list)
    submission_schemas = models.JSONField(_("Fachschemata"), default=list, blank=True)
    # Platform signature (JWS, PS512) over the destination parameters; refreshed whenever they change.
    signature = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "authority"
    # The Land may look at its Kommunen's destinations (support, onboarding) but never change them or their
    # keys: a key the Land holds would open the Kommune's applications. Land-owned destinations are its own.
    tenant_land_access = LandAccess.READ
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["authority__name", "name"]
        verbose_name = _("Zustellpunkt")
        verbose_name_plural = _("Zustellpunkte")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.channels) - set(self.Channel.values)
        if unknown:
            raise ValidationError({"channels": _("Unbekannter Zustellweg: %s") % ", ".join(sorted(unknown))})
        if not self.channels:
            raise ValidationError({"channels": _("Bitte mindestens einen Zustellweg wählen.")})
        if self.Channel.CALLBACK in self.channels and not self.callback_url:
            raise ValidationError({"callback_url": _("Für die Zustellung per Callback fehlt die Adresse.")})
        # Checked even while the channel is off: switching it on later must not need a second look.
        problem = netguard.destination_callback_problem(self.callback_url) if self.callback_url else None
        if problem:
            raise ValidationError({"callback_url": problem})
        if self.Channel.EMAIL in self.channels and not self.notification_email:
            raise ValidationError(
                {"notification_email": _("Für Benachrichtigungen per E-Mail fehlt die E-Mail-Adresse.")}
            )

    def active_encryption_key(self) -> DestinationKey | None:
        """The key online services must encrypt for now (the newest activated, not retired one)."""
        return (
            self.keys.filter(purpose=DestinationKey.Purpose.ENCRYPTION, retired_at__isnull=True)
            .exclude(activated_at__isnull=True)
            .order_by("-activated_at")
            .first()
        )

    def active_signature_key(self) -> DestinationKey | None:
        return (
            self.keys.filter(purpose=DestinationKey.Purpose.SIGNATURE, retired_at__isnull=True)
            .exclude(activated_at__isnull=True)
            .order_by("-activated_at")
            .first()
        )

    def decryption_keys(self) -> models.QuerySet[DestinationKey]:
        """Encryption keys whose private half may still be needed: active ones and those in their grace period."""
        now = timezone.now()
        return self.keys.filter(purpose=DestinationKey.Purpose.ENCRYPTION).filter(
            models.Q(retired_at__isnull=True) | models.Q(valid_until__gt=now)
        )

    @property
    def accepts_callback(self) -> bool:
        return self.Channel.CALLBACK in self.channels


class DestinationKey(models.Model):
    """A destination's public key (JWK). Only public keys are ever stored; private keys are refused."""

    class Purpose(models.TextChoices):
        ENCRYPTION = "encryption", _("Verschlüsselung")
        SIGNATURE = "signature", _("Signaturprüfung")

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(_("Schlüssel-ID (kid)"), max_length=64)
    purpose = models.CharField(_("Verwendung"), max_length=20, choices=Purpose.choices)
    jwk = models.JSONField(_("Öffentlicher Schlüssel (JWK)"))
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(_("aktiv seit"), null=True, blank=True)
    retired_at = models.DateTimeField(_("abgelöst am"), null=True, blank=True)
    # End of the grace period in which submissions encrypted for this (retired) key may still arrive.
    valid_until = models.DateTimeField(_("gültig zum Entschlüsseln bis"), null=True, blank=True)

    tenant_path = "destination__authority"
    tenant_land_access = LandAccess.READ  # public keys; see Destination
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["destination", "purpose", "-activated_at"]
        constraints = [models.UniqueConstraint(fields=["destination", "kid"], name="uniq_destination_kid")]
        verbose_name = _("Schlüssel")
        verbose_name_plural = _("Schlüssel")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.kid}"

    @property
    def chain_problem(self) -> str:
        """Why the key's certificate chain (x5c) is not valid today, in German; "" when it is (README: Keys
        and certificates). Shown to staff beside each key, so keys registered without a chain are replaced."""
        from amtsweg.routing.keys import chain_defects

        defects = chain_defects(self.jwk)
        return " ".join(message for _code, message in defects)

    @property
    def state(self) -> str:
        """active / grace (retired, still decryptable) / expired / pending."""
        if self.activated_at is None:
            return "pending"
        if self.retired_at is None:
            return "active"
        if self.valid_until and self.valid_until > timezone.now():
            return "grace"
        return "expired"


class Responsibility(models.Model):
    """Zuständigkeit: for a LeiKa key in an area (any ARS level), this Authority and destination."""

    # The one key-format module (core.keyformats), as services, importer, forms and APIs check them.
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14, validators=[keyformats.validate_leika_key])
    area_ars = models.CharField(_("Gebiet (ARS)"), max_length=12, validators=[keyformats.validate_ars])
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("Behörde")
    )
    destination = models.ForeignKey(
        Destination, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("Zustellpunkt")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "authority"
    # Readable for the Land's support; the Land registers only Land-wide responsibilities of its own offices.
    tenant_land_access = LandAccess.READ
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["leika_key", "area_ars"]
        constraints = [models.UniqueConstraint(fields=["leika_key", "area_ars"], name="uniq_responsibility")]
        verbose_name = _("Zuständigkeit")
        verbose_name_plural = _("Zuständigkeiten")

    def __str__(self) -> str:
        return f"{self.leika_key} @ {self.area_ars} → {self.authority}"

    @property
    def level(self) -> str:
        return area_level(self.area_ars)


class IndexVersion(models.Model):
    """One row whose counter changes with every routing-relevant write, so that every process
    (gunicorn workers, the task worker) notices when its cached lookup structures are stale."""

    counter = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("Stand der Zuständigkeitsdaten")

    def __str__(self) -> str:
        return str(self.counter)


class ResponsibilityChange(models.Model):
    """Audit trail: who registered, changed or removed which responsibility, and when. Wrong entries mis-route
    applications and the liability is the Kommune's, so every change stays traceable (rows are never deleted)."""

    class Action(models.TextChoices):
        CREATED = "created", _("eingetragen")
        IMPORTED = "imported", _("importiert")
        CHANGED = "changed", _("geändert")
        DELETED = "deleted", _("gelöscht")

    action = models.CharField(_("Aktion"), max_length=20, choices=Action.choices)
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14)
    area_ars = models.CharField(_("Gebiet (ARS)"), max_length=12)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    destination_id = models.UUIDField(_("Zustellpunkt"))
    user = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("durch"))
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)

    tenant_path = "authority"
    tenant_land_access = LandAccess.READ  # like Responsibility
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Änderung einer Zuständigkeit")
        verbose_name_plural = _("Änderungen an Zuständigkeiten")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.leika_key} @ {self.area_ars}"

    @classmethod
    def record(cls, action: str, responsibility: Responsibility, actor: Any) -> ResponsibilityChange:
        """One change, by `actor` (a person, or SYSTEM: then `user` stays empty). None raises TypeError."""
        require_actor(actor)
        return cls.objects.create(
            action=action, leika_key=responsibility.leika_key, area_ars=responsibility.area_ars,
            authority_id=responsibility.authority_id, destination_id=responsibility.destination_id,
            user=None if is_system(actor) else actor,
        )
