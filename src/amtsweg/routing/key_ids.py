"""Which of a destination's encryption keys a sender's JWE names in its `kid` header.

Senders do not all copy the destination's `kid`: some JOSE clients put the key's JWK thumbprint there
(RFC 7638, SHA-256, base64url) or its thumbprint URI (RFC 9278,
`urn:ietf:params:oauth:jwk-thumbprint:sha-256:…`). Both name the same public key unambiguously, so the
submission records the destination key that decrypts it (its own `kid`), and the back office finds its
private key, whichever form the sender chose.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwk

from amtsweg.routing.models import DestinationKey

DIGESTS = ("sha256", "sha384", "sha512")


def names_key(header_kid: str, public_jwk: dict[str, Any]) -> bool:
    """True if `header_kid` is the key's RFC 7638 thumbprint or RFC 9278 thumbprint URI (SHA-2 family)."""
    members = {k: public_jwk[k] for k in ("kty", "n", "e", "crv", "x", "y", "k") if k in public_jwk}
    try:
        if header_kid.startswith("urn:"):
            return any(header_kid == jwk.thumbprint_uri(members, digest) for digest in DIGESTS)
        return any(header_kid == jwk.thumbprint(members, digest) for digest in DIGESTS)
    except (KeyError, ValueError, TypeError):
        return False


def encryption_key(destination_id, header_kid: str) -> DestinationKey | None:
    """The destination's encryption key (activated, retired ones included: they still decrypt during a
    rollover) that `header_kid` names by its `kid` or by its thumbprint; None if none does."""
    if not header_kid:
        return None
    keys = (DestinationKey.objects.filter(destination_id=destination_id, purpose=DestinationKey.Purpose.ENCRYPTION)
            .exclude(activated_at__isnull=True))
    exact = keys.filter(kid=header_kid).first()
    if exact is not None:
        return exact
    return next((key for key in keys if names_key(header_kid, key.jwk)), None)
