"""The client address that rate limits and login throttling count against.

Behind a reverse proxy `REMOTE_ADDR` is the proxy, and the client address is in `X-Forwarded-For`. But
that header is written by whoever sends the request: a client can put any address there, and each proxy
only appends the address it saw. So the header is trusted exactly as far as the deployment says proxies
append to it (`AMTSWEG_TRUSTED_PROXIES`, the number of proxies in front of Django):

- 0 (default): the header is ignored entirely; the address is `REMOTE_ADDR`.
- n > 0: the n-th address from the right is the one the outermost trusted proxy saw (everything left of
  it was written by the client and may be forged). A header with fewer entries or an unparsable entry
  means the request did not come through the proxies as configured; then `REMOTE_ADDR` counts.

Read at call time so tests can switch it per settings override.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxies() -> int:
    """How many reverse proxies in front of Django append to `X-Forwarded-For` (0: none, header ignored)."""
    return max(0, int(getattr(settings, "AMTSWEG_TRUSTED_PROXIES", 0)))


def _address(value: str) -> str | None:
    """`value` as a normalised IP address string, or None if it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as far as the configured proxies vouch for it (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxies()
    if count:
        # Several X-Forwarded-For headers arrive joined with "," (WSGI), in order; that reads the same.
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = _address(forwarded[-count])
            if address is not None:
                return address
    return _address(remote) or remote


def axes_client_ip(request: HttpRequest) -> str | None:
    """`AXES_CLIENT_IP_CALLABLE`: axes stores the address in an IP field, so "no address" is None there."""
    return client_ip(request) or None
