"""Readiness checks that later apps contribute to `/readyz`.

Core comes first in the import order (README "Architecture") and cannot ask, say, `geo` whether the
reference data is loaded; instead each app registers a named check in its `AppConfig.ready`, and the
probe runs them all once the database answers.
"""

from __future__ import annotations

from collections.abc import Callable

ReadinessCheck = Callable[[], bool]

_checks: dict[str, ReadinessCheck] = {}


def readiness_check(name: str) -> Callable[[ReadinessCheck], ReadinessCheck]:
    """Register `function` (no arguments, True when ready) under `name`, the key it reports under in
    `/readyz`'s `checks`. A name registered twice is a programming error."""

    def decorator(function: ReadinessCheck) -> ReadinessCheck:
        if name in _checks:
            raise ValueError(f"readiness check {name!r} is registered twice")
        _checks[name] = function
        return function

    return decorator


def readiness_checks() -> dict[str, ReadinessCheck]:
    """The registered checks by name, in registration (INSTALLED_APPS) order."""
    return dict(_checks)
