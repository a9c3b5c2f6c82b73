"""The citizen's return channel (Postfach): which applications belong to a citizen account, and later the
messages and notices between the authority and the applicant.

`Application` links a submission to the citizen account that submitted it while logged in. The account is
named only by the assistant's owner key (a hash of identity provider and subject keyed with the
SECRET_KEY, `assistants.integrations.owner_key`), the same key that finds a citizen's drafts again: the
database alone does not say which person applied for what.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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
