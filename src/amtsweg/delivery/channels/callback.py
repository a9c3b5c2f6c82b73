"""HTTPS callback to the Fachverfahren, FIT-Connect style.

One POST per destination announces all claimed submissions at once. The body carries ids only, never
personal data; the Fachverfahren then fetches the submissions through the Submission API and confirms
with an accept/reject event.

Authority staff choose the URL, so it gets the same guard as a sender's (`amtsweg.core.netguard`): https,
public addresses only, checked when the destination is saved, again with DNS right before the POST and
once more when the connection is opened. A deployment whose Fachverfahren sit in private networks opens
exactly those (`AMTSWEG_CALLBACK_ALLOWED_NETWORKS`).

A failed POST is reported with one generic reason whatever went wrong: "connection refused", "timeout",
"TLS error" and "HTTP 404" would tell whoever sets the URL which ports are open where (a port scanner).
The cause goes to the log, with ids and no personal data.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence

import httpx
from django.utils.translation import gettext

from amtsweg.core import netguard
from amtsweg.delivery import callbacks, conf
from amtsweg.delivery.channels import DeliveryError, PerDestinationChannel, register
from amtsweg.delivery.models import OutboxMessage

logger = logging.getLogger(__name__)
_local = threading.local()


def _client(allowed: tuple[netguard.IPNetwork, ...]) -> httpx.Client:
    """One keep-alive client per worker thread (connection reuse matters at hundreds of callbacks/s), whose
    connections go to checked addresses only."""
    timeout = conf.value("CALLBACK_TIMEOUT_SECONDS")
    client = getattr(_local, "client", None)
    if client is None or client.timeout.read != timeout or getattr(_local, "allowed", None) != allowed:
        client = netguard.client(timeout, allowed)
        _local.client, _local.allowed = client, allowed
    return client


def body_for(messages: Sequence[OutboxMessage], callback_type: str = callbacks.NEW_SUBMISSIONS) -> bytes:
    """A FIT-Connect callback body (ids only; `submissionIds` is the deprecated form older receivers read)."""
    payload = {
        "type": callback_type,
        "submissionIds": [str(m.submission_id) for m in messages],
        "submissions": [
            {"destinationId": str(m.destination_id), "submissionId": str(m.submission_id), "caseId": str(m.case_id)}
            for m in messages
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


@register("callback")
class CallbackChannel(PerDestinationChannel):
    label = "HTTPS-Callback"

    def deliver_to(self, destination, batch: Sequence[OutboxMessage]) -> DeliveryError | None:
        if destination is None:
            return DeliveryError("Der Zustellpunkt existiert nicht mehr.", permanent=True)
        url = destination.callback_url
        if not url or not destination.callback_secret:
            return DeliveryError("Für den Zustellpunkt ist keine Callback-Adresse hinterlegt.")
        # Refusals are retried, not dead letters: staff can correct the address, and the next attempt
        # reads the destination again. They say nothing about ports (no connection was made).
        allowed = netguard.allowed_networks()
        try:
            netguard.check(url, allowed)
        except (netguard.Refused, netguard.Unresolvable) as exc:
            return DeliveryError(str(exc))
        try:
            return post_signed(_client(allowed), url, destination.callback_secret, body_for(batch),
                               to_receiver=gettext("an das Fachverfahren"),
                               log_extra={"destination": str(destination.pk)})
        except netguard.Refused as exc:  # the name resolved differently when the connection was opened
            return DeliveryError(str(exc))


def not_taken(to_receiver: str) -> str:
    """The one reason staff see for any failed POST (see the module docstring: no port scanner)."""
    return gettext(
        "Der Callback {to_receiver} wurde nicht angenommen (keine Verbindung, keine Antwort in der Frist "
        "oder eine Fehlerantwort). Die Ursache steht im Betriebsprotokoll."
    ).format(to_receiver=to_receiver)


def post_signed(client: httpx.Client, url: str, secret: str, body: bytes, *, to_receiver: str,
                log_extra: dict[str, str]) -> DeliveryError | None:
    """POST a callback signed with `secret`; None if the receiver took it (2xx), else the generic reason.

    `to_receiver` names the receiver in the reason ("an das Fachverfahren"); `log_extra` identifies the
    case in the log line with the actual cause (ids only: the URL may carry a token in its path or query).
    """
    try:
        response = client.post(url, content=body, headers=callbacks.headers(secret, body))
    except httpx.HTTPError as exc:
        cause = type(exc).__name__
    else:
        if 200 <= response.status_code < 300:
            return None
        cause = f"HTTP {response.status_code}"
    logger.warning("callback not taken", extra={**log_extra, "cause": cause})
    return DeliveryError(not_taken(to_receiver))
