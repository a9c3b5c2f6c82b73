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
import zlib
from typing import Any

from django.utils.translation import gettext as _
from joserfc import jwe
from joserfc.jwa import JWEZipModel
from joserfc.jwk import RSAKey
from joserfc.util import urlsafe_b64decode

from amtsweg.core import parsers

KEY_ALGORITHM = "RSA-OAEP-256"
CONTENT_ALGORITHM = "A256GCM"
# joserfc only allows "recommended" algorithms by default; RSA-OAEP-256 must be named explicitly.
ALGORITHMS = [KEY_ALGORITHM, CONTENT_ALGORITHM]
# Upper bound for one decrypted part (attachments); the platform itself never decrypts.
MAX_CIPHERTEXT_BYTES = 512 * 1024 * 1024
# RFC 7518 §4.3: RSA-OAEP keys of 2048 bits or more (FIT-Connect's destination keys have 4096; the
# routing app checks that when a key is registered).
MIN_KEY_BITS = 2048


class EncryptionKeyError(ValueError):
    """The destination key is not a usable RSA public encryption key."""


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
    if data.get("use", "enc") != "enc":
        raise EncryptionKeyError("destination key is not meant for encryption (use is not enc)")
    # Import only the public members: the platform must never hold private key material. (`key_ops` is
    # checked above; joserfc would look for "encrypt" where FIT-Connect keys say "wrapKey".)
    public = {k: v for k, v in data.items() if k in {"kty", "n", "e", "kid", "alg", "use"}}
    key = RSAKey.import_key(public)
    if key.public_key.key_size < MIN_KEY_BITS:
        raise EncryptionKeyError(f"destination key is shorter than {MIN_KEY_BITS} bits")
    return key


def encrypt_for(
    destination_key: dict[str, Any] | RSAKey, plaintext: bytes, *, content_type: str | None = None
) -> str:
    """Encrypt `plaintext` for a destination's public key (JWK, or the key from `public_key()`); returns a
    compact JWE (RFC 7516 §7.1) with a fresh random content key and IV.

    The protected header names `kid` (so the receiver picks the right private key during key rollover),
    and `cty` when given (e.g. "application/json"); never `zip` (receivers read compressed parts, see
    `BoundedDeflate`, but the platform's own parts stay uncompressed).

    joserfc's public `jwe.encrypt_compact` builds the envelope, so no crypto envelope is assembled by hand
    here: an auditor checks the library, not a copy of it. (A hand-built envelope on `cryptography`'s
    primitives saved ~60 µs per part, within the intake's noise; issue 13.)
    """
    key = destination_key if isinstance(destination_key, RSAKey) else public_key(destination_key)
    if not key.kid:
        raise EncryptionKeyError("destination key has no kid")
    header: dict[str, Any] = {"alg": KEY_ALGORITHM, "enc": CONTENT_ALGORITHM, "kid": key.kid}
    if content_type:
        header["cty"] = content_type
    return jwe.encrypt_compact(header, plaintext, key, registry=_SENDER_REGISTRY)


# One registry for all encryptions, FIT-Connect's two algorithms only (joserfc would build one per call
# from `algorithms=`; its default registry does not allow RSA-OAEP-256).
_SENDER_REGISTRY = jwe.JWERegistry(algorithms=ALGORITHMS)


# RFC 7516 §7.1: the five parts of a compact JWE, in order (named in the problems a sender gets).
JWE_PARTS = ("protected header", "encrypted key", "initialization vector", "ciphertext", "authentication tag")
_BASE64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class MalformedJWE(ValueError):
    """A sender's JWE has the wrong shape; `part` names the offending part (RFC 7516 wording) if one does.

    The message is the German detail of the sender's problem document (gettext, README "API language"); the
    part keeps its RFC 7516 name in it, the identifier a developer searches for."""

    def __init__(self, message: str, part: str = ""):
        super().__init__(message)
        self.part = part


def _is_base64url(part: str) -> bool:
    """Base64url without padding (RFC 7515 §2). Python's decoder would skip foreign characters silently."""
    return part.isascii() and not part.encode("ascii").translate(None, _BASE64URL) and len(part) % 4 != 1


