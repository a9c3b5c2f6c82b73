"""Validation of destination public keys (JWK) as FIT-Connect requires them.

Encryption keys: RSA 4096, `alg` RSA-OAEP-256, `key_ops` ["wrapKey"]. Signature-verification keys:
RSA 4096, `alg` PS512, `key_ops` ["verify"]. FIT-Connect's JWK schema requires an `x5c` chain: the leaf
certificate's key must be the JWK's key, every certificate must be valid now, each must be signed by the next
(which must be a CA), and the chain must lead to a trust anchor of the administration PKI
(`amtsweg.core.pki.trust_anchors`: `AMTSWEG_PKI_TRUST_ANCHORS_FILE`, embedded: the demo root).

Keys without a chain (registered before chains were checked, or pasted without one): refused outside
embedded mode; in embedded mode (demo, tests) still accepted, so a demo set up before the PKI keeps working.
Keys already stored stay in use in both modes (no application in transit is lost on an upgrade);
`amtsweg check-key-chains` lists those without a valid chain so staff replace them (README).

A private key pasted by mistake is refused before anything else is looked at; the error never repeats
any part of the key, so it can be shown, logged or stored without leaking it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils.translation import gettext as _

from amtsweg.core import parsers, pki
from amtsweg.core.jwk import PUBLIC_MEMBERS

RSA_BITS = 4096
PURPOSE_ALG = {"encryption": "RSA-OAEP-256", "signature": "PS512"}
PURPOSE_OPS = {"encryption": ["wrapKey"], "signature": ["verify"]}
PURPOSE_USE = {"encryption": "enc", "signature": "sig"}
KNOWN_ALGS = {"RSA-OAEP-256", "PS512"}
# JWK members that only private (or symmetric) keys have (RFC 7518 §6.3.2, §6.4).
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class KeyValidationError(ValueError):
    """A key was refused. `code` names the first defect (for tests and APIs); `messages` lists all, in German."""

    def __init__(self, code: str, message: str, *, defects: list[tuple[str, str]] | None = None):
        self.code = code
        self.defects = defects or [(code, message)]
        self.codes = [c for c, _m in self.defects]
        self.messages = [m for _c, m in self.defects]
        super().__init__(" ".join(self.messages))

    @property
    def is_private_key(self) -> bool:
        return self.code == "private_key"


def private_key_error() -> KeyValidationError:
    return KeyValidationError(
        "private_key",
        _(
            "Das ist ein privater Schlüssel. Er wurde nicht gespeichert. Bitte laden Sie nur den öffentlichen "
            "Schlüssel hoch und behandeln Sie den privaten Schlüssel als offengelegt: erzeugen Sie ein neues Paar."
        ),
    )


def parse_jwk_text(text: str) -> dict:
    """Parse a JWK pasted into a form. PEM private keys are recognised and refused as such."""
    stripped = (text or "").strip()
    if not stripped:
        raise KeyValidationError("empty", _("Es wurde kein Schlüssel angegeben."))
    if "PRIVATE KEY" in stripped:
        raise private_key_error()
    if stripped.startswith("-----BEGIN"):
        raise KeyValidationError(
            "not_jwk", _("Bitte den öffentlichen Schlüssel als JWK (JSON) angeben, nicht im PEM-Format.")
        )
    try:
        value = parsers.loads(stripped)
    except ValueError:
        raise KeyValidationError("not_json", _("Der Schlüssel ist kein gültiges JSON (JWK erwartet).")) from None
    if not isinstance(value, dict):
        raise KeyValidationError("not_jwk", _("Der Schlüssel muss ein JSON-Objekt (JWK) sein."))
    return value


def _b64url_int(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    if not raw:
        return None
    return int.from_bytes(raw, "big")


def _int_b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def validate_public_jwk(
    jwk: dict, purpose: str, *, existing_kids: Iterable[str] = (), now: dt.datetime | None = None,
    require_chain: bool | None = None,
) -> dict:
    """Check a public JWK for `purpose` ("encryption" or "signature"); return its normalised public form.

    `require_chain`: whether a key without `x5c` is refused (default: outside embedded mode).
    Raises KeyValidationError listing every defect, each with a specific German message.
    """
    if purpose not in PURPOSE_ALG:
        raise ValueError(f"unknown key purpose {purpose!r}")
    if not isinstance(jwk, dict):
        raise KeyValidationError("not_jwk", _("Der Schlüssel muss ein JSON-Objekt (JWK) sein."))
    if PRIVATE_MEMBERS & set(jwk):
        raise private_key_error()

    defects: list[tuple[str, str]] = []

    def defect(code: str, message: str) -> None:
        defects.append((code, message))

    kty = jwk.get("kty")
    if kty is None:
        defect("kty_missing", _("Der Schlüsseltyp (kty) fehlt; erlaubt ist nur RSA."))
    elif kty != "RSA":
        defect("kty_wrong", _("Der Schlüsseltyp (kty) ist „%(kty)s“; erlaubt ist nur RSA.") % {"kty": str(kty)[:20]})

    kid = jwk.get("kid")
    if kid is None or (isinstance(kid, str) and not kid.strip()):
        defect("kid_missing", _("Die Schlüssel-ID (kid) fehlt."))
    elif not isinstance(kid, str) or not 8 <= len(kid) <= 64:
        defect("kid_invalid", _("Die Schlüssel-ID (kid) muss eine Zeichenkette mit 8 bis 64 Zeichen sein."))
    elif kid in set(existing_kids):
        defect(
            "kid_duplicate",
            _("Die Schlüssel-ID (kid) „%(kid)s“ ist bei diesem Zustellpunkt schon vergeben.") % {"kid": kid},
        )

    expected_alg = PURPOSE_ALG[purpose]
    alg = jwk.get("alg")
    if alg is None:
        defect("alg_missing", _("Der Algorithmus (alg) fehlt; erwartet ist %(alg)s.") % {"alg": expected_alg})
    elif alg not in KNOWN_ALGS:
        defect(
            "alg_unknown",
            _("Unbekannter Algorithmus (alg) „%(alg)s“. Erlaubt sind RSA-OAEP-256 (Verschlüsselung) und PS512 "
              "(Signatur).") % {"alg": str(alg)[:30]},
        )
    elif alg != expected_alg:
        defect(
            "alg_wrong_purpose",
            _("Für einen Schlüssel zur %(purpose)s muss alg %(expected)s sein, nicht %(alg)s.")
            % {"purpose": _purpose_label(purpose), "expected": expected_alg, "alg": alg},
        )

    expected_ops = PURPOSE_OPS[purpose]
    key_ops = jwk.get("key_ops")
    if key_ops is None:
        defect("key_ops_missing", _("Die erlaubten Operationen (key_ops) fehlen; erwartet ist %(ops)s.")
               % {"ops": json.dumps(expected_ops)})
    elif key_ops != expected_ops:
        defect("key_ops_wrong", _("Die erlaubten Operationen (key_ops) müssen genau %(ops)s sein.")
               % {"ops": json.dumps(expected_ops)})

    use = jwk.get("use")
    if use is not None and use != PURPOSE_USE[purpose]:
        defect("use_wrong", _("Der Verwendungszweck (use) muss „%(use)s“ sein oder fehlen.")
               % {"use": PURPOSE_USE[purpose]})

    n = _b64url_int(jwk.get("n"))
    e = _b64url_int(jwk.get("e"))
    if kty == "RSA":
        if n is None:
            defect("n_invalid", _("Der Modulus (n) fehlt oder ist nicht Base64url-kodiert."))
        elif n.bit_length() != RSA_BITS:
            defect("key_size", _("Der Schlüssel hat %(bits)s Bit; verlangt sind RSA-Schlüssel mit 4096 Bit.")
                   % {"bits": n.bit_length()})
        if e is None:
            defect("e_invalid", _("Der Exponent (e) fehlt oder ist nicht Base64url-kodiert."))
        elif e != 65537:
            defect("e_wrong", _("Der öffentliche Exponent (e) muss AQAB (65537) sein."))

    if "x5c" in jwk:
        defects.extend(_check_x5c(jwk["x5c"], n, e, now=now))
    elif require_chain if require_chain is not None else not settings.AMTSWEG_EMBEDDED:
        defect("x5c_missing", _("Die Zertifikatskette (x5c) fehlt. FIT-Connect verlangt zu jedem Schlüssel das "
                                "Zertifikat aus der Verwaltungs-PKI samt Zwischenzertifikaten."))

    if defects:
        raise KeyValidationError(defects[0][0], defects[0][1], defects=defects)

    public = {k: jwk[k] for k in PUBLIC_MEMBERS if k in jwk}
    public["n"] = _int_b64url(n)  # canonical encoding (no padding)
    public["e"] = "AQAB"
    return public


def chain_defects(jwk: dict, *, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """What is wrong with a stored key's certificate chain today (none, expired, untrusted …): the
    migration check of keys registered before chains were required (`amtsweg check-key-chains`)."""
    if "x5c" not in jwk:
        return [("x5c_missing", _("Die Zertifikatskette (x5c) fehlt."))]
    return _check_x5c(jwk["x5c"], _b64url_int(jwk.get("n")), _b64url_int(jwk.get("e")), now=now)


def _purpose_label(purpose: str) -> str:
    return _("Verschlüsselung") if purpose == "encryption" else _("Signaturprüfung")


def _check_x5c(chain: Any, n: int | None, e: int | None, *, now: dt.datetime | None) -> list[tuple[str, str]]:
    """Parse and check an x5c chain: leaf matches the key, every certificate valid now, each signed by the next.

    The chain must end in a trust anchor (`pki.trust_anchors`) or in a certificate one of them issued.
    """
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        return [("x5c_invalid", _("Die Zertifikatskette (x5c) muss eine nicht leere Liste von Zertifikaten sein."))]
    certs: list[x509.Certificate] = []
    for position, value in enumerate(chain, start=1):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode(value, validate=True)))
        except (binascii.Error, ValueError):
            return [("x5c_unreadable", _("Zertifikat %(pos)s der Kette (x5c) ist kein gültiges DER-Zertifikat in "
                                         "Base64.") % {"pos": position})]
    problems: list[tuple[str, str]] = []
    leaf_key = certs[0].public_key()
    if not isinstance(leaf_key, rsa.RSAPublicKey):
        problems.append(("x5c_key_mismatch", _("Das Zertifikat enthält keinen RSA-Schlüssel.")))
    elif n is not None and e is not None:
        numbers = leaf_key.public_numbers()
        if (numbers.n, numbers.e) != (n, e):
            problems.append(("x5c_key_mismatch",
                             _("Das Zertifikat (x5c) gehört nicht zu diesem Schlüssel: die öffentlichen Schlüssel "
                               "unterscheiden sich.")))
    moment = now or dt.datetime.now(dt.UTC)
    for position, cert in enumerate(certs, start=1):
        if cert.not_valid_after_utc < moment:
            problems.append(("x5c_expired", _("Zertifikat %(pos)s der Kette ist am %(date)s abgelaufen.")
                             % {"pos": position, "date": cert.not_valid_after_utc.date().isoformat()}))
        elif cert.not_valid_before_utc > moment:
            problems.append(("x5c_not_yet_valid", _("Zertifikat %(pos)s der Kette ist erst ab %(date)s gültig.")
                             % {"pos": position, "date": cert.not_valid_before_utc.date().isoformat()}))
    for position, (cert, issuer) in enumerate(zip(certs, certs[1:], strict=False), start=1):
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            problems.append(("x5c_chain_broken",
                             _("Die Zertifikatskette ist unterbrochen: Zertifikat %(pos)s wurde nicht von Zertifikat "
                               "%(next)s ausgestellt.") % {"pos": position, "next": position + 1}))
    for position, issuer in enumerate(certs[1:], start=2):
        try:
            is_ca = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            problems.append(("x5c_not_ca", _("Zertifikat %(pos)s der Kette ist kein CA-Zertifikat und darf kein "
                                             "anderes Zertifikat ausstellen.") % {"pos": position}))
    if not _leads_to_anchor(certs, pki.trust_anchors()):
        problems.append(("x5c_untrusted", _("Die Zertifikatskette führt zu keiner vertrauenswürdigen Wurzel der "
                                            "Verwaltungs-PKI. Bitte die vollständige Kette bis zur Wurzel angeben.")))
    last = certs[-1]
    if last.issuer == last.subject:
        try:
            last.verify_directly_issued_by(last)
        except (ValueError, TypeError, InvalidSignature):
            problems.append(
                ("x5c_chain_broken", _("Das Wurzelzertifikat der Kette ist nicht korrekt selbst signiert."))
            )
    return problems


def _leads_to_anchor(certs: list[x509.Certificate], anchors: list[x509.Certificate]) -> bool:
    """Whether an issuer in the chain is a trust anchor, or an anchor issued the chain's last certificate.
    (The links between the certificates are checked separately; the leaf itself is never an anchor.)"""
    if any(cert == anchor for cert in certs[1:] for anchor in anchors):
        return True
    for anchor in anchors:
        try:
            certs[-1].verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False
