"""System checks (tag `amtsweg`): a production start without its secrets fails instead of inventing them.

Outside embedded mode (`AMTSWEG_EMBEDDED`, see settings) a missing SECRET_KEY, draft key or platform signing
key used to be generated into var/ on each host: sessions and signed links broke between hosts, drafts
became unreadable after a lost volume, and the routing API signed with a key nobody had published. Now:

- amtsweg.E001: SECRET_KEY is not set.
- amtsweg.E002: AMTSWEG_DRAFT_KEY is not set, or is not 32 bytes in base64.
- amtsweg.E003: PLATFORM_SIGNING_KEY_FILE is not set, or is no readable private RSA key in PEM.
- amtsweg.E004: AMTSWEG_CALLBACK_ALLOWED_NETWORKS has an entry that is not a network in CIDR notation.
- amtsweg.E006: AMTSWEG_CASEWORK_KEK (the back office's key-encryption key) is not set, or is not 32 bytes in
  base64url: case files would be sealed under a key generated per host, unreadable on the others.
- amtsweg.E007: outside embedded mode AMTSWEG_PKI_TRUST_ANCHORS_FILE is not set or holds no certificate in
  PEM: no destination key could be registered (FIT-Connect requires each key's x5c chain to lead to the
  administration PKI); a PLATFORM_SIGNING_CHAIN_FILE that is set must be readable PEM certificates too.
- amtsweg.E005: BundID is configured but the SAML SP key and certificate files are not (a key generated per
  host would not match the certificate registered with BundID on the others).

`manage.py`/`amtsweg` commands run the checks before they start (runserver, migrate, the workers); WSGI
servers such as gunicorn do not, so `amtsweg.wsgi` calls `fail_on_errors()` when it loads.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "amtsweg"


@checks.register(TAG)
def secrets_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    embedded = settings.AMTSWEG_EMBEDDED
    if not embedded:
        try:
            settings.SECRET_KEY  # noqa: B018 - Django raises ImproperlyConfigured for an empty one
        except ImproperlyConfigured:
            errors.append(checks.Error(
                "SECRET_KEY is not set.",
                hint="Set the SECRET_KEY environment variable to the same random value on every host "
                     "(or AMTSWEG_EMBEDDED=1 for a single-host demo that keeps generated secrets in var/).",
                id="amtsweg.E001",
            ))
    draft_key = settings.AMTSWEG_DRAFT_KEY
    if draft_key:
        try:
            valid = len(base64.urlsafe_b64decode(draft_key)) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            errors.append(checks.Error(
                "AMTSWEG_DRAFT_KEY is not 32 bytes in base64.",
                hint='Generate one with: python -c "import base64, os; '
                     'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"',
                id="amtsweg.E002",
            ))
    elif not embedded:
        errors.append(checks.Error(
            "AMTSWEG_DRAFT_KEY is not set: drafts and uploads could not be decrypted on another host.",
            hint='Generate one with: python -c "import base64, os; '
                 'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"',
            id="amtsweg.E002",
        ))
    errors.extend(_signing_key_errors(embedded))
    errors.extend(_casework_kek_errors(embedded))
    return errors


def _casework_kek_errors(embedded: bool) -> list[checks.CheckMessage]:
    hint = ('Generate one with: python -c "import base64, os; '
            'print(base64.urlsafe_b64encode(os.urandom(32)).decode())" and keep it outside the database '
            "(environment or a secret store), the same on every host.")
    value = getattr(settings, "AMTSWEG_CASEWORK_KEK", "")
    if not value:
        if embedded:
            return []  # generated into var/casework_kek on first use
        return [checks.Error("AMTSWEG_CASEWORK_KEK is not set: case files could not be opened on another host.",
                             hint=hint, id="amtsweg.E006")]
    from amtsweg.core.keymaterial import parse_base64url_key  # casework.vault.parse_kek's parser

    try:
        parse_base64url_key(value)
    except ValueError:
        return [checks.Error("AMTSWEG_CASEWORK_KEK is not 32 bytes in base64url.", hint=hint, id="amtsweg.E006")]
    return []


def _signing_key_errors(embedded: bool) -> list[checks.CheckMessage]:
    from joserfc.errors import JoseError
    from joserfc.jwk import RSAKey

    from amtsweg.core.platform_keys import key_path

    hint = ("Set PLATFORM_SIGNING_KEY_FILE to a PEM file with the platform's RSA private key, e.g. "
            "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out platform_signing_key.pem")
    if not settings.PLATFORM_SIGNING_KEY_FILE:
        if embedded:
            return []  # generated into var/ on first use
        return [checks.Error("PLATFORM_SIGNING_KEY_FILE is not set.", hint=hint, id="amtsweg.E003")]
    path = key_path()
    if embedded and not path.exists():
        return []  # the demo and the tests may name a file that is generated on first use
    try:
        key = RSAKey.import_key(path.read_bytes())
    except (OSError, ValueError, TypeError, JoseError):
        key = None
    if key is None or not key.is_private:
        return [checks.Error(
            "PLATFORM_SIGNING_KEY_FILE does not name a readable RSA private key in PEM.", hint=hint,
            id="amtsweg.E003",
        )]
    return []


@checks.register(TAG)
def callback_networks_valid(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from amtsweg.core.netguard import allowed_networks

    try:
        allowed_networks()
    except ValueError as exc:
        return [checks.Error(
            f"AMTSWEG_CALLBACK_ALLOWED_NETWORKS: {exc}",
            hint="A comma-separated list of networks in CIDR notation without host bits, e.g. "
                 "10.20.0.0/16,fd00:fa::/32.",
            id="amtsweg.E004",
        )]
    return []


@checks.register(TAG)
def saml_sp_key_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from pathlib import Path

    bundid = settings.AMTSWEG_BUNDID_METADATA_FILE
    if settings.AMTSWEG_EMBEDDED or not bundid:
        return []
    files = [settings.AMTSWEG_SAML_SP_KEY_FILE, settings.AMTSWEG_SAML_SP_CERT_FILE]
    if all(name and Path(name).is_file() for name in files):
        return []
    return [checks.Error(
        "BundID is configured, but AMTSWEG_SAML_SP_KEY_FILE and AMTSWEG_SAML_SP_CERT_FILE do not both name "
        "readable files.",
        hint="Name the SP key and the certificate registered with BundID (PEM files, the same on every host).",
        id="amtsweg.E005",
    )]


@checks.register(TAG)
def pki_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from cryptography import x509

    problems = []
    for name in ("AMTSWEG_PKI_TRUST_ANCHORS_FILE", "PLATFORM_SIGNING_CHAIN_FILE"):
        value = getattr(settings, name)
        if not value:
            if name == "AMTSWEG_PKI_TRUST_ANCHORS_FILE" and not settings.AMTSWEG_EMBEDDED:
                problems.append(f"{name} is not set.")
            continue
        try:
            with open(value, "rb") as handle:
                x509.load_pem_x509_certificates(handle.read())
        except (OSError, ValueError):
            problems.append(f"{name} does not name a readable file of PEM certificates.")
    return [checks.Error(problem, hint="Trust anchors: the root certificates of the administration PKI "
                         "(Verwaltungs-PKI) as a PEM bundle; the platform chain: the signing key's certificate, "
                         "then its CAs, as PEM (README, Keys and certificates).", id="amtsweg.E007")
            for problem in problems]


def fail_on_errors() -> None:
    """Run the `amtsweg` checks and raise `ImproperlyConfigured` on any error (for WSGI servers)."""
    errors = [message for message in checks.run_checks(tags=[TAG]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("System check failed:\n" + "\n".join(str(error) for error in errors))
