"""The platform's own signing key (RSA 4096, PS512).

It signs routes (routing API) and Security Event Tokens (event log), and is published as a JWKS so that
clients can verify both. The private key never enters the repository: it is read from the PEM file named
by PLATFORM_SIGNING_KEY_FILE, or, in embedded mode only (demo, tests), generated once into
var/platform_signing_key.pem. A production start without the file fails (system check amtsweg.E003).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import RSAKey

from amtsweg.core import pki

ALGORITHM = "PS512"


def _load_or_create(path: Path) -> RSAKey:
    """Read the key; create it if missing. Creation is exclusive (O_EXCL), so when several processes start
    at once exactly one key is written and every process ends up signing with that one."""
    if not path.exists():
        key = RSAKey.generate_key(4096, private=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race: use its key
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.as_pem(private=True))
                handle.flush()
                os.fsync(handle.fileno())
            return key
    for _attempt in range(50):  # the winner may still be writing
        data = path.read_bytes()
        if data.strip().endswith(b"-----"):
            return RSAKey.import_key(data)
        time.sleep(0.1)
    raise RuntimeError(f"platform signing key {path} is incomplete")


def key_path() -> Path:
    return Path(settings.PLATFORM_SIGNING_KEY_FILE or settings.VAR_DIR / "platform_signing_key.pem")


_loading = threading.Lock()


def signing_key() -> RSAKey:
    """The key, loaded once per process. Importing an RSA-4096 private key validates it (about 0.25 s of CPU,
    twice here); without the lock every thread of a fresh gunicorn worker that signed at once paid that,
    seconds of CPU on a web host restarting under load (benchmarks/stichtag.py)."""
    with _loading:
        return _load_signing_key(str(key_path()), bool(settings.AMTSWEG_EMBEDDED))


@functools.cache
def _load_signing_key(path_name: str, embedded: bool) -> RSAKey:
    """The key in `path_name`, cached by where it comes from (as the chain in `public_jwks`): a process that
    once ran under another VAR_DIR or key file (tests, a second installation) must not go on signing with
    that installation's key once it is back in its own."""
    path = Path(path_name)
    if embedded:
        key = _load_or_create(path)
    elif not settings.PLATFORM_SIGNING_KEY_FILE:  # the system check says so at start; never a key per host
        raise ImproperlyConfigured("PLATFORM_SIGNING_KEY_FILE is not set (required unless AMTSWEG_EMBEDDED)")
    else:
        key = RSAKey.import_key(path.read_bytes())
    kid = key.thumbprint()
    return RSAKey.import_key(key.as_dict(private=True), {"kid": kid, "alg": ALGORITHM, "use": "sig"})


def public_jwks() -> dict:
    """The JWKS document of the platform's verification key(s), with the certificate chain (`x5c`) that
    FIT-Connect's JWK schema requires where one is configured (or, embedded, issued by the demo PKI)."""
    key = signing_key()
    public = key.as_dict(private=False)
    public.update({"alg": ALGORITHM, "use": "sig", "key_ops": ["verify"]})
    # keyed by where the chain comes from (a changed VAR_DIR, in tests or a second installation, is another PKI)
    # and by the key it certifies: a chain cached for another key would publish a leaf that does not match
    chain = _x5c(str(settings.PLATFORM_SIGNING_CHAIN_FILE or settings.VAR_DIR), bool(settings.AMTSWEG_EMBEDDED),
                 key.kid)
    if chain:
        public["x5c"] = list(chain)
    return {"keys": [public]}


@functools.cache
def _x5c(source: str, embedded: bool, kid: str) -> tuple[str, ...]:
    """The chain for the loaded key; `kid` (its thumbprint) is part of the cache key only."""
    return tuple(pki.platform_chain(signing_key().public_key))
