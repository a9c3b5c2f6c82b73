"""Key validation: one test per defect, each with its specific German message; x5c chains checked for real."""

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from amtsweg.routing.keys import KeyValidationError, parse_jwk_text, validate_public_jwk
from amtsweg.routing.tests.factories import cached_keypair, public_jwk


def refused(jwk, purpose="encryption", **kwargs) -> KeyValidationError:
    with pytest.raises(KeyValidationError) as info:
        validate_public_jwk(jwk, purpose, **kwargs)
    return info.value


def test_valid_encryption_and_signature_keys_pass():
    assert validate_public_jwk(public_jwk("encryption", "enc-key-0001"), "encryption")["alg"] == "RSA-OAEP-256"
    assert validate_public_jwk(public_jwk("signature", "sig-key-0001"), "signature")["key_ops"] == ["verify"]


def test_private_key_is_refused_without_echoing_it():
    private = cached_keypair(0).as_dict(private=True)
    private.update({"kid": "oops-private", "alg": "RSA-OAEP-256", "key_ops": ["wrapKey"]})
    error = refused(private)
    assert error.code == "private_key"
    assert error.is_private_key
    assert "privater Schlüssel" in str(error)
    for secret_part in (private["d"], private["p"], private["q"]):
        assert secret_part[:16] not in str(error)


def test_pem_private_key_text_is_refused():
    pem = cached_keypair(0).as_pem(private=True).decode()
    with pytest.raises(KeyValidationError) as info:
        parse_jwk_text(pem)
    assert info.value.code == "private_key"
    assert "MII" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), ("{nicht json", "not_json"), ("[1, 2]", "not_jwk"),
     ("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", "not_jwk")],
)
def test_unparsable_text(text, code):
    with pytest.raises(KeyValidationError) as info:
        parse_jwk_text(text)
    assert info.value.code == code


def test_small_key_is_refused_with_its_size():
    error = refused(public_jwk("encryption", "small-key-01", number=9, bits=2048))
    assert error.code == "key_size"
    assert "2048 Bit" in str(error) and "4096" in str(error)


def test_missing_kid():
    jwk = public_jwk("encryption")
    del jwk["kid"]
    error = refused(jwk)
    assert error.code == "kid_missing"
    assert "Schlüssel-ID (kid) fehlt" in str(error)


def test_too_short_kid():
    assert refused(public_jwk("encryption", "short")).code == "kid_invalid"


def test_duplicate_kid():
    error = refused(public_jwk("encryption", "same-kid-0001"), existing_kids=["same-kid-0001"])
    assert error.code == "kid_duplicate"
    assert "schon vergeben" in str(error)


def test_unknown_alg():
    error = refused({**public_jwk("encryption"), "alg": "RS256"})
    assert error.code == "alg_unknown"
    assert "Unbekannter Algorithmus" in str(error) and "RS256" in str(error)


def test_missing_alg():
    jwk = public_jwk("encryption")
    del jwk["alg"]
    assert refused(jwk).code == "alg_missing"


def test_alg_of_the_other_purpose():
    error = refused(public_jwk("signature"), "encryption")
    assert error.code == "alg_wrong_purpose"
    assert "RSA-OAEP-256" in str(error)
    assert refused(public_jwk("encryption"), "signature").code == "alg_wrong_purpose"


def test_wrong_or_missing_key_ops():
    assert refused({**public_jwk("encryption"), "key_ops": ["encrypt"]}).code == "key_ops_wrong"
    jwk = public_jwk("encryption")
    del jwk["key_ops"]
    assert refused(jwk).code == "key_ops_missing"


def test_wrong_kty():
    error = refused({**public_jwk("encryption"), "kty": "EC"})
    assert error.code == "kty_wrong"
    assert "nur RSA" in str(error)
    jwk = public_jwk("encryption")
    del jwk["kty"]
    assert refused(jwk).code == "kty_missing"


def test_wrong_use():
    assert refused({**public_jwk("encryption"), "use": "sig"}).code == "use_wrong"


def test_broken_modulus_and_exponent():
    assert refused({**public_jwk("encryption"), "n": "!!!"}).code == "n_invalid"
    assert refused({**public_jwk("encryption"), "e": "Aw"}).code == "e_wrong"
    jwk = public_jwk("encryption")
    del jwk["e"]
    assert refused(jwk).code == "e_invalid"


def test_every_defect_is_reported_at_once():
    error = refused({**public_jwk("encryption", "x"), "alg": "none", "key_ops": []})
    assert {"kid_invalid", "alg_unknown", "key_ops_wrong"} <= set(error.codes)
    assert len(error.messages) == len(error.codes)


