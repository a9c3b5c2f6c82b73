"""Connects the submission lifecycle to the outbox (connected in DeliveryConfig.ready())."""

from __future__ import annotations

from amtsweg.delivery import services


def on_submission_submitted(sender, submission, **kwargs) -> None:
    """Runs inside the submit transaction: write the outbox rows there, nothing else (no network I/O)."""
    destination = submission.destination
    services.enqueue(
        submission_id=submission.pk,
        destination_id=destination.pk,
        authority_id=destination.authority_id,
        case_id=submission.case_id,
        channel_names=destination.channels or [],
    )
