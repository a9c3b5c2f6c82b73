"""`client_ip`: X-Forwarded-For counts only as far as the configured trusted proxies append to it."""

import pytest
from django.test import RequestFactory

from amtsweg.core.clientip import axes_client_ip, client_ip


def _request(remote: str = "10.0.0.9", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No trusted proxy: whatever the client writes into the header is ignored.
        (0, None, "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),
        (0, "203.0.113.7, 198.51.100.1", "10.0.0.9"),
        # One proxy: it appended the address it saw; the client's own entries to the left don't count.
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6,198.51.100.1", "198.51.100.1"),
        # Two proxies: the second from the right is what the outer proxy saw.
        (2, "6.6.6.6, 198.51.100.1, 10.1.1.1", "198.51.100.1"),
        (2, "198.51.100.1, 10.1.1.1", "198.51.100.1"),
        # Fewer entries than proxies, garbage or an empty header: the request did not come through the
        # proxies as configured, so the direct peer counts.
        (2, "198.51.100.1", "10.0.0.9"),
        (1, "", "10.0.0.9"),
        (1, "not-an-address", "10.0.0.9"),
        (1, "198.51.100.1, unknown", "10.0.0.9"),
        (1, "198.51.100.1:4711", "10.0.0.9"),
        # IPv6 is normalised, so one client is one rate-limit key however it is spelled.
        (1, "2001:DB8:0:0::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_x_forwarded_for_only_as_far_as_configured(settings, proxies, forwarded, expected):
    settings.AMTSWEG_TRUSTED_PROXIES = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_the_default_ignores_x_forwarded_for(settings):
    del settings.AMTSWEG_TRUSTED_PROXIES
    assert client_ip(_request(forwarded="203.0.113.7")) == "10.0.0.9"


def test_the_deployment_setting_is_read_from_the_environment():
    from django.conf import settings

    assert settings.AMTSWEG_TRUSTED_PROXIES == 0


def test_axes_gets_none_without_any_address(settings):
    settings.AMTSWEG_TRUSTED_PROXIES = 0
    request = _request()
    del request.META["REMOTE_ADDR"]
    assert axes_client_ip(request) is None
    assert axes_client_ip(_request(remote="127.0.0.1")) == "127.0.0.1"
