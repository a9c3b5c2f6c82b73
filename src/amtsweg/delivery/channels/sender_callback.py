"""FIT-Connect `new-events` callback to the sender (the online service that submitted through the API).

When the Fachverfahren accepts or rejects a submission, its event log has news; a sender that gave a
`callback` when it announced the submission is told so and need not poll. The body carries ids only
(`destinationId`, `submissionId`, `caseId`), never personal data; the sender then reads the case's event
log. Signed like the destination callback (HMAC-SHA512 over `<timestamp>.<body>`, headers
`callback-authentication` and `callback-timestamp`), with the secret the sender gave.

The rows are enqueued by `receivers.on_destination_event_received`, not by a destination's choice of
channels (`for_destination = False`), and belong to the destination's authority like every outbox row.

The sender is not trusted, so its URL goes through `amtsweg.core.netguard` (https, public addresses only,
checked again when the connection is opened), without the deployment's allow-list for Fachverfahren
networks that destination callbacks get.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence

import httpx
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amtsweg.core import netguard
from amtsweg.delivery import conf
from amtsweg.delivery.channels import Channel, DeliveryError, register
from amtsweg.delivery.channels.callback import body_for, post_signed
from amtsweg.delivery.models import OutboxMessage

NEW_EVENTS = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events"
_local = threading.local()


def _client() -> httpx.Client:
    """One keep-alive client per worker thread whose connections go to checked addresses only."""
    timeout = conf.value("CALLBACK_TIMEOUT_SECONDS")
    client = getattr(_local, "client", None)
    if client is None or client.timeout.read != timeout:
        client = netguard.client(timeout)
        _local.client = client
    return client


def url_problem(url: str) -> str | None:
    """Why the platform must not call `url` as far as is known without DNS (see `netguard.static_problem`)."""
    return netguard.static_problem(url)


IDENTIFIER = "sender_callback"


@register(IDENTIFIER)
class SenderCallbackChannel(Channel):
    label = _("Rückmeldung an den Sender (Callback)")
    for_destination = False
    # Not a notification of the Fachverfahren: no notify-submission event belongs in the log for it.
    records_notification = False

    def deliver(self, messages: Sequence[OutboxMessage]) -> dict[int, DeliveryError | None]:
        """One POST per sender endpoint (url and secret) for all its due submissions."""
        from amtsweg.submissions.models import Submission

        submissions = Submission.objects.only("id", "callback_url", "callback_secret").in_bulk(
            [m.submission_id for m in messages]
        )
        outcome: dict[int, DeliveryError | None] = {}
        by_endpoint: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for message in messages:
            submission = submissions.get(message.submission_id)
            if submission is None:
                outcome[message.pk] = DeliveryError("Die Einreichung existiert nicht mehr.", permanent=True)
            elif not submission.callback_url or not submission.callback_secret:
                outcome[message.pk] = DeliveryError(
                    "Der Sender hat keine Callback-Adresse angegeben.", permanent=True
                )
            else:
                by_endpoint[(submission.callback_url, submission.callback_secret)].append(message)
        for (url, secret), batch in by_endpoint.items():
            error = self._post(url, secret, batch)
            outcome.update({m.pk: error for m in batch})
        return outcome

    def _post(self, url: str, secret: str, batch: Sequence[OutboxMessage]) -> DeliveryError | None:
        # The full check (DNS included) right before the POST gives staff a clear reason; the client checks
        # again when it opens the connection, so a DNS answer that changes in between gains nothing.
        try:
            netguard.check(url)
        except netguard.Refused as exc:
            # The sender gave the address with the submission and cannot change it: no retry helps.
            return DeliveryError(str(exc), permanent=True)
        except netguard.Unresolvable as exc:
            return DeliveryError(str(exc))
        try:
            return post_signed(_client(), url, secret, body_for(batch, NEW_EVENTS),
                               to_receiver=gettext("an den Sender"),
                               log_extra={"submissions": ",".join(str(m.submission_id) for m in batch)})
        except netguard.Refused as exc:  # the name resolved differently when the connection was opened
            return DeliveryError(str(exc), permanent=True)
