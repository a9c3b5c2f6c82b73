"""The back office's own delivery channel: ingest starts as soon as a submission arrives.

`on_submission_submitted` (connected in CaseworkConfig.ready) writes an outbox row for channel "casework" in
the submission's transaction when the destination's receiving system is Amtsweg-Sachbearbeitung; the
delivery workers then call `CaseworkChannel.deliver_one`, with the outbox's retries and dead letters. A
rejected submission (bad hash or metadata) counts as delivered: it was handled, with a reject event.
"""

from __future__ import annotations

from amtsweg.delivery import services as outbox
from amtsweg.delivery.channels import DeliveryError, PerMessageChannel, register
from amtsweg.delivery.models import OutboxMessage

NAME = "casework"


@register(NAME)
class CaseworkChannel(PerMessageChannel):
    label = "Amtsweg-Sachbearbeitung"
    # Enqueued by `on_submission_submitted` for destinations on the back office, never through the
    # destination's list of push channels; the fetch records the forward-submission event itself.
    for_destination = False
    records_notification = False

    def deliver_one(self, message: OutboxMessage) -> None:
        from amtsweg.casework import ingest
        from amtsweg.submissions.errors import NotFound

        try:
            ingest.receive(message.submission_id, message.destination_id)
        except ingest.NotOurs as exc:
            raise DeliveryError("Die Einreichung ist nicht für einen Schlüssel der Amtsweg-Sachbearbeitung "
                                "verschlüsselt.", permanent=True) from exc
        except NotFound as exc:
            raise DeliveryError("Die Einreichung ist nicht mehr abholbereit.", permanent=True) from exc


def on_submission_submitted(sender, submission, **kwargs) -> None:
    """Inside the submission's transaction: an outbox row for the back office if it receives for the
    destination (no query: `is_active` answers from what it read for the routing index)."""
    from amtsweg.casework.receiving import is_active

    if not is_active(submission.destination_id):
        return
    destination = submission.destination
    outbox.enqueue(submission_id=submission.pk, destination_id=destination.pk,
                   authority_id=destination.authority_id, case_id=submission.case_id, channel_names=[NAME])
