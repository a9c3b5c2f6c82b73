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


def body_for(messages: Sequence[OutboxMessage]) -> bytes:
    submissions = [
        {"destinationId": str(m.destination_id), "submissionId": str(m.submission_id), "caseId": str(m.case_id)}
        for m in messages
    ]
    payload = {
        "type": callbacks.NEW_SUBMISSIONS,
        "submissionIds": [str(m.submission_id) for m in messages],
        "submissions": submissions,
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
        body = body_for(batch)
        try:
            response = _client().post(url, content=body, headers=callbacks.headers(destination.callback_secret, body))
        except httpx.TimeoutException:
            return DeliveryError("Zeitüberschreitung beim Callback an das Fachverfahren.")
        except httpx.HTTPError as exc:
            return DeliveryError(f"Fachverfahren nicht erreichbar: {type(exc).__name__}")
        if 200 <= response.status_code < 300:
            return None
        return DeliveryError(f"Fachverfahren antwortete mit HTTP {response.status_code}.")
