"""Payments as the form assistant uses them. Contract (do not change without telling the assistant):

    start_payment(*, reference, amount_cents, purpose, return_url, provider=None) -> PaymentTransaction
    refresh_status(transaction) -> PaymentTransaction   (never raises for an unreachable provider: see last_error)
    get_transaction(reference) -> PaymentTransaction | None

XBezahldienste flow: create the transaction at the provider → send the citizen to `redirect_url` → on
return (or on the provider's callback) ask the provider server-side. Redirect parameters are never
trusted. No database lock is held while talking to the provider; every status change happens under
`select_for_update` and is checked against `ALLOWED_TRANSITIONS`, so callbacks and returns may arrive
twice, in any order, without double effects.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.payments.models import (
    ALLOWED_TRANSITIONS,
    RETRYABLE_STATUSES,
    PaymentEvent,
    PaymentStatus,
    PaymentTransaction,
)
from amtsweg.payments.registry import PaymentProvider, PaymentProviderError, ProviderTransaction, register
from amtsweg.payments.signals import payment_status_changed

logger = logging.getLogger(__name__)
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class PaymentConflict(ValueError):
    """The same reference was started again with a different amount while a payment is still open."""


def get_transaction(reference: str) -> PaymentTransaction | None:
    return PaymentTransaction.objects.filter(reference=reference).first()


def _plugin(identifier: str) -> PaymentProvider:
    plugin = register.get_enabled(identifier)
    if plugin is None:
        raise PaymentProviderError(_("Der Bezahldienst steht zurzeit nicht zur Verfügung. Bitte versuchen Sie "
                                     "es später erneut; Ihre Angaben bleiben gespeichert."))
    return plugin


def _platform_base(return_url: str) -> str:
    """Where the provider sends the citizen and its callbacks: this installation's own address."""
    parts = urlsplit(return_url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return settings.PUBLIC_BASE_URL


def _log(tx: PaymentTransaction, source: str, from_status: str, provider_status: str = "") -> None:
    PaymentEvent.objects.create(transaction=tx, source=source, from_status=from_status, to_status=tx.status,
                                provider_status=provider_status)


def _transition(tx: PaymentTransaction, to_status: str, *, source: str, provider_status: str = "") -> bool:
    """Move a locked row to `to_status` if allowed; returns whether it changed. Must run inside atomic()."""
    from_status = tx.status
    if to_status == from_status:
        return False
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        logger.warning("payment transition refused", extra={"payment_id": tx.pk, "from": from_status,
                                                             "to": to_status, "source": source})
        return False
    tx.status = to_status
    if to_status == PaymentStatus.PAID:
        tx.paid_at = timezone.now()
    tx.save()
    _log(tx, source, from_status, provider_status)
    payment_status_changed.send(sender=PaymentTransaction, transaction=tx, from_status=from_status,
                                to_status=to_status, source=source)
    return True


def _locked(pk: int) -> PaymentTransaction:
    return PaymentTransaction.objects.select_for_update().get(pk=pk)


def start_payment(*, reference: str, amount_cents: int, purpose: str, return_url: str,
                  provider: str | None = None) -> PaymentTransaction:
    """Start (or resume) the payment for `reference`; the caller then redirects the citizen to `redirect_url`.

    An open transaction is reused (same pay page), a paid one is returned as it is (never charged twice), a
    declined/abandoned/failed one gets a new attempt at the provider. Raises PaymentProviderError (German
    message for the citizen) when the provider cannot be reached; the transaction row stays, nothing is lost.
    """
    if not REFERENCE_RE.match(reference or ""):
        raise ValueError("payment reference must be 1–64 characters [A-Za-z0-9._-]")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValueError("amount_cents must be a positive integer")
    purpose = (purpose or "").strip()[:140]
    if not purpose:
        raise ValueError("purpose is required")
    provider_id = provider or register.default_identifier()
    plugin = _plugin(provider_id)

    # 1. Claim the row and decide what to do, without talking to the provider under the lock.
    try:
        with transaction.atomic():
            PaymentTransaction.objects.get_or_create(
                reference=reference,
                defaults={"amount_cents": amount_cents, "purpose": purpose, "provider": provider_id,
                          "return_url": return_url},
            )
    except IntegrityError:
        pass  # created concurrently by a second request: fine, the row exists now
    tx = PaymentTransaction.objects.get(reference=reference)
    if tx.is_paid:
        return tx
    if tx.status in RETRYABLE_STATUSES and tx.provider_transaction_id:
        # A provider may report success late: never start a second charge over a payment that went through
        # (and if the provider cannot say, start nothing: PaymentProviderError goes to the caller).
        tx = refresh_status(tx, source="restart", raise_errors=True)
        if tx.is_paid:
            return tx
    with transaction.atomic():
        tx = _locked(tx.pk)
        if tx.is_paid:
            return tx
        if tx.is_open and tx.provider_transaction_id:
            if tx.amount_cents != amount_cents:
                raise PaymentConflict("an open payment for this reference has a different amount")
            return tx
        if tx.status in RETRYABLE_STATUSES:
            _transition(tx, PaymentStatus.CREATED, source="restart")
            tx.attempt += 1
            tx.provider_transaction_id = ""
            tx.redirect_url = ""
        tx.amount_cents, tx.purpose, tx.return_url, tx.provider = amount_cents, purpose, return_url, provider_id
        tx.save()
        attempt = tx.attempt

    # 2. Create the transaction at the provider (idempotent there per request id).
    base = _platform_base(return_url)
    try:
        created = plugin.create_transaction(
            request_id=f"{reference}.{attempt}",
            amount_cents=amount_cents,
            currency=tx.currency,
            purpose=purpose,
            redirect_url=base + reverse("payments:return", args=[reference]),
            notify_url=base + reverse("payments:notify", args=[provider_id]),
        )
    except PaymentProviderError as exc:
        PaymentTransaction.objects.filter(pk=tx.pk).update(last_error=str(exc)[:300], updated_at=timezone.now())
        logger.warning("payment provider unreachable", extra={"payment_id": tx.pk, "provider": provider_id})
        raise

    # 3. Record it, unless a concurrent start already did (the provider returned the same transaction then).
    with transaction.atomic():
        tx = _locked(tx.pk)
        if tx.attempt == attempt and not tx.provider_transaction_id:
            tx.provider_transaction_id = created.transaction_id
            tx.redirect_url = created.redirect_url
            tx.last_error = ""
            tx.save()
            _log(tx, "start", tx.status, created.provider_status)
            if created.status != PaymentStatus.CREATED:
                _transition(tx, created.status, source="start", provider_status=created.provider_status)
    return tx


def refresh_status(transaction_: PaymentTransaction, *, source: str = "poll",
                   raise_errors: bool = False) -> PaymentTransaction:
    """Ask the provider what became of the payment and record it. Idempotent; paid stays paid.

    If the provider cannot be asked, the status stays as it was and `last_error` carries a German message
    for the citizen (or PaymentProviderError is raised with `raise_errors=True`): callers never see a 500
    and nothing is lost; asking again later finds the payment.
    """
    tx = transaction_
    if tx.is_paid or not tx.provider_transaction_id:
        return tx
    try:
        plugin = _plugin(tx.provider)
        answer: ProviderTransaction = plugin.get_status(tx.provider_transaction_id)
    except PaymentProviderError as exc:
        logger.warning("payment status unavailable", extra={"payment_id": tx.pk, "provider": tx.provider})
        PaymentTransaction.objects.filter(pk=tx.pk).update(last_error=str(exc)[:300], updated_at=timezone.now())
        tx.last_error = str(exc)[:300]
        if raise_errors:
            raise
        return tx
    with transaction.atomic():
        locked = _locked(tx.pk)
        if locked.provider_transaction_id != answer.transaction_id:
            return locked  # an older attempt's answer; the current attempt decides
        _transition(locked, answer.status, source=source, provider_status=answer.provider_status)
        if locked.last_error:
            locked.last_error = ""
            locked.save(update_fields=["last_error", "updated_at"])
    return locked


def handle_notification(provider_id: str, body: bytes, headers: dict[str, str]) -> PaymentTransaction | None:
    """A provider's server-to-server callback: authenticate it, then ask the provider (never trust the body)."""
    plugin = _plugin(provider_id)
    transaction_id = plugin.verify_notification(body, headers)
    if not transaction_id:
        return None
    tx = PaymentTransaction.objects.filter(provider=provider_id, provider_transaction_id=transaction_id).first()
    if tx is None:
        return None
    return refresh_status(tx, source="callback", raise_errors=True)
