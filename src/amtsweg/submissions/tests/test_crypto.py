"""The JWE the platform writes for a destination: RFC 7516 compact form, FIT-Connect's algorithms, and
readable by joserfc (what receivers use) with only those algorithms allowed."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jwe
from joserfc.errors import DecodeError, UnsupportedAlgorithmError
from joserfc.jwk import RSAKey

from amtsweg.routing.tests.factories import cached_keypair, public_jwk
from amtsweg.submissions import crypto


def _segments(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]


@pytest.fixture
def jwk() -> dict:
    return public_jwk(kid="zustellpunkt-2026")


@pytest.mark.parametrize("plaintext", [b"", b"{}", "Grüße, Zwetschgenbaum".encode(), bytes(range(256)) * 4000])
@pytest.mark.parametrize("content_type", [None, "application/json", "application/xml"])
def test_joserfc_decrypts_what_the_platform_encrypts(jwk, plaintext, content_type):
    token = crypto.encrypt_for(crypto.public_key(jwk), plaintext, content_type=content_type)
    registry = jwe.JWERegistry(algorithms=crypto.ALGORITHMS)
    registry.max_ciphertext_length = len(token)
    result = jwe.decrypt_compact(token, cached_keypair(0), registry=registry)
    expected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "zustellpunkt-2026"}
    if content_type:
        expected["cty"] = content_type
    assert result.plaintext == plaintext and result.protected == expected
    assert crypto.decrypt_jwe(cached_keypair(0), token) == plaintext


def test_joserfc_s_public_api_builds_the_envelope(jwk, monkeypatch):
    """No hand-assembled crypto envelope (issue 13): `jwe.encrypt_compact` puts the JWE together, with a
    registry that allows FIT-Connect's two algorithms only, and what it returns is what the platform sends."""
    calls = []
    original = jwe.encrypt_compact

    def spy(protected, plaintext, public_key, *args, **kwargs):
        calls.append((dict(protected), plaintext, public_key, kwargs))
        token = original(protected, plaintext, public_key, *args, **kwargs)
        calls[-1] += (token,)
        return token

    monkeypatch.setattr(jwe, "encrypt_compact", spy)
    key = crypto.public_key(jwk)
    token = crypto.encrypt_for(key, b"Antrag", content_type="application/json")
    [(protected, plaintext, public_key, kwargs, returned)] = calls
    assert protected == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "zustellpunkt-2026", "cty": "application/json"}
    assert plaintext == b"Antrag" and public_key is key and returned == token
    registry = kwargs["registry"]
    assert registry.get_alg("RSA-OAEP-256") and registry.get_enc("A256GCM")
    for refused in (lambda: registry.get_alg("RSA-OAEP"), lambda: registry.get_alg("RSA1_5"),
                    lambda: registry.get_enc("A128GCM"), lambda: registry.get_zip("DEF")):
        with pytest.raises(UnsupportedAlgorithmError):
            refused()


def test_the_five_parts_have_the_sizes_of_rsa_oaep_256_and_a256gcm(jwk):
    protected, encrypted_key, iv, ciphertext, tag = _segments(crypto.encrypt_for(jwk, b"x" * 100))
    assert json.loads(protected)["alg"] == "RSA-OAEP-256"
    assert len(encrypted_key) == 512  # one RSA block of the 4096-bit key
    assert len(iv) == 12 and len(tag) == 16 and len(ciphertext) == 100


def test_every_encryption_has_its_own_content_key_and_iv(jwk):
    first, second = (_segments(crypto.encrypt_for(jwk, b"gleich")) for _ in range(2))
    assert first[1] != second[1] and first[2] != second[2] and first[3] != second[3]
    # The receiver's own unwrapping (RSA-OAEP, SHA-256, MGF1-SHA-256) gives two different 256-bit keys.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    key = cached_keypair(0).get_op_key("decrypt")
    content_keys = {key.decrypt(parts[1], oaep) for parts in (first, second)}
    assert len(content_keys) == 2 and {len(k) for k in content_keys} == {32}


def test_a_changed_header_or_ciphertext_is_refused_by_the_receiver(jwk):
    token = crypto.encrypt_for(jwk, b"Antrag", content_type="application/json")
    header, rest = token.split(".", 1)
    forged_header = base64.urlsafe_b64encode(
        json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "zustellpunkt-2026"}).encode()
    ).rstrip(b"=").decode()
    parts = token.split(".")
    flipped = parts[3][:-1] + ("A" if parts[3][-1] != "A" else "B")
    for bad in (f"{forged_header}.{rest}", ".".join([*parts[:3], flipped, parts[4]])):
        with pytest.raises(DecodeError):
            crypto.decrypt_jwe(cached_keypair(0), bad)


@pytest.mark.parametrize(("change", "message"), [
    ({"kty": "EC"}, "RSA"),
    ({"key_ops": ["verify"]}, "wrapKey"),
    ({"use": "sig"}, "use"),
])
def test_unfit_destination_keys_are_refused(jwk, change, message):
    with pytest.raises(crypto.EncryptionKeyError, match=message):
        crypto.public_key({**jwk, **change})


@pytest.mark.filterwarnings("ignore:Key size should be:joserfc.errors.SecurityWarning")
def test_short_rsa_keys_are_refused():
    short = RSAKey.generate_key(1024, private=False).as_dict(private=False) | {"kid": "kurz"}
    with pytest.raises(crypto.EncryptionKeyError, match="2048"):
        crypto.public_key(short)


def test_the_platform_never_imports_private_members(jwk):
    private = cached_keypair(0).as_dict(private=True) | {"kid": jwk["kid"], "key_ops": ["wrapKey"]}
    key = crypto.public_key(private)
    assert not key.is_private and "d" not in key.as_dict(private=False)


def _encrypt_with(jwk: dict, header_extra: dict, plaintext: bytes) -> str:
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": jwk["kid"], **header_extra}
    return jwe.encrypt_compact(header, plaintext, crypto.public_key(jwk), algorithms=[*crypto.ALGORITHMS, "DEF"])


def test_a_compressed_part_is_inflated_up_to_the_bound_and_no_further(jwk):
    """RFC 7516 §4.1.3 "zip": "DEF" as joserfc writes it (issue 15, item 2); joserfc's own limit is 250 KiB."""
    big = b"Antrag " * 100_000  # 700 kB, far beyond joserfc's own DEF limit
    token = _encrypt_with(jwk, {"zip": "DEF"}, big)
    assert crypto.check_compact_jwe(token)["zip"] == "DEF"  # accepted at upload
    assert crypto.decrypt_jwe(cached_keypair(0), token) == big
    with pytest.raises(crypto.DecompressedTooLarge):
        crypto.decrypt_jwe(cached_keypair(0), token, max_decompressed_bytes=len(big) - 1)
    assert crypto.decrypt_jwe(cached_keypair(0), token, max_decompressed_bytes=len(big)) == big


def test_an_unknown_compression_is_refused_at_upload(jwk):
    token = crypto.encrypt_for(jwk, b"Antrag")
    forged = base64.urlsafe_b64encode(json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": jwk["kid"],
                                                  "zip": "GZIP"}).encode()).rstrip(b"=").decode()
    with pytest.raises(crypto.MalformedJWE, match="nur DEF"):
        crypto.check_compact_jwe(forged + token[token.index("."):])
