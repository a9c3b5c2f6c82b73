"""casework's contribution to `/readyz` (`amtsweg.core.health`): the key-encryption key."""

from __future__ import annotations

from amtsweg.core.health import KEY_CACHE_SECONDS, readiness_check


@readiness_check("casework_kek", cache_seconds=KEY_CACHE_SECONDS, threaded=True)
def kek_loads() -> bool:
    """The back office's data keys and private keys are wrapped by it: without it no case opens and no
    application can be taken in."""
    from amtsweg.casework.vault import kek

    kek()
    return True
