"""Connects the submission lifecycle to the outbox (connected in DeliveryConfig.ready()).

Both receivers run inside the transaction of their step: they write outbox rows there, nothing else (no
network I/O); the worker delivers after commit.
"""

from __future__ import annotations

from amtsweg.delivery import channels, services
from amtsweg.delivery.channels import sender_callback
from amtsweg.routing.models import Destination


def on_submission_submitted(sender, submission, **kwargs) -> None:
    """One row per push channel the destination chose (never the sender's callback)."""
    destination = submission.destination
    services.enqueue(
        submission_id=submission.pk,
        destination_id=destination.pk,
        authority_id=destination.authority_id,
        case_id=submission.case_id,
        channel_names=channels.destination_channels(destination.channels or []),
    )


def on_destination_event_received(sender, submission, **kwargs) -> None:
    """Accept/reject stored: tell the sender, if it gave a callback, that the event log has news.

    The row belongs to the destination's authority (its staff see the delivery), like every outbox row.
    """
    if not submission.callback_url:
        return
    authority_id = Destination.objects.filter(pk=submission.destination_id).values_list(
        "authority_id", flat=True
    ).get()
    services.enqueue(
        submission_id=submission.pk,
        destination_id=submission.destination_id,
        authority_id=authority_id,
        case_id=submission.case_id,
        channel_names=[sender_callback.IDENTIFIER],
    )
