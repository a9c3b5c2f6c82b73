"""Key material for SAML (X.509 certificate + RSA key as files, as xmlsec1 needs them).

Private keys never enter the repository. Production names the files through environment variables
(AMTSWEG_SAML_SP_KEY_FILE / AMTSWEG_SAML_SP_CERT_FILE); the demo and the tests let this module generate
a self-signed pair once into settings.AMTSWEG_IDENTITY_KEY_DIR (tests: a temporary directory).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from amtsweg.core import files

_lock = threading.Lock()


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path

    @property
    def cert_pem(self) -> str:
        return self.cert_file.read_text()

    @property
    def cert_base64(self) -> str:
        """The certificate body as it appears in SAML metadata (<ds:X509Certificate>)."""
        lines = [ln for ln in self.cert_pem.splitlines() if ln and not ln.startswith("-----")]
        return "".join(lines)


def key_dir() -> Path:
    path = Path(getattr(settings, "AMTSWEG_IDENTITY_KEY_DIR", None) or settings.VAR_DIR / "identity")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def generated_key_pair(name: str, common_name: str) -> KeyPair:
    """A self-signed RSA-3072 certificate and key, generated on first use (idempotent).

    Several processes (web workers, the task worker) may ask at once: generation holds a lock across
    processes, so exactly one pair is made and no process pairs one's key with another's certificate.
    Both files are written atomically and 0600 from the start (`core.files`); the key's partner is
    removed before the key is written, so a process killed between the two files leaves an incomplete
    pair, which the next call generates anew, never a mismatched or half-written one.
    """
    directory = key_dir()
    key_file, cert_file = directory / f"{name}.key.pem", directory / f"{name}.cert.pem"
    with _lock, files.exclusive(directory / f".{name}.lock"):
        if not (key_file.exists() and cert_file.exists()):
            files.remove_leftovers(key_file)
            files.remove_leftovers(cert_file)
            key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            subject = x509.Name([
                x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amtsweg"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ])
            now = dt.datetime.now(dt.UTC)
            cert = (
                x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                .sign(key, hashes.SHA256())
            )
            cert_file.unlink(missing_ok=True)
            files.write_private(key_file, key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ))
            files.write_private(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return KeyPair(key_file=key_file, cert_file=cert_file)


def sp_key_pair() -> KeyPair:
    """The platform's SAML service provider key (signs AuthnRequests, decrypts BundID assertions)."""
    key, cert = settings.AMTSWEG_SAML_SP_KEY_FILE, settings.AMTSWEG_SAML_SP_CERT_FILE
    if key and cert:
        return KeyPair(key_file=Path(key), cert_file=Path(cert))
    if not settings.AMTSWEG_EMBEDDED:  # system check amtsweg.E005; never a key per host in production
        raise ImproperlyConfigured("AMTSWEG_SAML_SP_KEY_FILE and AMTSWEG_SAML_SP_CERT_FILE are not set")
    return generated_key_pair("saml-sp", "Amtsweg SAML SP")