# --- x5c --------------------------------------------------------------------------------------------

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject_key, issuer_key, subject, issuer, *, days=(-30, 365), ca=False):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + dt.timedelta(days=days[0]))
        .not_valid_after(NOW + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _b64(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.fixture(scope="module")
def pki():
    leaf_key = serialization.load_pem_private_key(cached_keypair(0).as_pem(private=True), password=None)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _cert(root_key, root_key, "Test-Root", "Test-Root", ca=True)
    return {
        "root": root,
        "leaf": _cert(leaf_key, root_key, "Zustellpunkt", "Test-Root"),
        "expired_leaf": _cert(leaf_key, root_key, "Zustellpunkt", "Test-Root", days=(-400, -10)),
        "future_leaf": _cert(leaf_key, root_key, "Zustellpunkt", "Test-Root", days=(10, 400)),
        "foreign_leaf": _cert(other_key, root_key, "Fremd", "Test-Root"),
        "forged_leaf": _cert(leaf_key, other_key, "Zustellpunkt", "Test-Root"),
        "leaf_of_leaf": _cert(leaf_key, other_key, "Zustellpunkt", "Fremd"),
    }


@pytest.fixture
def test_root_trusted(pki, settings, tmp_path):
    """The test PKI's root as the configured trust anchor (as a deployment names its Verwaltungs-PKI)."""
    bundle = tmp_path / "anchors.pem"
    bundle.write_bytes(pki["root"].public_bytes(serialization.Encoding.PEM))
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(bundle)


def test_x5c_valid_chain(pki, test_root_trusted):
    jwk = {**public_jwk("encryption", "x5c-key-0001"), "x5c": [_b64(pki["leaf"]), _b64(pki["root"])]}
    assert validate_public_jwk(jwk, "encryption", now=NOW)["x5c"] == jwk["x5c"]
    # the root may also be left out: the anchor issued the chain's last certificate
    assert validate_public_jwk({**jwk, "x5c": [_b64(pki["leaf"])]}, "encryption", now=NOW)


def test_x5c_chain_to_a_root_that_is_not_a_trust_anchor_is_refused(pki):
    """Embedded default anchor: the demo root. A self-made root, however well-formed, is not trusted."""
    jwk = {**public_jwk("encryption", "x5c-key-0002"), "x5c": [_b64(pki["leaf"]), _b64(pki["root"])]}
    error = refused(jwk, now=NOW)
    assert error.codes == ["x5c_untrusted"]
    assert "keiner vertrauenswürdigen Wurzel der Verwaltungs-PKI" in str(error)


def test_x5c_issued_by_a_certificate_that_is_no_ca_is_refused(pki, test_root_trusted):
    jwk = {**public_jwk("encryption"), "x5c": [_b64(pki["leaf_of_leaf"]), _b64(pki["foreign_leaf"]),
                                               _b64(pki["root"])]}
    assert "x5c_not_ca" in refused(jwk, now=NOW).codes


def test_demo_pki_chain_is_accepted_by_default():
    jwk = public_jwk("encryption", "demo-chain-01", chain=True)
    assert len(jwk["x5c"]) == 3  # leaf, intermediate, root
    assert validate_public_jwk(jwk, "encryption")["x5c"] == jwk["x5c"]
    assert validate_public_jwk(public_jwk("signature", "demo-chain-02", chain=True), "signature")


def test_key_without_chain_is_accepted_in_embedded_mode_and_refused_in_production(settings):
    """The migration path for keys without x5c (README, Keys and certificates)."""
    jwk = public_jwk("encryption", "no-chain-0001")
    settings.AMTSWEG_EMBEDDED = True
    assert "x5c" not in validate_public_jwk(jwk, "encryption")
    settings.AMTSWEG_EMBEDDED = False
    error = refused(jwk)
    assert error.codes == ["x5c_missing"]
    assert "Zertifikatskette (x5c) fehlt" in str(error)
    assert validate_public_jwk(jwk, "encryption", require_chain=False)  # keys the platform generates itself


def test_x5c_certificate_for_another_key(pki):
    jwk = {**public_jwk("encryption"), "x5c": [_b64(pki["foreign_leaf"]), _b64(pki["root"])]}
    error = refused(jwk, now=NOW)
    assert error.code == "x5c_key_mismatch"
    assert "gehört nicht zu diesem Schlüssel" in str(error)


def test_x5c_expired(pki):
    error = refused({**public_jwk("encryption"), "x5c": [_b64(pki["expired_leaf"])]}, now=NOW)
    assert error.code == "x5c_expired"
    assert "abgelaufen" in str(error)


def test_x5c_not_yet_valid(pki):
    assert refused({**public_jwk("encryption"), "x5c": [_b64(pki["future_leaf"])]}, now=NOW).code == "x5c_not_yet_valid"


def test_x5c_broken_chain_signature(pki):
    error = refused({**public_jwk("encryption"), "x5c": [_b64(pki["forged_leaf"]), _b64(pki["root"])]}, now=NOW)
    assert error.code == "x5c_chain_broken"
    assert "Zertifikat 1 wurde nicht von Zertifikat 2 ausgestellt" in str(error)


def test_x5c_garbage():
    assert refused({**public_jwk("encryption"), "x5c": ["kein base64!"]}).code == "x5c_unreadable"
    assert refused({**public_jwk("encryption"), "x5c": "MIIB"}).code == "x5c_invalid"
