"""`/readyz` with each part failing: database, queue, platform signing key, trust anchors, draft key, KEK.
503, the part named in `reasons`, no configuration or secret in the answer, and the others still checked.
And what a probe costs (issue 18): a passed key check is not repeated within its cache time, a hanging part
is named in time instead of holding the answer."""

import socket
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amtsweg.assistants import crypto
from amtsweg.casework import vault
from amtsweg.core import health, pki, platform_keys
from amtsweg.geo.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data_and_fresh_key_caches():
    MunicipalityFactory()
    caches = (platform_keys._load_signing_key, crypto._key, vault._kek)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:  # the next test loads the installation's keys again
        cached.cache_clear()


def _not_ready(client, part: str, state: str) -> dict:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"][part] == state
    assert body["reasons"] == [f"{part}: {state}"]  # only the broken part: every other one was checked and passed
    return body


def test_ready_when_every_part_is_there(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and "reasons" not in response.json()


def test_database_down(client, monkeypatch):
    from django.db import connection

    def refuse():
        raise ConnectionError("database down at db.intern:5432")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "unavailable" and "database: unavailable" in body["reasons"]
    assert body["checks"]["signing_key"] == "ok"  # checks without the database still tell their state
    assert "db.intern" not in response.content.decode()


def test_queue_unreachable_degrades_but_keeps_the_host_in(client):
    from django.tasks import task_backends

    from amtsweg.delivery import broker

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens
    original = task_backends["default"]
    task_backends["default"] = broker.RQBackend("default", {"OPTIONS": {"URL": f"redis://127.0.0.1:{port}/0"}})
    try:
        response = client.get("/readyz")
    finally:
        task_backends["default"] = original
    # Every host shares the queue and intakes go on without it: named, but no host is taken out for it.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["queue"] == "unavailable"
    assert body["reasons"] == ["queue: unavailable"]
    assert str(port) not in response.content.decode()


def _production_with(client, settings, part: str, state: str, **overrides) -> dict:
    """Outside embedded mode (nothing is generated), every part configured as in production, then `overrides`
    break one of them."""
    from cryptography.hazmat.primitives import serialization

    from amtsweg.core import pki

    settings.AMTSWEG_EMBEDDED = True  # the demo PKI's root and the key file are made in embedded mode only
    for cached in (platform_keys._load_signing_key, crypto._key, vault._kek):
        cached.cache_clear()
    health.forget()  # a pass of the configuration before counts for a while; this one is checked afresh
    anchors = Path(settings.VAR_DIR) / "readiness-test-anchors.pem"
    anchors.write_bytes(pki.demo_root().public_bytes(serialization.Encoding.PEM))
    signing_key = Path(settings.VAR_DIR) / "platform_signing_key.pem"
    platform_keys._load_or_create(signing_key)  # the installation's key, as a configured file
    settings.AMTSWEG_EMBEDDED = False
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(anchors)
    settings.PLATFORM_SIGNING_KEY_FILE = str(signing_key)
    settings.AMTSWEG_DRAFT_KEY = "A" * 43 + "="
    settings.AMTSWEG_CASEWORK_KEK = "B" * 43 + "="
    for name, value in overrides.items():
        setattr(settings, name, value)
    return _not_ready(client, part, state)


def test_platform_signing_key_missing(client, settings):
    body = _production_with(client, settings, "signing_key", "unavailable",
                            PLATFORM_SIGNING_KEY_FILE="/nicht/da/platform-signing-key.pem")
    assert "/nicht/da" not in str(body)


def test_trust_anchors_unreadable_or_not_configured(client, settings):
    body = _production_with(client, settings, "trust_anchors", "unavailable",
                            AMTSWEG_PKI_TRUST_ANCHORS_FILE="/nicht/da/anker.pem")
    assert "anker" not in str(body)
    _production_with(client, settings, "trust_anchors", "missing", AMTSWEG_PKI_TRUST_ANCHORS_FILE="")


def test_draft_key_broken(client, settings):
    body = _production_with(client, settings, "draft_key", "unavailable", AMTSWEG_DRAFT_KEY="c2VocmdlaGVpbQ")
    assert "c2VocmdlaGVpbQ" not in str(body)  # 10 bytes, not 32; the value is never shown


def test_casework_kek_broken_or_missing(client, settings):
    body = _production_with(client, settings, "casework_kek", "unavailable", AMTSWEG_CASEWORK_KEK="a2Vr")
    assert "a2Vr" not in str(body)
    _production_with(client, settings, "casework_kek", "unavailable", AMTSWEG_CASEWORK_KEK="")


def test_readiness_is_on_metrics_too(client, scrape_metrics, monkeypatch):
    assert scrape_metrics()[("amtsweg_ready", ())] == 1
    monkeypatch.setitem(health._checks, "trust_anchors", lambda: False)
    health.forget()  # the real check passed a moment ago
    samples = scrape_metrics()
    assert samples[("amtsweg_ready", ())] == 0
    assert samples[("amtsweg_readiness_check", (("check", "trust_anchors"),))] == 0
    assert samples[("amtsweg_readiness_check", (("check", "database"),))] == 1
    monkeypatch.setitem(health._checks, "trust_anchors", lambda: True)
    monkeypatch.setitem(health._checks, "queue", lambda: False)  # not critical: reported, still ready
    health.forget()
    samples = scrape_metrics()
    assert samples[("amtsweg_ready", ())] == 1
    assert samples[("amtsweg_readiness_check", (("check", "queue"),))] == 0


# --- What a probe costs --------------------------------------------------------------------------------


@pytest.mark.parametrize(("part", "module", "loader"), [
    ("signing_key", platform_keys, "signing_key"), ("trust_anchors", pki, "trust_anchors"),
    ("draft_key", crypto, "_key"), ("casework_kek", vault, "kek"),
])
def test_a_passed_key_check_is_not_repeated_within_its_cache_time(client, monkeypatch, part, module, loader):
    """The keys do not change between two probes; loading one may cost a quarter second of CPU (RSA-4096) or a
    round trip to a KMS. The balancer asks every second or two, on every host."""
    now = [1000.0]
    monkeypatch.setattr(health, "monotonic", lambda: now[0])
    original, calls = getattr(module, loader), []

    def counted():
        calls.append(1)
        return original()

    monkeypatch.setattr(module, loader, counted)
    for _ in range(3):
        assert client.get("/readyz").json()["checks"][part] == "ok"
    assert len(calls) == 1
    now[0] += health.KEY_CACHE_SECONDS
    assert client.get("/readyz").json()["checks"][part] == "ok"
    assert len(calls) == 2  # checked again once the pass is older than its cache time


def test_a_failing_key_check_is_not_cached(client, monkeypatch):
    """A failure is checked again at the next probe, so a host turns ready as soon as its part is there."""
    broken = [True]

    def kek():
        if broken[0]:
            raise RuntimeError("KMS unreachable")
        return True

    monkeypatch.setattr(vault, "kek", kek)
    assert client.get("/readyz").json()["checks"]["casework_kek"] == "unavailable"
    broken[0] = False
    assert client.get("/readyz").status_code == 200


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_loaded_reference_data_are_not_queried_by_every_probe(client):
    client.get("/readyz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/readyz").status_code == 200
    assert not [q for q in queries.captured_queries if "geo_municipality" in q["sql"]]


def test_a_hanging_part_is_named_in_time_and_does_not_take_the_host_out(client, monkeypatch):
    """The probe stops waiting for a part after `CHECK_TIMEOUT_SECONDS`, names it, and starts no second
    thread for it while it hangs. A timeout alone keeps the host in: slowness is what overload looks like."""
    assert client.get("/readyz").status_code == 200  # keys loaded and cached with the tests' generous limit
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 1.0)  # the production limit
    release, finished, calls = threading.Event(), threading.Event(), []

    def hanging_kek():
        calls.append(1)
        try:
            release.wait(30)  # were the answer waiting for this part, it would say "ok", 30 s later
            return True
        finally:
            finished.set()

    monkeypatch.setattr(vault, "kek", hanging_kek)
    health.forget()
    try:
        for _ in range(2):
            response = client.get("/readyz")
            assert not release.is_set() and not finished.is_set()
            assert response.status_code == 200
            body = response.json()
            assert body["status"] == "degraded" and body["checks"]["casework_kek"] == "timeout"
            assert "casework_kek: timeout" in body["reasons"]  # (another part may be slow on a busy machine)
        assert len(calls) == 1  # the second probe found the first run still in flight
    finally:
        release.set()
    assert finished.wait(30)
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 60.0)  # the thread's last step may still be ahead
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["casework_kek"] == "ok"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no statement timeout")
def test_a_slow_statement_is_cut_off_and_named(client, monkeypatch):
    """A check on the database runs under a statement timeout of `CHECK_TIMEOUT_SECONDS`: a lock held by a
    migration or a server that does not keep up gives "timeout", not a probe that hangs."""
    from django.db import connection

    def sleeping():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(30)")  # "ok" after 30 s, were it not cut off
        return True

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setitem(health._checks, "slow_part", sleeping)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["slow_part"] == "timeout"
    assert response.json()["reasons"] == ["slow_part: timeout"]
    with connection.cursor() as cursor:  # the test's transaction goes on, with its own statement timeout
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
