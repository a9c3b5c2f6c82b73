"""Payment provider plugins (XBezahldienste-like): create a transaction, query its status.

A plugin never decides a payment's outcome from what the browser brings back; the platform always asks
`get_status` server-side. Plugins register under a unique identifier.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings

from amtsweg.core.plugins import PluginRegistry


class PaymentProviderError(Exception):
    """The provider could not be reached or gave an unusable answer. The message is safe to show citizens."""


@dataclass(frozen=True)
class ProviderTransaction:
    transaction_id: str
    redirect_url: str  # the provider's pay page for the citizen
    status: str  # platform status: created / paid / declined / abandoned / failed
    provider_status: str = ""  # the provider's own word, for the event log


class PaymentProvider(ABC):
    identifier: str = ""
    label: str = ""
    is_test_plugin: bool = False

    @abstractmethod
    def is_enabled(self) -> bool: ...

    @abstractmethod
    def create_transaction(self, *, request_id: str, amount_cents: int, currency: str, purpose: str,
                           redirect_url: str, notify_url: str) -> ProviderTransaction:
        """Create (idempotently per request_id) a transaction at the provider."""

    @abstractmethod
    def get_status(self, transaction_id: str) -> ProviderTransaction:
        """Ask the provider, server to server, what became of the transaction."""

    def verify_notification(self, body: bytes, headers: dict[str, str]) -> str | None:
        """The provider transaction id a callback is about, or None if it is not authentic."""
        return None


class Registry[PluginT: PaymentProvider](PluginRegistry[PluginT]):
    def default_identifier(self) -> str:
        return getattr(settings, "AMTSWEG_PAYMENT_PROVIDER", "") or "testbezahldienst"


register: Registry[PaymentProvider] = Registry("payment provider", test_setting="AMTSWEG_TEST_PAYMENT_PROVIDER")
