"""`/readyz` with each part failing: database, queue, platform signing key, trust anchors, draft key, KEK.
503, the part named in `reasons`, no configuration or secret in the answer, and the others still checked."""

import socket
from pathlib import Path

import pytest

from amtsweg.assistants import crypto
from amtsweg.casework import vault
from amtsweg.core import platform_keys
from amtsweg.geo.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data_and_fresh_key_caches():
    MunicipalityFactory()
    caches = (platform_keys._load_signing_key, crypto._key, vault.kek)
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
    for cached in (platform_keys._load_signing_key, crypto._key, vault.kek):
        cached.cache_clear()
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
    from amtsweg.core import health

    assert scrape_metrics()[("amtsweg_ready", ())] == 1
    monkeypatch.setitem(health._checks, "trust_anchors", lambda: False)
    samples = scrape_metrics()
    assert samples[("amtsweg_ready", ())] == 0
    assert samples[("amtsweg_readiness_check", (("check", "trust_anchors"),))] == 0
    assert samples[("amtsweg_readiness_check", (("check", "database"),))] == 1
    monkeypatch.setitem(health._checks, "trust_anchors", lambda: True)
    monkeypatch.setitem(health._checks, "queue", lambda: False)  # not critical: reported, still ready
    samples = scrape_metrics()
    assert samples[("amtsweg_ready", ())] == 1
    assert samples[("amtsweg_readiness_check", (("check", "queue"),))] == 0
