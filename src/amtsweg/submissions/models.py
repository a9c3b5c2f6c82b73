"""Submissions (Einreichungen), their cases (Vorgänge), encrypted attachments, event log and API clients.

Stable contract for later stages (delivery, back office) — change only additively:

* `Case` (`id` UUID = FIT-Connect caseId, `destination`): groups a submission and its replies.
* `Submission` (`id` UUID = submissionId, `case`, `destination`, `status`, `service_identifier`
  (`urn:de:fim:leika:leistung:<key>`), `public_reference` (shown to the applicant), `form_slug` and
  `form_version` (the platform form it came from; blank for API senders), `encrypted_metadata`,
  `encrypted_data` (compact JWE strings), `submitted_at`). After submit the platform stores *only*
  ciphertext of the application; nothing personal is kept in clear text.
* `SubmissionAttachment` (`id` UUID = attachmentId, `submission`; the compact JWE is in `ciphertext` when it
  is small, else in the `content` file; read it with `read_jwe()`).
* `Event` (one Security Event Token per step; see `amtsweg.submissions.events`).
* `ApiClient`, `AccessToken`: OAuth 2.0 client-credentials clients (see `amtsweg.submissions.oauth`).

Status flow (FIT-Connect): incomplete → submitted → forwarded → accepted | rejected; deleted at the end.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core.ids import uuid7
from amtsweg.core.tenancy import ADMIN_ROLES, LandAccess, TenantQuerySet
from amtsweg.routing.models import Destination

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_public_reference() -> str:
    """A short, unguessable reference for the applicant, e.g. `AW-7KQ2-M9XD-4TPA`."""
    bits = secrets.randbits(60)  # 12 characters of 5 bits: the alphabet has exactly 32
    chars = "".join(REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(0, 60, 5))
    return f"AW-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


class Case(models.Model):
    """Vorgang: the FIT-Connect case a submission belongs to; its event log hangs off it."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="cases")
    created_at = models.DateTimeField(auto_now_add=True)

    # Applications are none of the Land's business (personal data, even if encrypted).
    tenant_land_access = LandAccess.NONE
    tenant_path = "destination__authority"
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")

    def __str__(self) -> str:
        return f"case:{self.id}"


class SubmissionQuerySet(TenantQuerySet):
    def waiting_for(self, destination_ids) -> SubmissionQuerySet:
        """Submissions ready for pick-up by these destinations (FIT-Connect: submitted or forwarded)."""
        return self.filter(
            destination_id__in=destination_ids,
            status__in=[Submission.Status.SUBMITTED, Submission.Status.FORWARDED],
        )


class Submission(models.Model):
    """Einreichung: one application, encrypted for its destination."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("angelegt")
        SUBMITTED = "submitted", _("eingereicht")
        FORWARDED = "forwarded", _("zugestellt")
        ACCEPTED = "accepted", _("angenommen")
        REJECTED = "rejected", _("zurückgewiesen")
        DELETED = "deleted", _("gelöscht")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="submissions")
    # Indexed by `submission_pickup_idx`, which starts with it (a second index would only cost writes).
    destination = models.ForeignKey(
        Destination, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INCOMPLETE)
    service_identifier = models.CharField(max_length=255)  # urn:de:fim:leika:leistung:<key>
    # FIT-Connect sets no length limit on serviceType.name (nor on the callback URL below).
    service_name = models.TextField(blank=True)
    public_reference = models.CharField(max_length=20, unique=True, default=new_public_reference)
    # The platform form it came from (blank for API senders): non-personal identifiers, kept in clear text so
    # the status page can name the form the citizen filled in instead of the catalogue's service name.
    form_slug = models.CharField(max_length=80, blank=True)
    form_version = models.PositiveIntegerField(null=True, blank=True)
    # Which API client announced it (None: the platform's own forms).
    sender = models.ForeignKey(
        "ApiClient", on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions", db_index=False
    )
    announced_attachments = models.JSONField(default=list)  # attachment ids (UUID strings)
    encrypted_metadata = models.TextField(blank=True)
    encrypted_data = models.TextField(blank=True)
    encryption_kid = models.CharField(max_length=64, blank=True)
    # Sender's callback for new events (FIT-Connect `callback`); the secret is only written, never shown.
    callback_url = models.TextField(blank=True)
    callback_secret = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Applications are none of the Land's business (personal data, even if encrypted).
    tenant_land_access = LandAccess.NONE
    tenant_path = "destination__authority"
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "created_at"]
        indexes = [
            models.Index(fields=["destination", "status", "submitted_at"], name="submission_pickup_idx"),
            # Only API senders' submissions: the platform's own (most of them) need no entry.
            models.Index(fields=["sender"], condition=models.Q(sender__isnull=False), name="submission_sender_idx"),
            # Housekeeping (`services.purge_finished`) looks for finished submissions only; status alone and
            # submitted_at alone are covered by the pickup index or asked for nowhere.
            models.Index(fields=["updated_at"], condition=models.Q(status__in=["accepted", "rejected"]),
                         name="submission_finished_idx"),
        ]
        verbose_name = _("Einreichung")
        verbose_name_plural = _("Einreichungen")

    def __str__(self) -> str:
        return self.public_reference

    @property
    def leika_key(self) -> str:
        return self.service_identifier.rsplit(":", 1)[-1]


def attachment_path(instance: SubmissionAttachment, filename: str) -> str:
    # Only ids in the path: the original file name is personal data and lives in the encrypted metadata.
    # 256 fan-out folders by the first byte of the random id: no new directory per submission.
    return f"submissions/{str(instance.id)[:2]}/{instance.id}.jwe"


class SubmissionAttachment(models.Model):
    """An attachment, stored as the compact JWE the sender (or the intake) produced.

    Small JWEs (up to settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES) live in the row itself: they commit and
    roll back with the submission, leave no orphaned files and cost no file-system round trip on intake.
    Larger ones go to the file storage (`content`), so the database does not carry 200 MB blobs.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    ciphertext = models.TextField(blank=True, default="")
    content = models.FileField(upload_to=attachment_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now=True)

    # Applications are none of the Land's business (personal data, even if encrypted).
    tenant_land_access = LandAccess.NONE
    tenant_path = "submission__destination__authority"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")

    def __str__(self) -> str:
        return f"attachment {self.id}"

    def read_jwe(self) -> str:
        if self.ciphertext:
            return self.ciphertext
        with self.content.open("rb") as fh:
            return fh.read().decode("ascii")


