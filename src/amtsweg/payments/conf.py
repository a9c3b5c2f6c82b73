"""Settings of the payment app, read late so that tests can change them with pytest-django's `settings`."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def test_provider_enabled() -> bool:
    return bool(getattr(settings, "AMTSWEG_TEST_PAYMENT_PROVIDER", False))


def test_provider_url() -> str:
    """Base URL at which the platform calls the embedded test provider (tests: the live server)."""
    url = getattr(settings, "AMTSWEG_TESTBEZAHLDIENST_URL", "") or f"{settings.PUBLIC_BASE_URL}/testbezahldienst"
    return url.rstrip("/")


def test_provider_secret() -> str:
    """Shared secret between platform and test provider (API auth, callback signatures)."""
    configured = getattr(settings, "AMTSWEG_TESTBEZAHLDIENST_SECRET", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"amtsweg-testbezahldienst", hashlib.sha256).hexdigest()


def http_timeout() -> float:
    return float(getattr(settings, "AMTSWEG_PAYMENT_HTTP_TIMEOUT", 10.0))
