"""Fixtures shared by every app's tests (and the top-level ``tests/``): one definition each.

Use them by name in a test's arguments; nothing to import. Factories are imported inside the fixtures,
because pytest loads this plugin before Django is set up.

Hypothesis runs without deadline and speed health check (a loaded machine is no finding). Isolation for
every test (autouse): German as the active language, no request id, an empty cache (rate-limit counters),
readiness checks run afresh with a generous time limit, a routing index built from the test's own data,
MEDIA_ROOT in the test's own temporary directory (``media_root``), login throttling as configured for tests,
sender callbacks allowed to loopback.

Tenants: ``kommune_a``, ``kommune_b`` (two Kommunen), ``other_land_kommune`` (München, Bayern),
``kommune_admin``, ``land_operator`` (users, not logged in: ``amtsweg.accounts.testing.login_staff``).
Geography and routing: ``saarland`` (Land 10, Kreise 10041/10042, Saarbrücken, Völklingen, Merzig and
postcodes), ``offices`` (a destination per level), ``hundesteuer`` (responsibilities on three levels),
``responsibility`` / ``destination`` (one Gemeinde-level responsibility and its destination),
``routing_index_as_in_production`` (the index's version read once a minute: for tests that count queries).
APIs: ``api_world`` (known submissions, clients and keys for the conformance and fuzzing suites).
Logs: ``all_logs`` (every logger at DEBUG into the configured JSON handler; a StringIO of its lines).
Metrics: ``scrape_metrics`` (scrapes `/metrics` with a test token; samples by name and labels).
Queue: ``redis_url`` (a Redis database of the run's own for the broker tests; skipped only without a Redis).
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    """Hypothesis without wall-clock limits: a draw or an example that is slow because seven processes share two
    cores is no finding (the house rule: no test asserts wall-clock time)."""
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    hypothesis_settings.register_profile("amtsweg", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    hypothesis_settings.load_profile("amtsweg")


# --- Isolation ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):
    """Login throttling is tested explicitly; other tests must not trip over each other's failures."""
    settings.AXES_ENABLED = os.environ.get("AXES_ENABLED_IN_TESTS", "1") == "1"


@pytest.fixture(autouse=True)
def _sender_callbacks_to_loopback(settings):
    """Test endpoints listen on http://127.0.0.1; `delivery/tests/test_ssrf.py` switches the guard back on."""
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language (German).

    A request with ``Accept-Language: en`` makes LocaleMiddleware activate English for the thread and nothing
    switches it back; in random order the next test would then see English messages."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _no_request_id():
    """Every test starts outside any request id. The middleware's id is cleared by `request_finished`, which
    fires when a response is closed; a test that leaves a streamed response unread never closes it, and in
    random order the next test would see that id as its own."""
    from amtsweg.core import requestid

    with requestid.bound():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (mails, routing API) live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_readiness(monkeypatch):
    """Every test's first `/readyz` runs every check (a pass counts for a while per process, `core.health`),
    and a part has a minute instead of a second: loading a key cold on a machine shared by seven processes
    is no timeout to find. The timeout tests set their own limit."""
    from amtsweg.core import health

    health.forget()
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 60.0)


@pytest.fixture(autouse=True)
def _fresh_routing_index():
    """Every test builds the routing index from its own data. The index lives in the process for
    `ROUTING_INDEX_CHECK_SECONDS`; the data it was built from roll back with the test that made them, and the
    index version counter rolls back with them, so the next test could see routes that no longer exist."""
    from amtsweg.routing import resolution

    resolution.invalidate(bump=False)
    yield
    resolution.invalidate(bump=False)


@pytest.fixture
def routing_index_as_in_production(settings):
    """For tests that count queries on a path that looks up routes or keys: the index's version is read at most
    once a minute, as a production process reads it at most once per interval. With the tests' 1 s, a slow
    machine counts the version read in one measurement and not in the other (CI: 13 against 14 queries).
    Writes in the test still show at once (they drop this process's index); `_fresh_routing_index` drops the
    index after the test, so its minute does not outlive it."""
    from amtsweg.routing import resolution

    settings.ROUTING_INDEX_CHECK_SECONDS = 60
    resolution.invalidate(bump=False)  # an index a fixture built before this one would keep its own interval


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and exported files go to the test's own directory, never into var/ nor to another test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Tenants -----------------------------------------------------------------------------------------