def jwe_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, without decrypting (for shape checks on upload)."""
    parts = token.split(".")
    if len(parts) != 5:
        raise MalformedJWE(_("kein JWE in kompakter Serialisierung (erwartet: 5 Teile)"))
    try:
        header = parsers.loads(urlsafe_b64decode(parts[0].encode("ascii")))
    except parsers.JSONInputError as exc:
        raise MalformedJWE(_("der Kopf (protected header, Teil 1 von 5) ist kein zulässiges JSON: %(reason)s")
                           % {"reason": exc}, JWE_PARTS[0]) from exc
    except (ValueError, UnicodeError) as exc:
        raise MalformedJWE(_("der Kopf (protected header, Teil 1 von 5) ist kein base64url-kodiertes JSON"),
                           JWE_PARTS[0]) from exc
    if not isinstance(header, dict):
        raise MalformedJWE(_("der Kopf (protected header, Teil 1 von 5) ist kein JSON-Objekt"), JWE_PARTS[0])
    return header


def check_compact_jwe(token: str) -> dict[str, Any]:
    """The header of a sender's JWE after checking its shape: five base64url parts (only the ciphertext may
    be empty) and FIT-Connect's algorithms. Raises `MalformedJWE` naming the first bad part.

    Nothing is decrypted (the platform cannot), but what is stored and handed on is at least well-formed, so
    a receiver does not fail on a part that a lenient decoder let through.
    """
    parts = token.split(".")
    if len(parts) != 5:
        raise MalformedJWE(_("ein JWE in kompakter Form hat 5 durch Punkte getrennte Teile, nicht %(n)d")
                           % {"n": len(parts)})
    for number, (name, part) in enumerate(zip(JWE_PARTS, parts, strict=True), start=1):
        if not _is_base64url(part) or (not part and name != "ciphertext"):
            raise MalformedJWE(_("Teil %(number)d von 5 (%(name)s) ist nicht base64url-kodiert")
                               % {"number": number, "name": name}, name)
    header = jwe_header(token)
    if header.get("alg") != KEY_ALGORITHM or header.get("enc") != CONTENT_ALGORITHM:
        raise MalformedJWE(_("der Kopf (protected header) muss alg %(alg)s und enc %(enc)s nennen")
                           % {"alg": KEY_ALGORITHM, "enc": CONTENT_ALGORITHM}, JWE_PARTS[0])
    if "zip" in header and header["zip"] != BoundedDeflate.name:
        # RFC 7516 §4.1.3 registers only DEF; receivers could not inflate anything else.
        raise MalformedJWE(_("der Kopf (protected header) nennt zip %(zip)s; definiert ist nur DEF")
                           % {"zip": repr(str(header["zip"])[:20])}, JWE_PARTS[0])
    return header


def is_compact_jwe(token: str) -> bool:
    """True if `token` is a well-formed FIT-Connect JWE (see `check_compact_jwe`)."""
    try:
        check_compact_jwe(token)
    except MalformedJWE:
        return False
    return True


# A compressed part (`"zip": "DEF"`) may not expand beyond the largest part the API takes uncompressed
# (`services.MAX_ATTACHMENT_BYTES`): a few hundred kilobytes of DEFLATE can otherwise inflate to gigabytes.
MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024


class DecompressedTooLarge(ValueError):
    """A compressed JWE part inflates beyond the bound (a zip bomb, or simply too large a part)."""


class BoundedDeflate(JWEZipModel):
    """`"zip": "DEF"` (RFC 7516 §4.1.3: raw DEFLATE, RFC 1951) that stops inflating at `max_bytes`.

    joserfc's own DEF model stops at 250 KiB, which refuses ordinary compressed attachments; the receivers
    register this one on their own registry instance instead (`receiver_registry`). Some JOSE libraries
    write a zlib stream (RFC 1950) instead of raw DEFLATE; that is read too, as joserfc does.
    """

    name = "DEF"
    description = "DEFLATE, bounded"

    def __init__(self, max_bytes: int = MAX_DECOMPRESSED_BYTES):
        self.max_bytes = max_bytes

    def compress(self, s: bytes) -> bytes:
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return compressor.compress(s) + compressor.flush()

    def decompress(self, s: bytes) -> bytes:
        """The inflated part; `DecompressedTooLarge` beyond the bound, ValueError if it is not DEFLATE."""
        try:
            return self._inflate(s, -zlib.MAX_WBITS)
        except zlib.error:
            try:
                return self._inflate(s, zlib.MAX_WBITS)
            except zlib.error as exc:
                raise ValueError("the compressed part is not DEFLATE") from exc

    def _inflate(self, s: bytes, wbits: int) -> bytes:
        inflater = zlib.decompressobj(wbits)
        plaintext = inflater.decompress(s, self.max_bytes + 1)
        if len(plaintext) > self.max_bytes or inflater.unconsumed_tail:
            raise DecompressedTooLarge(f"the compressed part inflates to more than {self.max_bytes} bytes")
        if not inflater.eof:
            raise zlib.error("the compressed part ends early")
        return plaintext


def receiver_registry(max_bytes: int = MAX_CIPHERTEXT_BYTES,
                      max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES) -> jwe.JWERegistry:
    """A JWE registry for receivers: FIT-Connect's algorithms, compressed parts (`zip` DEF, which senders'
    JOSE libraries may write) inflated up to `max_decompressed_bytes`, and a size limit fit for attachments."""
    registry = jwe.JWERegistry(algorithms=[*ALGORITHMS, BoundedDeflate.name])
    # This instance's own table (the class-level one is shared by every registry): our bounded DEF.
    registry.algorithms = {"alg": dict(jwe.JWERegistry.algorithms["alg"]),
                           "enc": dict(jwe.JWERegistry.algorithms["enc"]),
                           "zip": {BoundedDeflate.name: BoundedDeflate(max_decompressed_bytes)}}
    registry.max_ciphertext_length = max_bytes * 4 // 3 + 4
    return registry


def decrypt_jwe(private_key: RSAKey | dict[str, Any], token: str, *, max_bytes: int = MAX_CIPHERTEXT_BYTES,
                max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decrypt a compact JWE with the destination's private key (receiver side only); a compressed part is
    inflated, up to `max_decompressed_bytes` (else `DecompressedTooLarge`)."""
    key = private_key if isinstance(private_key, RSAKey) else RSAKey.import_key(private_key)
    result = jwe.decrypt_compact(token, key, registry=receiver_registry(max_bytes, max_decompressed_bytes))
    return result.plaintext


def sha512_hex(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()
