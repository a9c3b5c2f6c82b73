"""Mail rate limits: per recipient address and per client (as far as trusted proxies vouch), in the cache."""

from django.test import RequestFactory

from amtsweg.core.ratelimit import mail_allowed


def _request(ip: str):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def test_per_address_whichever_client_asks(settings):
    settings.AMTSWEG_MAIL_LIMIT_PER_ADDRESS, settings.AMTSWEG_MAIL_LIMIT_PER_CLIENT = "2/h", "100/h"
    assert mail_allowed(_request("198.51.100.1"), "Opfer@Example.org")
    assert mail_allowed(_request("198.51.100.2"), "opfer@example.org ")
    assert not mail_allowed(_request("198.51.100.3"), "opfer@example.org")
    assert not mail_allowed(None, "opfer@example.org")  # e.g. after a payment provider's callback
    assert mail_allowed(_request("198.51.100.3"), "jemand@example.org")


def test_per_client_whatever_addresses_it_uses(settings):
    settings.AMTSWEG_MAIL_LIMIT_PER_ADDRESS, settings.AMTSWEG_MAIL_LIMIT_PER_CLIENT = "100/h", "3/h"
    assert all(mail_allowed(_request("203.0.113.7"), f"a{n}@example.org") for n in range(3))
    assert not mail_allowed(_request("203.0.113.7"), "a4@example.org")
    assert mail_allowed(_request("203.0.113.8"), "a4@example.org")


def test_the_client_is_the_one_trusted_proxies_vouch_for(settings):
    settings.AMTSWEG_MAIL_LIMIT_PER_ADDRESS, settings.AMTSWEG_MAIL_LIMIT_PER_CLIENT = "100/h", "1/h"
    settings.AMTSWEG_TRUSTED_PROXIES = 0
    forged = [RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
              for n in range(2)]
    assert mail_allowed(forged[0], "b1@example.org")
    assert not mail_allowed(forged[1], "b2@example.org")  # a forged X-Forwarded-For gives no fresh count