@pytest.fixture
def kommune_a(db):
    from amtsweg.accounts.tests.factories import AuthorityFactory

    return AuthorityFactory(name="Bürgeramt A")


@pytest.fixture
def kommune_b(db):
    from amtsweg.accounts.tests.factories import AuthorityFactory

    return AuthorityFactory(name="Bürgeramt B")


@pytest.fixture
def other_land_kommune(db):
    """A Kommune in Bayern: for the tests that another Land's data stays invisible."""
    from amtsweg.accounts.tests.factories import AuthorityFactory
    from amtsweg.geo.tests.factories import LandFactory, MunicipalityFactory

    bayern = LandFactory(code="09", name="Bayern")
    municipality = MunicipalityFactory(
        ars="091620000000", association__code="091620000", association__land=bayern,
        association__district__code="09162", association__district__land=bayern, name="München",
    )
    return AuthorityFactory(municipality=municipality, name="Kreisverwaltungsreferat München")


@pytest.fixture
def kommune_admin(db):
    """An administrator of a Kommune (with a confirmed TOTP device), not logged in."""
    from amtsweg.accounts.tests.factories import UserFactory

    return UserFactory(kommune_admin=True)


@pytest.fixture
def land_operator(db):
    """The operator of the Land of its authority, not logged in."""
    from amtsweg.accounts.tests.factories import UserFactory

    return UserFactory(land_operator=True)


# --- Geography and routing ---------------------------------------------------------------------------


@pytest.fixture
def saarland(db):
    """Land 10; Kreis 10041 with Saarbrücken and Völklingen; Kreis 10042 with Merzig; postcode 66333 spans
    Saarbrücken and Völklingen, 66111 is Saarbrücken only."""
    from amtsweg.geo.tests.factories import (
        DistrictFactory,
        LandFactory,
        MunicipalAssociationFactory,
        MunicipalityFactory,
        PostcodeAreaFactory,
    )

    land = LandFactory(code="10", name="Saarland")
    kreis = DistrictFactory(code="10041", name="Regionalverband Saarbrücken", land=land)
    other_kreis = DistrictFactory(code="10042", name="Merzig-Wadern", land=land)
    sb_verband = MunicipalAssociationFactory(code="100410100", district=kreis, land=land, name="Saarbrücken")
    vk_verband = MunicipalAssociationFactory(code="100410519", district=kreis, land=land, name="Völklingen")
    mzg_verband = MunicipalAssociationFactory(code="100420111", district=other_kreis, land=land, name="Merzig")
    sb = MunicipalityFactory(ars="100410100100", name="Saarbrücken, Landeshauptstadt", association=sb_verband)
    vk = MunicipalityFactory(ars="100410519519", name="Völklingen, Mittelstadt", association=vk_verband)
    mzg = MunicipalityFactory(ars="100420111111", name="Merzig, Kreisstadt", association=mzg_verband)
    PostcodeAreaFactory(postcode="66111", municipality=sb, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66333", municipality=sb, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66333", municipality=vk, place_name="Völklingen")
    return {"land": land, "kreis": kreis, "other_kreis": other_kreis, "sb": sb, "vk": vk, "mzg": mzg}


@pytest.fixture
def offices(saarland):
    """An Authority with a destination for the Land, the Kreis 10041 and the two Gemeinden."""
    from amtsweg.accounts.tests.factories import AuthorityFactory
    from amtsweg.routing.tests.factories import DestinationFactory

    return {
        "land": DestinationFactory(authority=AuthorityFactory(land_office=True, land=saarland["land"])),
        "kreis": DestinationFactory(authority=AuthorityFactory(district_office=True, district=saarland["kreis"])),
        "sb": DestinationFactory(authority=AuthorityFactory(municipality=saarland["sb"],
                                                            website="https://www.saarbruecken.de")),
        "vk": DestinationFactory(authority=AuthorityFactory(municipality=saarland["vk"])),
    }


@pytest.fixture
def hundesteuer(offices):
    """Hundesteuer: Land-wide default, Kreis 10041, Saarbrücken itself."""
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    return {
        "land": ResponsibilityFactory(destination=offices["land"], area_ars="10"),
        "kreis": ResponsibilityFactory(destination=offices["kreis"], area_ars="10041"),
        "sb": ResponsibilityFactory(destination=offices["sb"], area_ars="100410100100"),
    }


