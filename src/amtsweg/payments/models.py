"""Payment transactions (modelled on XBezahldienste) and the embedded test provider's own orders.

A `PaymentTransaction` is the platform's record of one fee, unique per `reference` (the assistant's
application reference): it is reused while open and never charged again once paid. Its status only
moves along validated transitions (see `ALLOWED_TRANSITIONS`) and every change is logged as a
`PaymentEvent`. `TestPaymentOrder` is the *provider's* side of the embedded test provider: a separate
table the platform only reaches over HTTP, as it would a real ePayBL/pmPayment installation.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("angelegt")
    PAID = "paid", _("bezahlt")
    DECLINED = "declined", _("abgelehnt")
    ABANDONED = "abandoned", _("abgebrochen")
    FAILED = "failed", _("fehlgeschlagen")


OPEN_STATUSES = frozenset({PaymentStatus.CREATED})
RETRYABLE_STATUSES = frozenset({PaymentStatus.DECLINED, PaymentStatus.ABANDONED, PaymentStatus.FAILED})
# Paid is final. A failed/declined/abandoned payment may be started again (new provider transaction) and a
# provider may still report a late success for it: the provider's word on money received wins.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.CREATED: frozenset({PaymentStatus.PAID, PaymentStatus.DECLINED, PaymentStatus.ABANDONED,
                                      PaymentStatus.FAILED}),
    PaymentStatus.DECLINED: frozenset({PaymentStatus.CREATED, PaymentStatus.PAID}),
    PaymentStatus.ABANDONED: frozenset({PaymentStatus.CREATED, PaymentStatus.PAID}),
    PaymentStatus.FAILED: frozenset({PaymentStatus.CREATED, PaymentStatus.PAID}),
    PaymentStatus.PAID: frozenset(),
}


class PaymentTransaction(models.Model):
    reference = models.CharField(_("Referenz"), max_length=64, unique=True)
    amount_cents = models.PositiveIntegerField(_("Betrag (Cent)"))
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    purpose = models.CharField(_("Verwendungszweck"), max_length=140)
    provider = models.CharField(_("Bezahldienst"), max_length=50)
    provider_transaction_id = models.CharField(_("Transaktions-ID beim Bezahldienst"), max_length=100, blank=True)
    redirect_url = models.URLField(_("Bezahlseite"), max_length=1000, blank=True)
    return_url = models.CharField(_("Rücksprungadresse"), max_length=1000)
    status = models.CharField(_("Status"), max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.CREATED)
    attempt = models.PositiveIntegerField(_("Versuch"), default=1)
    last_error = models.CharField(_("Letzter Fehler"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.PAID

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def amount_display(self) -> str:
        euros, cents = divmod(self.amount_cents, 100)
        return f"{euros:,}".replace(",", ".") + f",{cents:02d} €"

    def as_handoff(self) -> dict:
        """The `payment` part of the assistant's FormSubmissionPayload."""
        return {"reference": self.reference, "status": self.status, "amount_cents": self.amount_cents,
                "provider": self.provider, "provider_transaction_id": self.provider_transaction_id}


class PaymentEvent(models.Model):
    """Audit log of a transaction: every status change and where it came from (start, return, callback…)."""

    transaction = models.ForeignKey(PaymentTransaction, on_delete=models.CASCADE, related_name="events")
    source = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    provider_status = models.CharField(max_length=30, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} ({self.source})"


class TestPaymentOrder(models.Model):
    """The embedded test provider's own record (its "server side"), keyed by the provider's transaction id."""

    __test__ = False  # not a pytest test class

    class Status(models.TextChoices):
        INITIAL = "INITIAL"
        PAYED = "PAYED"  # XBezahldienste spelling
        FAILED = "FAILED"
        CANCELED = "CANCELED"

    transaction_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request_id = models.CharField(max_length=100, unique=True)  # the platform's idempotency key
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    purpose = models.CharField(max_length=140)
    redirect_url = models.CharField(max_length=1000)
    notify_url = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIAL)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.transaction_id)

    @property
    def amount_display(self) -> str:
        euros, cents = divmod(self.amount_cents, 100)
        return f"{euros:,}".replace(",", ".") + f",{cents:02d} {self.currency}"
