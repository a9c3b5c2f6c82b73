"""Readiness checks that later apps contribute to `/readyz`.

Core comes first in the import order (README "Architecture") and cannot ask, say, `geo` whether the
reference data is loaded; instead each app registers a named check in its `AppConfig.ready`, and the
probe runs them all once the database answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

ReadinessCheck = Callable[[], bool]
logger = logging.getLogger(__name__)
OK, MISSING, UNAVAILABLE = "ok", "missing", "unavailable"

_checks: dict[str, ReadinessCheck] = {}
_degrading: set[str] = set()  # checks whose failure degrades the service but must not take hosts out


def readiness_check(name: str, *, critical: bool = True) -> Callable[[ReadinessCheck], ReadinessCheck]:
    """Register `function` (no arguments, True when ready) under `name`, the key it reports under in
    `/readyz`'s `checks`. A name registered twice is a programming error.

    `critical=False` for a part whose failure every host shares and that the platform survives: a
    failing check is reported (`reasons`, the metrics, an alert), but `/readyz` stays 200 ("degraded"), so a
    load balancer does not take every host out at once for it."""

    def decorator(function: ReadinessCheck) -> ReadinessCheck:
        if name in _checks:
            raise ValueError(f"readiness check {name!r} is registered twice")
        _checks[name] = function
        if not critical:
            _degrading.add(name)
        return function

    return decorator


def is_critical(name: str) -> bool:
    return name not in _degrading


def readiness_checks() -> dict[str, ReadinessCheck]:
    """The registered checks by name, in registration (INSTALLED_APPS) order."""
    return dict(_checks)


def database_answers() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def evaluate() -> dict[str, str]:
    """Every check's state: "ok", "missing" (it answered: not ready) or "unavailable" (it failed). The
    database comes first; the others run even when it is down (keys and a Redis queue do not need it), so an
    operator sees every part that is missing at once. Exceptions are logged without their message and never
    shown: the answer names parts, not their configuration or secrets."""
    states: dict[str, str] = {}
    for name, check in {"database": database_answers, **_checks}.items():
        try:
            states[name] = OK if check() else MISSING
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readiness check failed", extra={"check": name}, exc_info=True)
            states[name] = UNAVAILABLE
    return states


# --- Core's own parts: the platform signing key and the trust anchors of the administration PKI ----------


@readiness_check("signing_key")
def platform_signing_key_loads() -> bool:
    """Routes and the event log are signed with it: without it no intake can record its events."""
    from amtsweg.core.platform_keys import signing_key

    signing_key()
    return True


@readiness_check("trust_anchors")
def trust_anchors_load() -> bool:
    """Every destination key's chain is checked against them; none configured means every key is refused."""
    from amtsweg.core import pki

    return bool(pki.trust_anchors())
