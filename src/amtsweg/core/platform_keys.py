"""The platform's own signing key (RSA 4096, PS512).

It signs routes (routing API) and Security Event Tokens (event log), and is published as a JWKS so that
clients can verify both. The private key never enters the repository: it is read from the PEM file named
by PLATFORM_SIGNING_KEY_FILE, or generated once into var/platform_signing_key.pem (demo, tests).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

ALGORITHM = "PS512"


@functools.cache
def signing_key() -> RSAKey:
    path = Path(os.environ.get("PLATFORM_SIGNING_KEY_FILE") or settings.VAR_DIR / "platform_signing_key.pem")
    if path.exists():
        key = RSAKey.import_key(path.read_bytes())
    else:
        key = RSAKey.generate_key(4096, private=True)
        path.write_bytes(key.as_pem(private=True))
        path.chmod(0o600)
    kid = key.thumbprint()
    return RSAKey.import_key(key.as_dict(private=True), {"kid": kid, "alg": ALGORITHM, "use": "sig"})


def public_jwks() -> dict:
    """The JWKS document of the platform's verification key(s)."""
    public = signing_key().as_dict(private=False)
    public.update({"alg": ALGORITHM, "use": "sig", "key_ops": ["verify"]})
    return {"keys": [public]}
