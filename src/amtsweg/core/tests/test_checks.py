"""Production settings are safe by construction: without its secrets a non-embedded start fails (system
checks amtsweg.E001-E007, also under a WSGI server), instead of generating secrets per host."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from amtsweg.core.checks import (
    callback_networks_valid,
    fail_on_errors,
    saml_sp_key_configured,
    secrets_configured,
)

DRAFT_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
KEK = base64.urlsafe_b64encode(b"e" * 32).decode().rstrip("=")


@pytest.fixture(scope="module")
def key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def anchor_pem() -> bytes:
    """A root certificate standing for the administration PKI's trust anchor (AMTSWEG_PKI_TRUST_ANCHORS_FILE)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Verwaltungs-PKI Test-Wurzel")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def production(settings, tmp_path, key_pem, anchor_pem):
    """Non-embedded settings with every secret configured; tests take one away."""
    settings.AMTSWEG_EMBEDDED = False
    settings.SECRET_KEY = "a-configured-secret-key-" * 3
    settings.AMTSWEG_DRAFT_KEY = DRAFT_KEY
    settings.AMTSWEG_CASEWORK_KEK = KEK
    (tmp_path / "signing.pem").write_bytes(key_pem)
    settings.PLATFORM_SIGNING_KEY_FILE = str(tmp_path / "signing.pem")
    (tmp_path / "anchors.pem").write_bytes(anchor_pem)
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(tmp_path / "anchors.pem")
    return settings


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_production_with_every_secret_passes(production):
    assert secrets_configured() == []
    fail_on_errors()


@pytest.mark.parametrize(("name", "value", "error"), [
    ("SECRET_KEY", "", "amtsweg.E001"),
    ("AMTSWEG_DRAFT_KEY", "", "amtsweg.E002"),
    ("AMTSWEG_DRAFT_KEY", "too-short", "amtsweg.E002"),
    ("AMTSWEG_DRAFT_KEY", base64.urlsafe_b64encode(b"k" * 16).decode(), "amtsweg.E002"),
    ("PLATFORM_SIGNING_KEY_FILE", "", "amtsweg.E003"),
    ("PLATFORM_SIGNING_KEY_FILE", "/nonexistent/platform.pem", "amtsweg.E003"),
    ("PLATFORM_SIGNING_KEY_FILE", "public", "amtsweg.E003"),
    ("AMTSWEG_CASEWORK_KEK", "", "amtsweg.E006"),
    ("AMTSWEG_CASEWORK_KEK", "kein-schluessel!", "amtsweg.E006"),
    ("AMTSWEG_CASEWORK_KEK", base64.urlsafe_b64encode(b"k" * 31).decode(), "amtsweg.E006"),
])
def test_a_missing_or_broken_secret_is_an_error(production, tmp_path, key_pem, name, value, error):
    if value == "public":
        public = serialization.load_pem_private_key(key_pem, None).public_key()
        (tmp_path / "public.pem").write_bytes(public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        value = str(tmp_path / "public.pem")
    setattr(production, name, value)
    assert ids(secrets_configured()) == [error]
    with pytest.raises(Exception, match=error):
        fail_on_errors()


def test_embedded_mode_generates_what_is_missing(settings):
    settings.AMTSWEG_EMBEDDED = True
    settings.AMTSWEG_DRAFT_KEY = ""
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.AMTSWEG_CASEWORK_KEK = ""
    assert secrets_configured() == []
    settings.AMTSWEG_DRAFT_KEY = "too-short"  # a configured key is checked in every mode
    assert ids(secrets_configured()) == ["amtsweg.E002"]


@pytest.mark.parametrize(("value", "valid"), [
    ("", True), ("10.20.0.0/16, fd00:fa::/32", True), ("10.20.0.5/16", False), ("intranet", False),
])
def test_the_callback_allow_list_is_checked(settings, value, valid):
    settings.AMTSWEG_CALLBACK_ALLOWED_NETWORKS = value
    assert ids(callback_networks_valid()) == ([] if valid else ["amtsweg.E004"])


def test_bundid_in_production_needs_the_registered_sp_key(production, tmp_path):
    from amtsweg.identity import keys

    production.AMTSWEG_SAML_SP_KEY_FILE = production.AMTSWEG_SAML_SP_CERT_FILE = ""
    production.AMTSWEG_BUNDID_METADATA_FILE = ""
    assert saml_sp_key_configured() == []  # no BundID, no SP key needed
    (tmp_path / "bundid.xml").write_text("<EntityDescriptor/>")
    production.AMTSWEG_BUNDID_METADATA_FILE = str(tmp_path / "bundid.xml")
    assert ids(saml_sp_key_configured()) == ["amtsweg.E005"]
    with pytest.raises(Exception, match="AMTSWEG_SAML_SP_KEY_FILE"):
        keys.sp_key_pair()  # and nothing is generated if a caller gets there anyway
    for name in ("sp.key", "sp.crt"):
        (tmp_path / name).write_text("PEM")
    production.AMTSWEG_SAML_SP_KEY_FILE = str(tmp_path / "sp.key")
    production.AMTSWEG_SAML_SP_CERT_FILE = str(tmp_path / "sp.crt")
    assert saml_sp_key_configured() == []


# --- In a real start (subprocesses: fresh settings from the environment, not under pytest) --------------
# Each start imports the whole project (seconds on a busy machine), so all of them run at once, up front.

SECRETS = ("SECRET_KEY", "AMTSWEG_DRAFT_KEY", "AMTSWEG_CASEWORK_KEK", "PLATFORM_SIGNING_KEY_FILE", "AMTSWEG_EMBEDDED",
           "DATABASE_URL", "AMTSWEG_PKI_TRUST_ANCHORS_FILE", "PLATFORM_SIGNING_CHAIN_FILE")
WSGI = "import amtsweg.wsgi"
POSTGRES = "postgres://postgres@127.0.0.1:5432/amtsweg_never_connected"  # settings never connect
EMBEDDED = (WSGI + "; from django.conf import settings; from amtsweg.assistants import crypto;"
            "crypto.encrypt(b'x', 'id'); print(settings.AMTSWEG_EMBEDDED, settings.SECRET_KEY)")
STARTS = {
    "wsgi without secrets": (WSGI, {"DATABASE_URL": POSTGRES}),
    "wsgi configured": (WSGI, {"DATABASE_URL": POSTGRES, "SECRET_KEY": "x" * 50, "AMTSWEG_DRAFT_KEY": DRAFT_KEY,
                               "AMTSWEG_CASEWORK_KEK": KEK, "PLATFORM_SIGNING_KEY_FILE": "{tmp}/signing.pem",
                               "AMTSWEG_PKI_TRUST_ANCHORS_FILE": "{tmp}/anchors.pem"}),
    "embedded: SQLite": (EMBEDDED, {}),
}


@pytest.fixture(scope="module")
def starts(tmp_path_factory, key_pem, anchor_pem) -> dict[str, tuple[subprocess.CompletedProcess, object]]:
    base = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("PYTEST_")}
    running = {}
    for name, (code, env) in STARTS.items():
        tmp = tmp_path_factory.mktemp("start")
        (tmp / "signing.pem").write_bytes(key_pem)
        (tmp / "anchors.pem").write_bytes(anchor_pem)
        environment = {**base, "DJANGO_SETTINGS_MODULE": "amtsweg.settings", "DEBUG": "0",
                       "AMTSWEG_VAR_DIR": str(tmp / "var"), **{k: v.format(tmp=tmp) for k, v in env.items()}}
        running[name] = (subprocess.Popen([sys.executable, "-c", code], env=environment, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE), tmp)
    results = {}
    for name, (process, tmp) in running.items():
        stdout, stderr = process.communicate(timeout=180)
        results[name] = (subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), tmp)
    return results