class Event(models.Model):
    """One entry of a case's event log: a Security Event Token (RFC 8417).

    `claims` is fixed when the step happens; `token` is the signed JWS. Platform events are signed off
    the hot path by `events.seal()` (RSA private-key operations are slow); events posted by a
    Fachverfahren arrive signed and are stored only after their signature was verified.
    """

    class Issuer(models.TextChoices):
        PLATFORM = "platform", _("Plattform")
        DESTINATION = "destination", _("Fachverfahren")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # = jti
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=100)  # FIT-Connect event URI
    issuer = models.CharField(max_length=20, choices=Issuer.choices, default=Issuer.PLATFORM)
    claims = models.JSONField()
    token = models.TextField(blank=True)
    signing_kid = models.CharField(max_length=100, blank=True)
    # Not auto_now_add: steps recorded together get explicit, strictly increasing times (log order).
    created_at = models.DateTimeField(default=timezone.now)

    # Applications are none of the Land's business (personal data, even if encrypted).
    tenant_land_access = LandAccess.NONE
    tenant_path = "case__destination__authority"
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        # Only the events still to be signed (`events.seal_pending`, oldest first): an index on every
        # event's time made that query walk past all signed events, more with every day of operation.
        indexes = [models.Index(fields=["created_at"], condition=models.Q(token=""), name="event_unsealed_idx")]
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")

    def __str__(self) -> str:
        return f"{self.event_type.rsplit('/', 1)[-1]} {self.submission_id}"


class ApiClient(models.Model):
    """An OAuth 2.0 client of the Submission API (client-credentials grant).

    Subscriber clients (Fachverfahren) are created by an Authority's staff for that Authority's own
    destinations; sender clients (online services) are created by the Land for regions of the Land.
    Only a hash of the secret is stored; the secret is shown once on creation.
    """

    class Kind(models.TextChoices):
        SUBSCRIBER = "subscriber", _("Fachverfahren (Empfang)")
        SENDER = "sender", _("Onlinedienst (Versand)")

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="api_clients")
    client_id = models.CharField(max_length=64, unique=True, editable=False)
    secret_hash = models.CharField(max_length=128, editable=False)
    scopes = models.JSONField(_("Berechtigungen (Scopes)"), default=list)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "authority"
    tenant_edit_roles = ADMIN_ROLES
    # A client fetches (subscriber) or sends (sender) applications: a Kommune's are none of the Land's business.
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["authority__name", "name"]
        verbose_name = _("API-Zugang")
        verbose_name_plural = _("API-Zugänge")

    def __str__(self) -> str:
        return self.name


class AccessToken(models.Model):
    """An issued bearer token (opaque); only its SHA-256 hash is stored."""

    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "client__authority"
    tenant_land_access = LandAccess.NONE  # like ApiClient
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token of {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M}"
