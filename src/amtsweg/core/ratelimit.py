"""Rate limits for e-mails that anonymous requests make the platform send (django-ratelimit on Django's cache).

Anyone can ask for a save-and-resume link or enter an address that receives the status link. Without a
limit, one client could mail a stranger's inbox full under the platform's name, or make it send thousands
of mails. So each such mail counts twice, and is refused when either count is exhausted:

- per address (`AMTSWEG_MAIL_LIMIT_PER_ADDRESS`, default 5 an hour): protects the recipient, whichever
  client asks;
- per client (`AMTSWEG_MAIL_LIMIT_PER_CLIENT`, default 20 an hour): protects the platform from one sender
  with many addresses. The client is `core.clientip.client_ip` (honours only trusted proxies).

Rates are django-ratelimit's notation ("5/h", "20/30m", "100/d"). The counters live in the default cache,
which is Redis when `REDIS_URL` is set, so they hold across processes and hosts. Cache keys are hashes; the
address enters them only as an HMAC under the SECRET_KEY, so the cache never holds a readable address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import is_ratelimited

from .clientip import client_ip

DEFAULT_PER_ADDRESS = "5/h"
DEFAULT_PER_CLIENT = "20/h"


def _address_key(address: str) -> str:
    return salted_hmac("amtsweg.core.ratelimit.mail", address.strip().lower(), algorithm="sha256").hexdigest()


def mail_allowed(request: HttpRequest | None, address: str) -> bool:
    """Count one mail to `address` asked for by `request` (None: no client, e.g. a payment provider's
    callback) and say whether it may be sent. Both counters count every attempt, refused ones too."""
    per_address = is_ratelimited(
        request, group="mail-address", key=lambda _group, _request: _address_key(address),
        rate=getattr(settings, "AMTSWEG_MAIL_LIMIT_PER_ADDRESS", DEFAULT_PER_ADDRESS), increment=True)
    per_client = request is not None and is_ratelimited(
        request, group="mail-client", key=lambda _group, req: client_ip(req),
        rate=getattr(settings, "AMTSWEG_MAIL_LIMIT_PER_CLIENT", DEFAULT_PER_CLIENT), increment=True)
    return not per_address and not per_client
