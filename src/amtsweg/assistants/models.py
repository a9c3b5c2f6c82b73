"""Form definitions, their versions, drafts (encrypted at rest) and receipts.

Form definitions are platform-wide (one form built once serves every Kommune, "Einer für Alle"), so they
are not tenant-owned; which Kommune receives an application is decided by routing on the applicant's ARS.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .definition import FormSpec


class PublishedVersionError(ValidationError):
    """A published form version is immutable."""


class FormDefinition(models.Model):
    class AuthLevel(models.TextChoices):
        LOW = "niedrig", _("niedrig (Benutzername und Passwort)")
        SUBSTANTIAL = "substantiell", _("substantiell (z. B. ELSTER-Zertifikat)")
        HIGH = "hoch", _("hoch (Online-Ausweis)")

    slug = models.SlugField(_("Kurzname"), max_length=80, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    leika_key = models.CharField(_("LeiKa-Schlüssel"), max_length=14)
    fee_cents = models.PositiveIntegerField(_("Gebühr (Cent)"), null=True, blank=True)
    min_auth_level = models.CharField(_("Mindest-Vertrauensniveau"), max_length=20, choices=AuthLevel.choices,
                                      null=True, blank=True)
    allows_anonymous = models.BooleanField(_("ohne Anmeldung möglich"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("Formular")
        verbose_name_plural = _("Formulare")

    def __str__(self) -> str:
        return self.title

    @property
    def requires_login(self) -> bool:
        return bool(self.min_auth_level) or not self.allows_anonymous

    def published_version(self) -> FormVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def latest_published(self, slug: str) -> FormVersion | None:
        """The newest published version of the form `slug`, with its form, in one statement (the start page is
        asked twice for every application)."""
        return self.published().select_related("form").filter(form__slug=slug).order_by("-number").first()

    def update(self, **kwargs):
        if {"definition", "number", "form", "published_at"} & kwargs.keys() and self.published().exists():
            raise PublishedVersionError(_("Eine veröffentlichte Formularversion kann nicht geändert werden."))
        return super().update(**kwargs)

    def delete(self):
        if self.published().exists():
            raise PublishedVersionError(_("Eine veröffentlichte Formularversion kann nicht gelöscht werden."))
        return super().delete()


class FormVersion(models.Model):
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    definition = models.JSONField(_("Definition"))
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FormVersionQuerySet.as_manager()

    class Meta:
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="uniq_form_version")]
        verbose_name = _("Formularversion")
        verbose_name_plural = _("Formularversionen")

    def __str__(self) -> str:
        return f"{self.form.slug} v{self.number}"

    def save(self, *args, **kwargs):
        """Refuse any change to a version that was published (checked against the stored row)."""
        if self.pk:
            stored = FormVersion.objects.filter(pk=self.pk).values("definition", "number", "form_id",
                                                                   "published_at").first()
            if stored and stored["published_at"] is not None and (
                stored["definition"] != self.definition or stored["number"] != self.number
                or stored["form_id"] != self.form_id or stored["published_at"] != self.published_at
            ):
                raise PublishedVersionError(_("Eine veröffentlichte Formularversion kann nicht geändert werden."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if FormVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise PublishedVersionError(_("Eine veröffentlichte Formularversion kann nicht gelöscht werden."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def spec(self) -> FormSpec:
        cached = getattr(self, "_spec", None)
        if cached is None or cached.definition is not self.definition:
            cached = self._spec = FormSpec(self.definition)
        return cached


def default_expiry():
    return timezone.now() + timezone.timedelta(days=30)


class Draft(models.Model):
    """An application in progress. Answers live only in `ciphertext` (AES-GCM); deleted on submit."""

    class Status(models.TextChoices):
        OPEN = "open", _("in Bearbeitung")
        PAYING = "paying", _("Zahlung läuft")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="drafts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Hash of identity provider + subject, so a logged-in citizen finds the draft again without us storing who.
    owner_key = models.CharField(max_length=64, blank=True, db_index=True)
    resume_key = models.CharField(max_length=43, editable=False)
    ciphertext = models.BinaryField()
    payment_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=default_expiry)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Draft {self.id}"


class DraftFile(models.Model):
    """An upload belonging to a draft, encrypted like the draft itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    field_id = models.CharField(max_length=63)
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    ciphertext = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class Receipt(models.Model):
    """What remains after submission: the public reference and an encrypted copy of the summary for the
    receipt page and PDF. `draft_key` makes submission idempotent per draft (reloads find the receipt)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft_key = models.UUIDField(unique=True)
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="receipts")
    reference = models.CharField(max_length=100)
    submitted_at = models.DateTimeField(default=timezone.now)
    ciphertext = models.BinaryField()

    def __str__(self) -> str:
        return self.reference


class ReceiptDocument(models.Model):
    """The receipt as PDF in one language, rendered on its first download and kept encrypted like the
    receipt (AES-GCM, associated data receipt id + language): later downloads cost a decryption, not a
    rendering. Deleted with its receipt."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(max_length=8)
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["receipt", "language"], name="uniq_receipt_document")]

    def __str__(self) -> str:
        return f"{self.receipt_id} ({self.language})"
