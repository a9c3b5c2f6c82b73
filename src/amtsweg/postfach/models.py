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
