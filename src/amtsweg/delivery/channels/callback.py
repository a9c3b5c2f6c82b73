"""HTTPS callback to the Fachverfahren, FIT-Connect style.

One POST per destination announces all claimed submissions at once. The body carries ids only, never
personal data; the Fachverfahren then fetches the submissions through the Submission API and confirms
with an accept/reject event. Plain http is allowed only to loopback addresses (tests, local setups).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

from amtsweg.delivery import callbacks, conf
from amtsweg.delivery.channels import DeliveryError, PerDestinationChannel
from amtsweg.delivery.models import OutboxMessage

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_local = threading.local()


def _client() -> httpx.Client:
    """One keep-alive client per worker thread (connection reuse matters at hundreds of callbacks/s)."""
    timeout = conf.value("CALLBACK_TIMEOUT_SECONDS")
    client = getattr(_local, "client", None)
    if client is None or client.timeout.read != timeout:
        client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)
        _local.client = client
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


class CallbackChannel(PerDestinationChannel):
    name = "callback"
    label = "HTTPS-Callback"

    def deliver_to(self, destination, batch: Sequence[OutboxMessage]) -> DeliveryError | None:
        if destination is None:
            return DeliveryError("Der Zustellpunkt existiert nicht mehr.", permanent=True)
        url = destination.callback_url
        if not url or not destination.callback_secret:
            return DeliveryError("Für den Zustellpunkt ist keine Callback-Adresse hinterlegt.")
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            return DeliveryError("Die Callback-Adresse muss mit https:// beginnen.")
        return post_signed(_client(), url, destination.callback_secret, body_for(batch),
                           receiver="Fachverfahren", to_receiver="an das Fachverfahren")


def post_signed(client: httpx.Client, url: str, secret: str, body: bytes, *, receiver: str,
                to_receiver: str) -> DeliveryError | None:
    """POST a callback signed with `secret`; None if the receiver took it (2xx), else why not.
    `receiver`/`to_receiver` name it in the reason ("Fachverfahren", "an das Fachverfahren")."""
    try:
        response = client.post(url, content=body, headers=callbacks.headers(secret, body))
    except httpx.TimeoutException:
        return DeliveryError(f"Zeitüberschreitung beim Callback {to_receiver}.")
    except httpx.HTTPError as exc:
        return DeliveryError(f"{receiver} nicht erreichbar: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return None
    return DeliveryError(f"{receiver} antwortete mit HTTP {response.status_code}.")
