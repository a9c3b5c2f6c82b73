"""The citizen's return channel (Postfach): which applications belong to a citizen account, and later the
messages and notices between the authority and the applicant.

`Application` links a submission to the citizen account that submitted it while logged in. The account is
named only by the assistant's owner key (a hash of identity provider and subject keyed with the
SECRET_KEY, `assistants.integrations.owner_key`), the same key that finds a citizen's drafts again: the
database alone does not say which person applied for what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core.ids import uuid7
from amtsweg.core.tenancy import LandAccess, TenantQuerySet
from amtsweg.submissions.models import Submission


class Application(models.Model):
    """An application in a citizen account's Postfach ("Meine Anträge")."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, primary_key=True,
                                      related_name="postfach_application")
    owner_key = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Antrag im Postfach")
        verbose_name_plural = _("Anträge im Postfach")

    def __str__(self) -> str:
        return f"postfach:{self.submission_id}"


class Message(models.Model):
    """A message between the authority working a case (Amtsweg-Sachbearbeitung) and the applicant.

    In clear text only what the lists need: direction, kind, who sent it (a staff account; None is the
    applicant), when, when the recipient first read it, which question an answer answers. Subject, text,
    requested documents and the attachments' names are sealed by the vault for the case's Authority
    (`body`, purpose `postfach.message`); attachment contents in `MessageAttachment`.
    """

    class Direction(models.TextChoices):
        TO_APPLICANT = "to_applicant", _("an den Antragsteller")
        FROM_APPLICANT = "from_applicant", _("vom Antragsteller")

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Nachricht")
        INQUIRY = "inquiry", _("Rückfrage")
        ANSWER = "answer", _("Antwort")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="postfach_messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MESSAGE)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    in_reply_to = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    body = models.BinaryField()

    tenant_path = "case__authority"
    # Correspondence with an applicant is personal data of a Kommune's case: none of the Land's business.
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="postfach_message_case_idx")]
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class MessageAttachment(models.Model):
    """A file sent with a message; its content sealed (purpose `postfach.attachment`), its name and type in
    the message's sealed body."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField()

    tenant_path = "message__case__authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["message", "position"]

    def __str__(self) -> str:
        return f"attachment {self.id}"


class NoticeTemplate(models.Model):
    """A Bescheid template of an Authority for one service: title and text with `$platzhalter` from the case
    (`notices.PLACEHOLDERS`, filled by `string.Template`: no template code, no attribute access)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14)
    name = models.CharField(_("Name der Vorlage"), max_length=100)
    title = models.CharField(_("Überschrift des Bescheids"), max_length=200)
    body = models.TextField(_("Text des Bescheids"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "authority"
    tenant_land_access = LandAccess.NONE  # the Kommune's own wording for its decisions
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["leika_key", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "leika_key", "name"],
                                               name="postfach_notice_template_uniq")]
        verbose_name = _("Bescheidvorlage")
        verbose_name_plural = _("Bescheidvorlagen")

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An Authority's key that signs its notices (ES256). The private key is stored only sealed by the vault
    (purpose `postfach.signing_key`, i.e. under the Authority's data key, itself wrapped by the KEK); the
    public JWK is in clear so anyone can verify a notice."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    sealed_private = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority"], condition=models.Q(retired_at__isnull=True),
                                               name="postfach_signing_key_one_active")]

    def __str__(self) -> str:
        return self.kid


class Notice(models.Model):
    """Bescheid: the PDF (sealed, purpose `postfach.notice`) with a detached JWS of the Authority's signing
    key over its bytes. `made_available_at` and `first_fetched_at` record the electronic Bekanntgabe."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="postfach_notices")
    decision = models.CharField(max_length=20)  # casework.Case.Decision
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    made_available_at = models.DateTimeField(default=timezone.now)
    first_fetched_at = models.DateTimeField(null=True, blank=True)
    document = models.BinaryField()
    signature = models.TextField()  # compact JWS, payload detached (RFC 7515 appendix F)
    kid = models.CharField(max_length=64)

    tenant_path = "case__authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["made_available_at", "id"]
        verbose_name = _("Bescheid")
        verbose_name_plural = _("Bescheide")

    def __str__(self) -> str:
        return f"notice {self.id}"
