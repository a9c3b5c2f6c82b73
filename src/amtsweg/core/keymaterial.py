"""Symmetric keys given as settings: one parser for every 32-byte key in base64url.

The casework KEK (`casework.vault`) and its start-up check (`core.checks`, amtsweg.E006) read the same
format; both use this function, so what the check accepts is exactly what the vault can open. It lives in
core because core's checks run before, and may not import, the apps that use the keys.
"""

from __future__ import annotations

import base64
import binascii

KEY_BYTES = 32


def parse_base64url_key(value: str, size: int = KEY_BYTES) -> bytes:
    """The `size` raw bytes of a base64url key (padding optional, surrounding whitespace ignored);
    ValueError if it is not base64url or not exactly that long."""
    text = value.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if len(raw) != size:
        raise ValueError(f"not {size} bytes")
    return raw
