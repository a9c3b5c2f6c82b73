"""AES-256-GCM for drafts and uploads at rest, with a key generated once per installation into var/.

The key never enters the repository or the database. Production configures it (`AMTSWEG_DRAFT_KEY`,
base64, 32 bytes; the system check amtsweg.E002 stops a start without it); only in embedded mode (demo,
tests) is it generated into var/. The record id is the associated data, so ciphertexts cannot be swapped
between drafts.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _key() -> bytes:
    configured = settings.AMTSWEG_DRAFT_KEY
    if configured:
        key = base64.urlsafe_b64decode(configured)
    elif not settings.AMTSWEG_EMBEDDED:  # the system check says so at start; never a key per host
        raise ImproperlyConfigured("AMTSWEG_DRAFT_KEY is not set (required unless AMTSWEG_EMBEDDED)")
    else:
        path = Path(settings.VAR_DIR) / "draft_key"
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process was first
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key = base64.urlsafe_b64decode(path.read_text().strip())
    if len(key) != 32:
        raise RuntimeError("The draft key must be 32 bytes (AES-256)")
    return key


def encrypt(plaintext: bytes, associated: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(_key()).encrypt(nonce, plaintext, associated.encode())


def decrypt(blob: bytes, associated: str) -> bytes:
    blob = bytes(blob)
    return AESGCM(_key()).decrypt(blob[:12], blob[12:], associated.encode())


def encrypt_json(data: object, associated: str) -> bytes:
    return encrypt(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), associated)


def decrypt_json(blob: bytes, associated: str) -> object:
    return json.loads(decrypt(blob, associated))