def test_a_wsgi_server_start_fails_without_secrets_and_generates_none(starts):
    result, tmp = starts["wsgi without secrets"]
    assert result.returncode != 0
    for error in ("amtsweg.E001", "amtsweg.E002", "amtsweg.E003", "amtsweg.E006", "amtsweg.E007"):
        assert error in result.stderr
    assert not any((tmp / "var" / name).exists()
                   for name in ("secret_key", "draft_key", "platform_signing_key.pem", "casework_kek", "pki"))


def test_a_configured_production_start_succeeds(starts):
    result, _tmp = starts["wsgi configured"]
    assert result.returncode == 0, result.stderr


def test_the_embedded_demo_keeps_generating_into_var(starts):
    """SQLite, the demo's default database: secrets are generated once, owner-only."""
    result, tmp = starts["embedded: SQLite"]
    assert result.returncode == 0, result.stderr
    embedded, secret = result.stdout.split()
    assert embedded == "True" and secret == (tmp / "var" / "secret_key").read_text().strip()
    assert oct((tmp / "var" / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert (tmp / "var" / "draft_key").exists()


@pytest.mark.parametrize(("environ", "debug", "modules", "embedded"), [
    ({}, False, [], True),  # SQLite by default: the demo
    ({"DATABASE_URL": "sqlite:///srv/amtsweg.sqlite3"}, False, [], True),
    ({"DATABASE_URL": POSTGRES}, False, [], False),  # production
    ({"DATABASE_URL": POSTGRES}, True, [], True),  # DEBUG
    ({"DATABASE_URL": POSTGRES}, False, ["pytest"], True),  # the tests
    ({"DATABASE_URL": POSTGRES, "PYTEST_VERSION": "9.2.0"}, False, [], True),  # processes the tests start
])
def test_when_embedded_mode_is_the_default(environ, debug, modules, embedded):
    from amtsweg.environment import read
    from amtsweg.settings import embedded_default

    assert embedded_default(read({**environ, "DEBUG": "1" if debug else "0"}), modules) is embedded


@pytest.mark.django_db
def test_the_embedded_demo_starts_without_warnings():
    """On SQLite the covering indexes' `include=` is ignored by design; `amtsweg demo` printed Django's
    models.W040 for them on every command. Whatever the database, the checks leave no warning."""
    from django.core import checks

    messages = checks.run_checks(include_deployment_checks=False)
    assert [message.id for message in messages if not message.is_silenced()] == []
