"""Client plugin for the embedded test provider, spoken like an XBezahldienste payment platform.

It talks to the provider only over HTTP (httpx) at `conf.test_provider_url()`: POST .../paymenttransaction
to create, GET .../paymenttransaction/<id> to ask. Status words follow XBezahldienste (INITIAL, PAYED,
FAILED, CANCELED, TIMEOUT) and are mapped to the platform's statuses here.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from django.utils.translation import gettext as _

from amtsweg.payments import conf
from amtsweg.payments.models import PaymentStatus
from amtsweg.payments.registry import PaymentProvider, PaymentProviderError, ProviderTransaction, register

STATUS_MAP = {
    "INITIAL": PaymentStatus.CREATED,
    "PAYED": PaymentStatus.PAID,
    "FAILED": PaymentStatus.DECLINED,
    "CANCELED": PaymentStatus.ABANDONED,
    "TIMEOUT": PaymentStatus.ABANDONED,
}
SIGNATURE_HEADER = "x-testbezahldienst-signature"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def unreachable() -> PaymentProviderError:
    return PaymentProviderError(_(
        "Der Bezahldienst ist gerade nicht erreichbar. Es wurde nichts abgebucht und Ihre Angaben bleiben "
        "gespeichert. Bitte versuchen Sie es in einigen Minuten erneut."
    ))


@register("testbezahldienst")
class TestBezahldienst(PaymentProvider):
    label = "Testbezahldienst"
    is_test_plugin = True

    def is_enabled(self) -> bool:
        return conf.test_provider_enabled()

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=conf.test_provider_url(),
            headers={"Authorization": f"Bearer {conf.test_provider_secret()}", "Accept": "application/json"},
            timeout=conf.http_timeout(),
        )

    def _parse(self, response: httpx.Response) -> ProviderTransaction:
        if response.status_code >= 400:
            raise unreachable()
        try:
            info = response.json()["paymentInformation"]
            provider_status = str(info["status"])
            return ProviderTransaction(
                transaction_id=str(info["transactionId"]),
                redirect_url=str(info.get("transactionRedirectUrl") or ""),
                status=STATUS_MAP[provider_status],
                provider_status=provider_status,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise unreachable() from exc

    def create_transaction(self, *, request_id, amount_cents, currency, purpose, redirect_url, notify_url):
        payload = {
            "requestId": request_id,
            "currency": currency,
            "grosAmount": f"{amount_cents // 100}.{amount_cents % 100:02d}",
            "purpose": purpose,
            "redirectUrl": redirect_url,
            "notifyUrl": notify_url,
        }
        try:
            with self._client() as client:
                return self._parse(client.post("/api/paymenttransaction", json=payload))
        except httpx.HTTPError as exc:
            raise unreachable() from exc

    def get_status(self, transaction_id: str) -> ProviderTransaction:
        try:
            with self._client() as client:
                return self._parse(client.get(f"/api/paymenttransaction/{transaction_id}"))
        except httpx.HTTPError as exc:
            raise unreachable() from exc

    def verify_notification(self, body: bytes, headers: dict[str, str]) -> str | None:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given, sign(body, conf.test_provider_secret())):
            return None
        try:
            return str(json.loads(body)["transactionId"])
        except (ValueError, KeyError, TypeError):
            return None
