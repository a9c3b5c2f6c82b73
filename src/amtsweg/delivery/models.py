"""The transactional outbox: one row per (submission, push channel).

The row is written in the same database transaction as the submission (see `receivers.py`), so a
submission is never stored without its delivery order, nor the other way round. Delivery state and
retries live here, not in a task queue: the queue only wakes workers, and a lost wake-up is repaired by
the sweep. The idempotency key `<submission id>:<channel>` makes enqueueing idempotent; the receiving
Fachverfahren deduplicates by submission id (at-least-once delivery, exactly-once effect).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core.tenancy import LandAccess, TenantQuerySet


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wartet auf Zustellung")
        IN_FLIGHT = "in_flight", _("wird zugestellt")
        DELIVERED = "delivered", _("zugestellt")
        DEAD = "dead", _("unzustellbar")

    idempotency_key = models.CharField(_("Idempotenzschlüssel"), max_length=200, unique=True)
    submission_id = models.UUIDField(_("Einreichung"), db_index=True)
    destination_id = models.UUIDField(_("Zustellpunkt"))
    case_id = models.UUIDField(_("Vorgang"), null=True, blank=True)
    # Denormalised owner of the destination: staff see only their own authority's messages.
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="outbox_messages", verbose_name=_("Behörde")
    )
    channel = models.CharField(_("Zustellweg"), max_length=40)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"), null=True, blank=True)
    first_attempt_at = models.DateTimeField(_("erster Versuch"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("letzter Versuch"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("zugestellt am"), null=True, blank=True)
    # Lease for crash recovery: a claimed message is reserved until `locked_until`; `claim_token`
    # identifies the claim so that a worker whose lease expired cannot overwrite a newer claim's result.
    # Set only while in flight. The claim finds its rows by primary key, so `claim_token` needs no index.
    locked_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    # X-Request-ID of the request that wrote the message (`core.requestid`): the worker's log lines of this
    # delivery carry it. `db_default` so that code of the previous release, which does not know the column,
    # can still insert rows after `migrate` (expand/contract).
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")

    tenant_path = "authority"
    # Delivery orders name a Kommune's applications and its Fachverfahren's failures: not the Land's.
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Zustellauftrag")
        verbose_name_plural = _("Zustellaufträge")
        indexes = [
            # Also finds expired leases: `status = in_flight` is its prefix, and only the messages that
            # workers hold right now are in flight (a separate lease index would only cost writes).
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key

    @property
    def channel_label(self) -> str:
        """The channel's name for people (e.g. "HTTPS-Callback"); the technical name if it is not installed."""
        from amtsweg.delivery import channels

        plugin = channels.register.get(self.channel)
        return str(plugin.label) if plugin and plugin.label else self.channel

    @staticmethod
    def key_for(submission_id, channel: str) -> str:
        return f"{submission_id}:{channel}"
