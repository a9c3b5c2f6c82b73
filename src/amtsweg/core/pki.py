"""Certificates of published keys: FIT-Connect's JWK schema requires an `x5c` chain on every key.

Senders check a destination's encryption key against the administration PKI (Verwaltungs-PKI) before they
encrypt an application for it; the chain in `x5c` is how they do that without asking anyone. Two halves:

* **Trust anchors** (`trust_anchors`): the root certificates a destination key's chain must lead to. A
  deployment names its administration PKI's roots in a PEM bundle (`AMTSWEG_PKI_TRUST_ANCHORS_FILE`); in
  embedded mode (demo, tests) without that file the demo PKI's root is the anchor.
* **The demo PKI** (embedded mode only): a root and an intermediate CA generated on first use into
  `$AMTSWEG_VAR_DIR/pki/` (private keys owner-only, written atomically, never in the repository). It issues
  the certificates of the demo destinations' keys, of the back office's keys and of the platform's signing
  key, so the demo publishes what FIT-Connect requires. Outside embedded mode Amtsweg issues nothing: keys
  come with the chain their owner's CA gave them, and the platform key's chain is a configured file
  (`PLATFORM_SIGNING_CHAIN_FILE`).

CA keys are ECDSA P-384 (cheap to generate at set-up, BSI TR-02102-1 conformant); the certified keys are the
RSA-4096 keys FIT-Connect requires.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from amtsweg.core import files

ROOT_NAME = "Amtsweg Demo-Wurzel-CA (nur Demo)"
INTERMEDIATE_NAME = "Amtsweg Demo-Zwischen-CA (nur Demo)"
ORGANISATION = "Amtsweg Demo-PKI"
CA_YEARS = 10
LEAF_DAYS = 2 * 365


@dataclass(frozen=True)
class Issuer:
    """A CA that issues certificates: its certificate, its private key and the chain above it (to the root)."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "pki"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: Issuer | None,
                    now: dt.datetime) -> x509.Certificate:
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.certificate.subject if issuer else _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject)).issuer_name(issuer_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    return builder.sign(signer_key, hashes.SHA384())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _create_demo(folder: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root = Issuer(_ca_certificate(ROOT_NAME, root_key, None, now), root_key, ())
    intermediate_key = ec.generate_private_key(ec.SECP384R1())
    intermediate = _ca_certificate(INTERMEDIATE_NAME, intermediate_key, root, now)
    # Keys first: a set-up killed in between leaves no certificate without its key.
    files.write_private(folder / "root.key.pem", _pem_key(root_key))
    files.write_private(folder / "intermediate.key.pem", _pem_key(intermediate_key))
    files.write_private(folder / "intermediate.crt.pem", intermediate.public_bytes(serialization.Encoding.PEM))
    files.write_private(folder / "root.crt.pem", root.certificate.public_bytes(serialization.Encoding.PEM))


@functools.cache
def _demo_issuer(folder: Path) -> Issuer:
    root_file = folder / "root.crt.pem"
    if not root_file.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with files.exclusive(folder / ".create.lock"):
            if not root_file.exists():  # another process may have created it while we waited
                _create_demo(folder)
    root = x509.load_pem_x509_certificate(root_file.read_bytes())
    key = serialization.load_pem_private_key((folder / "intermediate.key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{folder}/intermediate.key.pem is not the demo PKI's EC key")
    intermediate = x509.load_pem_x509_certificate((folder / "intermediate.crt.pem").read_bytes())
    return Issuer(intermediate, key, (root,))


def demo_issuer() -> Issuer:
    """The demo PKI's intermediate CA (created on first use). Embedded mode only: a production installation
    must never certify keys with a CA whose private key lies beside the application."""
    if not settings.AMTSWEG_EMBEDDED:
        raise RuntimeError("the demo PKI exists in embedded mode only")
    return _demo_issuer(demo_dir())


def demo_root() -> x509.Certificate:
    return demo_issuer().chain[-1]


def issue_x5c(public_key: rsa.RSAPublicKey, common_name: str, *, purpose: str,
              issuer: Issuer | None = None) -> list[str]:
    """Certify `public_key` (an RSA key for "encryption" or "signature") and return the JWK `x5c` member:
    the leaf, then the chain up to and including the root, each base64 DER (RFC 7517 §4.7)."""
    issuer = issuer or demo_issuer()
    now = dt.datetime.now(dt.UTC)
    usage = dict(digital_signature=purpose == "signature", content_commitment=False,
                 key_encipherment=purpose == "encryption", data_encipherment=False, key_agreement=False,
                 key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name[:64])).issuer_name(issuer.certificate.subject).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        .sign(issuer.key, hashes.SHA384())
    )
    return [der_base64(c) for c in (certificate, issuer.certificate, *issuer.chain)]


def der_base64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


def load_pem_bundle(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def trust_anchors() -> list[x509.Certificate]:
    """The roots a destination key's chain must lead to: the configured bundle, else (embedded mode) the
    demo root, else none (then every chain is refused; the system check amtsweg.E007 stops such a start)."""
    configured = settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE
    if configured:
        return _bundle(str(configured))
    if settings.AMTSWEG_EMBEDDED:
        return [demo_root()]
    return []


@functools.cache
def _bundle(path: str) -> list[x509.Certificate]:
    return load_pem_bundle(Path(path))


def platform_chain(public_key: rsa.RSAPublicKey) -> list[str]:
    """`x5c` of the platform's signing key: the configured PEM chain (leaf first), else in embedded mode a
    certificate of the demo PKI (issued once, kept beside the key), else none."""
    configured = settings.PLATFORM_SIGNING_CHAIN_FILE
    if configured:
        certificates = load_pem_bundle(Path(configured))
    elif settings.AMTSWEG_EMBEDDED:
        certificates = _demo_platform_chain(public_key)
    else:
        return []
    leaf_key = certificates[0].public_key() if certificates else None
    if not isinstance(leaf_key, rsa.RSAPublicKey) or leaf_key.public_numbers() != public_key.public_numbers():
        raise ValueError("the platform signing key's certificate chain does not certify the platform signing key")
    return [der_base64(c) for c in certificates]


def _demo_platform_chain(public_key: rsa.RSAPublicKey) -> list[x509.Certificate]:
    path = Path(settings.VAR_DIR) / "platform_signing_chain.pem"
    if path.exists():
        certificates = load_pem_bundle(path)
        leaf_key = certificates[0].public_key()
        if (isinstance(leaf_key, rsa.RSAPublicKey) and leaf_key.public_numbers() == public_key.public_numbers()
                and certificates[-1] == demo_root()):  # a PKI made anew (its folder deleted) re-issues the chain
            return certificates
    with files.exclusive(Path(settings.VAR_DIR) / ".platform_signing_chain.lock"):
        x5c = issue_x5c(public_key, "Amtsweg Plattform-Signaturschlüssel", purpose="signature")
        certificates = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in x5c]
        files.write_private(path, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))
    return certificates
