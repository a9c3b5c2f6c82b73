"""FIT-Connect callback signatures: HMAC-SHA512 over `<timestamp>.<body>`, hex, with the destination's secret.

Headers `callback-authentication` (the MAC) and `callback-timestamp` (Unix seconds). Receivers recompute
the MAC in constant time and reject timestamps older than five minutes (replay protection).
"""

from __future__ import annotations

import hashlib
import hmac
import time

NEW_SUBMISSIONS = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-submissions"
MAX_AGE_SECONDS = 300


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "content-type": "application/json",
        "callback-authentication": sign(secret, timestamp, body),
        "callback-timestamp": str(timestamp),
    }


def verify(secret: str, mac: str, timestamp: str, body: bytes, *, now: float | None = None) -> bool:
    """True if the MAC is right and the timestamp is neither older than 5 minutes nor in the future."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = now if now is not None else time.time()
    if current - ts > MAX_AGE_SECONDS or ts - current > 60:
        return False
    return hmac.compare_digest(sign(secret, ts, body), mac or "")
