"""The back office's vault: case content encrypted at rest with per-authority data keys under a KEK.

Trust model (README, "Security model"): the key-encryption key (KEK) lives outside the database (the
environment variable `AMTSWEG_CASEWORK_KEK`, base64url of 32 random bytes; in embedded mode generated once
into `var/casework_kek`). Each Authority has its own random AES-256 data keys, stored in the database only
wrapped by the KEK (`DataKey`). A stolen database dump therefore holds ciphertext and wrapped keys, but no
key that opens them; a stolen KEK without the database opens nothing either. Replacing the file/env KEK by a
KMS or HSM means implementing `KeyEncryptionKey` (wrap, unwrap, derive) and returning it from `kek()`.

    sealed = vault.seal(authority, b"...", purpose="case.application")
    vault.open(authority, sealed, purpose="case.application")  # -> b"..."

AES-256-GCM (cryptography's `AESGCM`) with a fresh 96-bit nonce per seal. The associated data binds the
ciphertext to its Authority, purpose and data key id: a sealed value copied into another Authority's case
or into another field does not open. Sealed values name the data key they were made with, so rotation
(`rotate_data_key`) only adds a key: old values stay readable until re-sealed.

Exact search by the applicant's name without storing it: `name_hash(authority, name)` is an HMAC-SHA256 of
the normalised name under a per-authority key derived from the KEK (HKDF), so equal names give equal hashes
within one Authority only, and nobody without the KEK can test a guessed name against the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from amtsweg.core.keymaterial import parse_base64url_key

MAGIC = b"AWV1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEK_FILE = "casework_kek"
ACTIVE_KEY_TTL_SECONDS = 60.0  # how long a process keeps using the data key it last saw as active


class VaultError(Exception):
    """A sealed value does not open: wrong Authority or purpose, unknown data key, tampered, or wrong KEK."""


@runtime_checkable
class KeyEncryptionKey(Protocol):
    """What the vault needs from a key-encryption key. A KMS/HSM implementation wraps, unwraps and derives
    inside the device; the file/environment implementation holds the 32 bytes in the process."""

    key_id: str

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        """Encrypt a data key; `context` (the owner) must be given again to unwrap."""

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        """The data key, or `VaultError` if `wrapped` was not made by this KEK for this context."""

    def derive(self, info: bytes) -> bytes:
        """A 32-byte key for one purpose (`info`), deterministic for this KEK (e.g. the name-hash keys)."""


class LocalKeyEncryptionKey:
    """A KEK held in the process: AES-256-GCM key wrapping with the owner as associated data, HKDF-SHA256
    for derived keys. `key_id` names the KEK (a hash of it, not the key) so data keys wrapped by another
    KEK are recognised as such."""

    def __init__(self, secret: bytes):
        if len(secret) != KEY_BYTES:
            raise ImproperlyConfigured("The casework KEK must be 32 bytes (AES-256).")
        self._secret = secret
        self.key_id = hashlib.sha256(b"amtsweg casework kek id|" + secret).hexdigest()[:16]

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + AESGCM(self._secret).encrypt(nonce, data_key, b"amtsweg casework wrap|" + context)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        wrapped = bytes(wrapped)
        try:
            return AESGCM(self._secret).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                                b"amtsweg casework wrap|" + context)
        except (InvalidTag, ValueError) as exc:
            raise VaultError("Der Datenschlüssel lässt sich mit diesem KEK nicht entpacken.") from exc

    def derive(self, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                    info=b"amtsweg casework derive|" + info).derive(self._secret)


def parse_kek(value: str) -> bytes:
    """The 32 bytes of a base64url KEK setting; ValueError if it is not exactly that (the same parser as
    the start-up check amtsweg.E006)."""
    return parse_base64url_key(value, KEY_BYTES)


def kek() -> KeyEncryptionKey:
    """The configured KEK: `AMTSWEG_CASEWORK_KEK`, or in embedded mode `var/casework_kek` (generated once).
    Outside embedded mode a missing KEK is a startup error (system check amtsweg.E006), never a new key."""
    return _kek(settings.AMTSWEG_CASEWORK_KEK or "", bool(settings.AMTSWEG_EMBEDDED), str(settings.VAR_DIR))


@cache
def _kek(configured: str, embedded: bool, var_dir: str) -> KeyEncryptionKey:
    """The KEK cached by where it comes from, as the platform signing key is (`core.platform_keys`): a process
    that once ran under another VAR_DIR (a test, a second installation) must not go on wrapping keys with that
    installation's KEK once it is back in its own (CI: a restore drill's backup held its own KEK file, but the
    keys in it were wrapped with a KEK another test had loaded from a temporary VAR_DIR)."""
    if configured:
        return LocalKeyEncryptionKey(parse_kek(configured))
    if not embedded:
        raise ImproperlyConfigured("AMTSWEG_CASEWORK_KEK is not set (required unless AMTSWEG_EMBEDDED)")
    from amtsweg.core import files

    path = Path(var_dir) / KEK_FILE
    if not path.exists():
        with files.exclusive(Path(var_dir) / f".{KEK_FILE}.lock"):
            if not path.exists():
                files.write_private(path, base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode())
    return LocalKeyEncryptionKey(parse_kek(path.read_text()))


# --- data keys -------------------------------------------------------------------------------------------

_keys: dict[tuple[int, str], bytes] = {}  # (authority id, key id) → unwrapped data key, per process
_active: dict[int, tuple[str, float]] = {}  # authority id → (active key id, monotonic time seen)
_lock = threading.Lock()


def _context(authority_id: int) -> bytes:
    return f"authority:{authority_id}".encode()


def _remember(authority_id: int, key_id: str, key: bytes | None = None) -> None:
    """Cache a data key (and, without `key`, make it the Authority's active one) once the row is committed.

    A key row created or read inside a transaction that is then rolled back (an ingest that fails after
    sealing) must never stay in the cache: later values would be sealed under a key that exists nowhere
    but in this process's memory, unreadable by every other process and after a restart. CI found it when
    a test database reused a rolled-back Authority's id. Outside a transaction `on_commit` runs at once."""

    def remember() -> None:
        with _lock:
            if key is None:
                _active[authority_id] = (key_id, time.monotonic())
            else:
                _keys[(authority_id, key_id)] = key

    transaction.on_commit(remember)


def _unwrapped(authority_id: int, key_id: str) -> bytes:
    cached = _keys.get((authority_id, key_id))
    if cached is not None:
        return cached
    from amtsweg.casework.models import DataKey

    row = DataKey.objects.filter(authority_id=authority_id, key_id=key_id).only("wrapped").first()
    if row is None:
        raise VaultError("Der Datenschlüssel ist unbekannt.")
    key = kek().unwrap(row.wrapped, context=_context(authority_id))
    _remember(authority_id, key_id, key)
    return key


def _new_data_key(authority_id: int) -> str:
    from amtsweg.casework.models import DataKey

    key = secrets.token_bytes(KEY_BYTES)
    key_id = secrets.token_hex(8)
    current = kek()
    DataKey.objects.create(authority_id=authority_id, key_id=key_id, kek_id=current.key_id,
                           wrapped=current.wrap(key, context=_context(authority_id)))
    _remember(authority_id, key_id, key)
    return key_id


def active_key_id(authority_id: int) -> str:
    """The Authority's current data key (created on first use; concurrent first uses agree on one)."""
    seen = _active.get(authority_id)
    if seen is not None and time.monotonic() - seen[1] < ACTIVE_KEY_TTL_SECONDS:
        return seen[0]
    from amtsweg.casework.models import DataKey

    key_id = (DataKey.objects.filter(authority_id=authority_id, retired_at__isnull=True)
              .values_list("key_id", flat=True).first())
    if key_id is None:
        try:
            with transaction.atomic():
                key_id = _new_data_key(authority_id)
        except IntegrityError:  # another process created the first key meanwhile (one active per Authority)
            key_id = DataKey.objects.get(authority_id=authority_id, retired_at__isnull=True).key_id
    _remember(authority_id, key_id)
    return key_id


def rotate_data_key(authority, *, actor) -> str:
    """Retire the Authority's active data key and start a new one (values sealed before stay readable).
    `actor`: who asked (a person, or `amtsweg.core.actors.SYSTEM` for a scheduled rotation)."""
    from amtsweg.casework.models import DataKey

    with transaction.atomic():
        DataKey.objects.select_for_update().filter(authority=authority, retired_at__isnull=True).update(
            retired_at=timezone.now())
        key_id = _new_data_key(authority.pk)
        _remember(authority.pk, key_id)
    return key_id


def rewrap_data_keys(old: KeyEncryptionKey, new: KeyEncryptionKey) -> int:
    """KEK rotation: unwrap every data key wrapped by `old` and wrap it by `new` (content is untouched).
    Run with both KEKs at hand, then configure `new`. Returns the number of keys re-wrapped."""
    from amtsweg.casework.models import DataKey

    count = 0
    with transaction.atomic():
        for row in DataKey.objects.select_for_update().filter(kek_id=old.key_id):
            key = old.unwrap(row.wrapped, context=_context(row.authority_id))
            row.wrapped = new.wrap(key, context=_context(row.authority_id))
            row.kek_id = new.key_id
            row.save(update_fields=["wrapped", "kek_id"])
            count += 1
    return count


def forget_cached_keys() -> None:
    """Drop the process's unwrapped keys (tests; after a KEK change)."""
    with _lock:
        _keys.clear()
        _active.clear()
    _kek.cache_clear()
    _name_key.cache_clear()


# --- sealing ---------------------------------------------------------------------------------------------


def _associated(authority_id: int, purpose: str, key_id: str) -> bytes:
    return f"amtsweg casework v1|authority:{authority_id}|purpose:{purpose}|key:{key_id}".encode()


def seal(authority, plaintext: bytes, *, purpose: str) -> bytes:
    """Encrypt `plaintext` for `authority` (an Authority or its id) under its active data key.

    `purpose` names what it is ("case.application", "case.attachment", "case.note", …): it is bound into the
    ciphertext, and `open` refuses a value sealed for another purpose or Authority.
    """
    authority_id = getattr(authority, "pk", authority)
    key_id = active_key_id(authority_id)
    purpose_bytes, key_bytes = purpose.encode(), key_id.encode("ascii")
    if len(purpose_bytes) > 255:
        raise ValueError("purpose is too long")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(_unwrapped(authority_id, key_id)).encrypt(
        nonce, bytes(plaintext), _associated(authority_id, purpose, key_id))
    return b"".join((MAGIC, bytes([len(key_bytes)]), key_bytes, bytes([len(purpose_bytes)]), purpose_bytes,
                     nonce, ciphertext))


def sealed_purpose(sealed: bytes) -> str:
    """The purpose a sealed value names (not verified: `open` does that)."""
    return _parse(bytes(sealed))[1]


def _parse(sealed: bytes) -> tuple[str, str, bytes, bytes]:
    if not sealed.startswith(MAGIC):
        raise VaultError("Kein versiegelter Wert.")
    try:
        pos = len(MAGIC)
        key_len = sealed[pos]
        key_id = sealed[pos + 1:pos + 1 + key_len].decode("ascii")
        pos += 1 + key_len
        purpose_len = sealed[pos]
        purpose = sealed[pos + 1:pos + 1 + purpose_len].decode()
        pos += 1 + purpose_len
    except (IndexError, UnicodeDecodeError) as exc:
        raise VaultError("Der versiegelte Wert ist beschädigt.") from exc
    nonce, ciphertext = sealed[pos:pos + NONCE_BYTES], sealed[pos + NONCE_BYTES:]
    if len(nonce) != NONCE_BYTES or len(ciphertext) < 16:
        raise VaultError("Der versiegelte Wert ist beschädigt.")
    return key_id, purpose, nonce, ciphertext


def open(authority, sealed: bytes, *, purpose: str | None = None) -> bytes:  # noqa: A001 - the vault's verb
    """Decrypt a value sealed for `authority`. With `purpose`, also refuse a value sealed for another one
    (the stored purpose is authenticated either way). Raises `VaultError`."""
    authority_id = getattr(authority, "pk", authority)
    key_id, stored_purpose, nonce, ciphertext = _parse(bytes(sealed))
    if purpose is not None and purpose != stored_purpose:
        raise VaultError("Der versiegelte Wert gehört zu einem anderen Zweck.")
    try:
        return AESGCM(_unwrapped(authority_id, key_id)).decrypt(
            nonce, ciphertext, _associated(authority_id, stored_purpose, key_id))
    except InvalidTag as exc:
        raise VaultError("Der versiegelte Wert lässt sich nicht öffnen (andere Behörde oder verändert).") from exc


# --- keyed hash of the applicant's name ------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """The form of a name that exact search compares: Unicode NFKC, case-folded (ß = ss), inner whitespace
    collapsed, commas dropped ("Mustermann, Erika" and "Erika Mustermann" stay different: exact means exact)."""
    text = unicodedata.normalize("NFKC", name).casefold().replace(",", " ")
    return " ".join(text.split())


@cache
def _name_key(authority_id: int, kek_id: str) -> bytes:
    return kek().derive(f"name-hash|authority:{authority_id}".encode())


def name_hash(authority, name: str) -> str:
    """HMAC-SHA256 (hex) of the normalised name under the Authority's name-hash key; "" for an empty name."""
    normalised = normalise_name(name)
    if not normalised:
        return ""
    authority_id = getattr(authority, "pk", authority)
    key = _name_key(authority_id, kek().key_id)
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
