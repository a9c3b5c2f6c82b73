"""JOSE for the receiver: decrypt JWEs, verify the platform's SETs, sign our own accept/reject SETs."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwa import JWEZipModel
from joserfc.jwk import KeySet, RSAKey
from joserfc.util import urlsafe_b64decode

JWE_ALGORITHMS = ["RSA-OAEP-256", "A256GCM"]
SET_TYPE = "secevent+jwt"
SIGNATURE_ALGORITHM = "PS512"
EVENTS = "https://schema.fitko.de/fit-connect/events/"
PROBLEMS = EVENTS + "problems/"
CALLBACK_MAX_AGE = 300
# joserfc refuses ciphertexts over 64 KiB by default; attachments are larger. Keep a generous limit.
MAX_PLAINTEXT_BYTES = 512 * 1024 * 1024
# A compressed part ("zip": "DEF", RFC 7516 §4.1.3) is inflated up to this size, no further: a few hundred
# kilobytes of DEFLATE could otherwise fill the memory (a zip bomb). The platform takes parts up to 200 MiB.
MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024


class Invalid(Exception):
    """The submission cannot be accepted; `problem` is a FIT-Connect problem type (last path segment)."""

    def __init__(self, problem: str, detail: str, instance: str = "submission"):
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.instance = instance  # what the problem is in: submission, metadata, data or attachment:<id>


def load_key(path: str | Path) -> RSAKey:
    return RSAKey.import_key(json.loads(Path(path).read_text()))


class TooLargeWhenInflated(ValueError):
    """A compressed part inflates beyond `MAX_DECOMPRESSED_BYTES`."""


class BoundedDeflate(JWEZipModel):
    """`"zip": "DEF"`: raw DEFLATE (RFC 1951), or a zlib stream as some libraries write, inflated only up to
    a bound. (joserfc's own model stops at 250 KiB, too little for compressed attachments.)"""

    name = "DEF"
    description = "DEFLATE, bounded"

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes

    def compress(self, s: bytes) -> bytes:
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return compressor.compress(s) + compressor.flush()

    def decompress(self, s: bytes) -> bytes:
        for wbits in (-zlib.MAX_WBITS, zlib.MAX_WBITS):
            inflater = zlib.decompressobj(wbits)
            try:
                plaintext = inflater.decompress(s, self.max_bytes + 1)
            except zlib.error:
                continue
            if len(plaintext) > self.max_bytes or inflater.unconsumed_tail:
                raise TooLargeWhenInflated(f"inflates to more than {self.max_bytes} bytes")
            if inflater.eof:
                return plaintext
        raise ValueError("the compressed content is not DEFLATE")


def _registry(max_decompressed_bytes: int) -> jwe.JWERegistry:
    registry = jwe.JWERegistry(algorithms=[*JWE_ALGORITHMS, "DEF"])
    # Our bounded DEF on this instance only (the class-level table is shared by every registry).
    registry.algorithms = {"alg": dict(jwe.JWERegistry.algorithms["alg"]),
                           "enc": dict(jwe.JWERegistry.algorithms["enc"]),
                           "zip": {"DEF": BoundedDeflate(max_decompressed_bytes)}}
    registry.max_ciphertext_length = MAX_PLAINTEXT_BYTES * 4 // 3 + 4
    return registry


def decrypt(key: RSAKey, token: str, part: str, max_decompressed_bytes: int | None = None) -> bytes:
    """Decrypt (and, for `zip` DEF, inflate) one part; `Invalid` names the FIT-Connect problem."""
    bound = MAX_DECOMPRESSED_BYTES if max_decompressed_bytes is None else max_decompressed_bytes
    try:
        return jwe.decrypt_compact(token, key, registry=_registry(bound)).plaintext
    except TooLargeWhenInflated as exc:
        raise Invalid("encryption-issue", f"{part} is compressed (zip DEF) and {exc}: not inflated",
                      _instance(part)) from exc
    except (JoseError, ValueError) as exc:
        raise Invalid("encryption-issue", f"{part} could not be decrypted: {type(exc).__name__}",
                      _instance(part)) from exc


def _instance(part: str) -> str:
    """FIT-Connect's `instance` of a problem in `part` ("metadata", "data", "attachment <id>")."""
    return part.replace("attachment ", "attachment:")


def auth_tag(token: str) -> str:
    """The JWE's authentication tag (5th part), which the accept event confirms."""
    return token.rsplit(".", 1)[-1]


def sha512_hex(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def verify_event_log(tokens: list[str], platform_jwks: dict[str, Any], own_key: RSAKey, submission_id: str) -> None:
    """Every SET must be signed by the platform (or by us); the log must show the submission as submitted."""
    keys = KeySet.import_key_set(platform_jwks)
    own_public = RSAKey.import_key(own_key.as_dict(private=False))
    registry = jws.JWSRegistry(algorithms=[SIGNATURE_ALGORITHM])
    submitted = False
    for token in tokens:
        try:
            header = json.loads(urlsafe_b64decode(token.split(".")[0].encode()))
            if header.get("typ") != SET_TYPE:
                raise ValueError("not a SET")
            key = own_public if header.get("kid") == own_key.kid else keys.get_by_kid(header.get("kid"))
            claims = json.loads(jws.deserialize_compact(token, key, registry=registry).payload)
        except (JoseError, ValueError, KeyError) as exc:
            raise EventLogInvalid(f"event log signature invalid: {type(exc).__name__}: {exc}") from exc
        if claims.get("sub") == f"submission:{submission_id}" and EVENTS + "submit-submission" in claims.get(
            "events", {}
        ):
            submitted = True
    if not submitted:
        raise EventLogInvalid("the event log has no signed submit-submission event for this submission")


class EventLogInvalid(Exception):
    """The platform's event log could not be verified: do not trust (or confirm) this submission yet."""


def sign_event(key: RSAKey, *, destination_id: str, submission_id: str, case_id: str, event: str, payload: dict) -> str:
    claims = {
        "$schema": "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json",
        "iss": destination_id,
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "sub": f"submission:{submission_id}",
        "txn": f"case:{case_id}",
        "events": {EVENTS + event: payload},
    }
    header = {"typ": SET_TYPE, "alg": SIGNATURE_ALGORITHM, "kid": key.kid}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=[SIGNATURE_ALGORITHM])


def verify_callback(secret: str, mac: str | None, timestamp: str | None, body: bytes, now: float | None = None) -> bool:
    """FIT-Connect callback: hex HMAC-SHA512 over `<timestamp>.<body>`; older than 5 minutes is refused."""
    try:
        ts = int(timestamp or "")
    except ValueError:
        return False
    current = time.time() if now is None else now
    if current - ts > CALLBACK_MAX_AGE or ts - current > 60:
        return False
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha512).hexdigest()
    return hmac.compare_digest(expected, mac or "")
