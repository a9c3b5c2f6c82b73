"""assistants' contribution to `/readyz` (`amtsweg.core.health`): the draft key."""

from __future__ import annotations

from amtsweg.core.health import KEY_CACHE_SECONDS, readiness_check


@readiness_check("draft_key", cache_seconds=KEY_CACHE_SECONDS, threaded=True)
def draft_key_loads() -> bool:
    """Drafts, uploads and receipts are sealed with it; a host without it cannot resume any application."""
    from amtsweg.assistants.crypto import _key

    return len(_key()) == 32
