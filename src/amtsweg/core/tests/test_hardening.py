"""Baseline hardening: CSP, CSRF, cookie flags, logs without personal data, health probes."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.logging import ScrubPersonalDataFilter, strip_query_strings


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/konto/anmelden/", "/quellen/"])
def test_csp_header_is_strict_on_pages(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"].split()[0] == "'self'"  # plus a nonce on pages that use one
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_csrf_is_enforced_on_post():
    staff = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/anmelden/", {"username": staff.username, "password": UserFactory.password_plain})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    page = client.get("/konto/anmelden/")
    token = page.context["csrf_token"]
    response = client.post("/konto/anmelden/", {"username": staff.username, "password": UserFactory.password_plain,
                                                "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    # Logged in, a state-changing POST without the token is still refused.
    assert client.post("/konto/abmelden/").status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(client):
    staff = UserFactory()
    client.get("/konto/anmelden/")
    response = client.post("/konto/anmelden/", {"username": staff.username, "password": UserFactory.password_plain})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/konto/anmelden/").cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["httponly"]


@pytest.mark.django_db
def test_cookies_are_secure_when_secure_cookies_is_on(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    staff = UserFactory()
    client.get("/konto/anmelden/", secure=True)
    response = client.post("/konto/anmelden/", {"username": staff.username, "password": UserFactory.password_plain},
                           secure=True)
    assert response.cookies["sessionid"]["secure"]
    assert client.cookies["csrftoken"]["secure"]


def _settings_in_subprocess(tmp_path, **env) -> dict:
    code = (
        "import json; from amtsweg import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY')}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECURE_COOKIES", "PUBLIC_BASE_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, "AMTSWEG_VAR_DIR": str(tmp_path), **env},
        capture_output=True, text=True, check=True, timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_secure_cookies_setting_switches_the_flags(tmp_path):
    on = _settings_in_subprocess(tmp_path, SECURE_COOKIES="1")
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"] and on["SECURE_HSTS_SECONDS"] > 0
    assert on["SESSION_COOKIE_HTTPONLY"] and on["CSRF_COOKIE_HTTPONLY"]
    https = _settings_in_subprocess(tmp_path, PUBLIC_BASE_URL="https://amtsweg.saarland.example")
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    off = _settings_in_subprocess(tmp_path)
    assert not off["SESSION_COOKIE_SECURE"]


@pytest.fixture
def json_log():
    """Route the configured JSON handler into a buffer for the duration of a test."""
    stream = io.StringIO()
    config = {**django_settings.LOGGING, "handlers": {
        "console": {**django_settings.LOGGING["handlers"]["console"], "stream": stream},
    }}
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.django_db
def test_json_logs_carry_no_personal_data(client, json_log):
    response = client.get("/gibt-es-nicht/?name=Erika+Mustermann&plz=66111&email=erika%40example.org")
    assert response.status_code == 404
    client.post("/konto/anmelden/?vorname=Erika", {"username": "erika.mustermann", "password": "falsch"})
    output = json_log.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert any(line.get("path") == "/gibt-es-nicht/" and line.get("status_code") == 404 for line in lines)
    assert any(line["logger"].startswith("axes") for line in lines)  # the failed login was logged ...
    for secret in ("Mustermann", "66111", "erika", "127.0.0.1", "WSGIRequest"):
        assert secret not in output  # ... but without name, postcode, username or IP address


def test_server_request_lines_lose_their_query_string():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /orte/?q=Mustermann HTTP/1.1", "200", "512"), None)
    record.request = object()  # runserver passes its socket here
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == '"GET /orte/ HTTP/1.1" 200 512'
    assert not hasattr(record, "request")
    assert strip_query_strings("see https://x.example/a/b?token=1 and /c?d=e") == "see https://x.example/a/b and /c"


def test_healthz_does_not_touch_the_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would fail this test
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_ready_with_reference_data(client):
    from amtsweg.geo.tests.factories import MunicipalityFactory

    MunicipalityFactory()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "signing_key": "ok", "trust_anchors": "ok", "reference_data": "ok", "draft_key": "ok",
        "queue": "ok", "casework_kek": "ok"}}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_database(client, monkeypatch):
    from django.db import connection

    def refuse():
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert "database down" not in response.content.decode()


def test_probes_only_answer_get(client):
    assert client.post("/healthz").status_code == 405
