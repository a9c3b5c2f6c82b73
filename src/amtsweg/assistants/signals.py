"""Reactions to other apps' events, connected in AppConfig.ready()."""

from __future__ import annotations

from django.db import transaction as db_transaction


def _payment_changed(sender, **kwargs) -> None:
    """A fee was paid: hand the application over once the payment's own transaction has committed."""
    if kwargs.get("to_status") != "paid":
        return
    from .services import submit_paid_draft

    paid = kwargs["transaction"]
    reference = paid.reference
    db_transaction.on_commit(lambda: submit_paid_draft(reference, paid))


def connect() -> None:
    from amtsweg.payments.signals import payment_status_changed

    payment_status_changed.connect(_payment_changed, dispatch_uid="assistants-submit-paid-draft")
