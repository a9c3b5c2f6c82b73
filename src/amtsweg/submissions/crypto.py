"""JOSE for submissions: JWE for the destination, hashes, and the decryption a receiver performs.

FIT-Connect fixes the algorithms: the content key is wrapped with RSA-OAEP-256 for the destination's
public encryption key (JWK, 4096 bit, `key_ops` `wrapKey`) and the content is encrypted with A256GCM;
the result is a JWE in compact serialisation carrying the key's `kid` in its protected header.

The platform only ever *encrypts* (with public keys). It never holds a destination's private key, so
nothing here is on the platform's hot path except `encrypt_for` and `sha512_hex`. `decrypt_jwe` exists
for receivers (the reference Fachverfahren client, tests): it raises joserfc's default 64 KiB ciphertext
limit, which would otherwise refuse any realistic attachment.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from joserfc import jwe
from joserfc.jwk import RSAKey

KEY_ALGORITHM = "RSA-OAEP-256"
CONTENT_ALGORITHM = "A256GCM"
# joserfc only allows "recommended" algorithms by default; RSA-OAEP-256 must be named explicitly.
ALGORITHMS = [KEY_ALGORITHM, CONTENT_ALGORITHM]
# Upper bound for one decrypted part (attachments); the platform itself never decrypts.
MAX_CIPHERTEXT_BYTES = 512 * 1024 * 1024


class EncryptionKeyError(ValueError):
    """The destination key is not a usable RSA public encryption key."""


# One registry for all encryptions (joserfc would build one per call from `algorithms=`).
_REGISTRY = jwe.JWERegistry(algorithms=ALGORITHMS)


def public_key(destination_key_jwk: dict[str, Any]) -> RSAKey:
    """The destination's public encryption key, checked and imported once (cached); needs a `kid`."""
    if not destination_key_jwk.get("kid"):
        raise EncryptionKeyError("destination key has no kid")
    return _public_key(json.dumps(destination_key_jwk, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _public_key(jwk_json: str) -> RSAKey:
    data = json.loads(jwk_json)
    if data.get("kty") != "RSA":
        raise EncryptionKeyError("destination key must be an RSA key")
    key_ops = data.get("key_ops")
    if key_ops is not None and "wrapKey" not in key_ops:
        raise EncryptionKeyError("destination key is not meant for key wrapping (key_ops lacks wrapKey)")
    # Import only the public members: the platform must never hold private key material. (`key_ops` is
    # checked above; joserfc would look for "encrypt" where FIT-Connect keys say "wrapKey".)
    public = {k: v for k, v in data.items() if k in {"kty", "n", "e", "kid", "alg", "use"}}
    return RSAKey.import_key(public)


def encrypt_for(
    destination_key: dict[str, Any] | RSAKey, plaintext: bytes, *, content_type: str | None = None
) -> str:
    """Encrypt `plaintext` for a destination's public key (JWK, or the key from `public_key()`); returns a
    compact JWE.

    The protected header names `kid` (so the receiver picks the right private key during key rollover),
    and `cty` when given (e.g. "application/json").
    """
    key = destination_key if isinstance(destination_key, RSAKey) else public_key(destination_key)
    if not key.kid:
        raise EncryptionKeyError("destination key has no kid")
    header: dict[str, Any] = {"alg": KEY_ALGORITHM, "enc": CONTENT_ALGORITHM, "kid": key.kid}
    if content_type:
        header["cty"] = content_type
    return jwe.encrypt_compact(header, plaintext, key, registry=_REGISTRY)


def jwe_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, without decrypting (for shape checks on upload)."""
    from joserfc.util import urlsafe_b64decode

    parts = token.split(".")
    if len(parts) != 5:
        raise ValueError("not a JWE in compact serialisation (expected 5 parts)")
    try:
        header = json.loads(urlsafe_b64decode(parts[0].encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise ValueError("JWE header is not base64url-encoded JSON") from exc
    if not isinstance(header, dict):
        raise ValueError("JWE header is not a JSON object")
    return header


def is_compact_jwe(token: str) -> bool:
    """True if `token` looks like a FIT-Connect JWE (5 parts, RSA-OAEP-256/A256GCM header)."""
    try:
        header = jwe_header(token)
    except ValueError:
        return False
    return header.get("alg") == KEY_ALGORITHM and header.get("enc") == CONTENT_ALGORITHM


def receiver_registry(max_bytes: int = MAX_CIPHERTEXT_BYTES) -> jwe.JWERegistry:
    """A JWE registry for receivers: FIT-Connect's algorithms only, with a size limit fit for attachments."""
    registry = jwe.JWERegistry(algorithms=ALGORITHMS)
    registry.max_ciphertext_length = max_bytes * 4 // 3 + 4
    return registry


def decrypt_jwe(private_key: RSAKey | dict[str, Any], token: str, *, max_bytes: int = MAX_CIPHERTEXT_BYTES) -> bytes:
    """Decrypt a compact JWE with the destination's private key (receiver side only)."""
    key = private_key if isinstance(private_key, RSAKey) else RSAKey.import_key(private_key)
    result = jwe.decrypt_compact(token, key, registry=receiver_registry(max_bytes))
    return result.plaintext


def sha512_hex(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()