@pytest.fixture
def responsibility(db):
    """One Gemeinde-level responsibility of an active destination with an encryption key."""
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    return ResponsibilityFactory()


@pytest.fixture
def destination(responsibility):
    """The destination of `responsibility`."""
    return responsibility.destination


@pytest.fixture
def api_world(db):
    """Rows the API suites (FITKO conformance, schemathesis fuzzing) reach through known ids: call it with a
    responsibility; its destination gets a signature key, a submitted (forwardable) submission from the
    platform's intake, an incomplete one announced by a sender client with one attachment still to upload,
    and a subscriber client allowed to fetch and manage. Returns a namespace: destination, key (the active
    encryption key), submitted, incomplete, attachment_id, sender, subscriber, service (the LeiKa URN),
    jwe (a valid attachment for `key`)."""
    import uuid
    from types import SimpleNamespace

    from amtsweg.routing.tests.factories import DestinationKeyFactory
    from amtsweg.submissions import crypto, services
    from amtsweg.submissions.tests.factories import ApiClientFactory, payload_for, submit_payload

    def make(responsibility) -> SimpleNamespace:
        destination = responsibility.destination
        DestinationKeyFactory(destination=destination, signature=True)
        submitted = submit_payload(payload_for(responsibility))
        sender = ApiClientFactory(sender_region="10")
        service = "urn:de:fim:leika:leistung:" + responsibility.leika_key
        attachment_id = str(uuid.uuid4())
        incomplete = services.announce(destination, sender=sender, service_identifier=service,
                                       announced_attachments=[attachment_id])
        subscriber = ApiClientFactory(subscriber_for=destination,
                                      scopes=[f"subscribe:destination:{destination.pk}",
                                              f"manage:destination:{destination.pk}"])
        key = destination.active_encryption_key()
        return SimpleNamespace(
            destination=destination, key=key, submitted=submitted, incomplete=incomplete,
            attachment_id=attachment_id, sender=sender, subscriber=subscriber, service=service,
            jwe=crypto.encrypt_for(dict(key.jwk, kid=key.kid), b"Anlage"))

    return make


# --- Logs ----------------------------------------------------------------------------------------------


@pytest.fixture
def all_logs():
    """Every logger at DEBUG into the configured handler (with its filters and JSON formatter); yields the
    stream the JSON lines are written to."""
    import io
    import logging
    import logging.config

    from django.conf import settings as django_settings

    stream = io.StringIO()
    config = {
        **django_settings.LOGGING,
        "handlers": {"console": {**django_settings.LOGGING["handlers"]["console"], "stream": stream}},
        "root": {"handlers": ["console"], "level": "DEBUG"},
        "loggers": {name: {**spec, "level": "DEBUG"} for name, spec in django_settings.LOGGING["loggers"].items()},
    }
    levels = {name: logger.level for name, logger in logging.root.manager.loggerDict.items()
              if isinstance(logger, logging.Logger)}
    logging.config.dictConfig(config)
    for name in levels:
        logging.getLogger(name).setLevel(logging.NOTSET)  # libraries that set their own level log too
    yield stream
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.config.dictConfig(django_settings.LOGGING)


# --- Metrics ---------------------------------------------------------------------------------------------


@pytest.fixture
def scrape_metrics(client, settings):
    """Scrape `/metrics` with a test token; returns a function giving {(sample name, ((label, value), …)): value}
    (the raw text is in its `.text` after each call)."""
    from prometheus_client.parser import text_string_to_metric_families

    settings.AMTSWEG_METRICS_TOKEN = "test-scrape-token"

    def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", headers={"Authorization": "Bearer test-scrape-token"})
        assert response.status_code == 200, response.status_code
        scrape.text = response.content.decode()
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(scrape.text) for sample in family.samples}

    scrape.text = ""
    return scrape


# --- Queue -----------------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """The Redis the broker-backed tests use: AMTSWEG_TEST_REDIS_URL, else REDIS_URL, else database 15 on the
    local server. Its queue is emptied by the tests, so two suites running at once (`.ci/run` runs SQLite and
    PostgreSQL together) each get their own database through AMTSWEG_TEST_REDIS_URL. Skipped with a reason
    only when no Redis answers (CI has one)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    url = os.environ.get("AMTSWEG_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisConnectionError:
        pytest.skip(f"Redis is not reachable at {url}; the broker-backed option cannot be tested here")
    return url
