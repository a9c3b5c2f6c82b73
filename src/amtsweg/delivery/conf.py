"""Delivery settings: Django settings first, then environment variables, then defaults.

Environment variables matter for worker processes started outside the test process (fault tests,
benchmarks), which cannot receive pytest's `settings` overrides.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULTS: dict[str, float] = {
    # How long a claimed message stays reserved for one worker. A worker that dies (SIGKILL) leaves its
    # messages in_flight; once the lease has run out any worker may claim them again.
    "LEASE_SECONDS": 120.0,
    # Exponential back-off: first retry after about BACKOFF_BASE seconds, doubling, capped at BACKOFF_MAX.
    "BACKOFF_BASE_SECONDS": 30.0,
    "BACKOFF_MAX_SECONDS": 3600.0,
    # After this long since the first attempt a failing message becomes a dead letter.
    "RETRY_HORIZON_HOURS": 48.0,
    # Timeout of one outgoing callback request (connect + read).
    "CALLBACK_TIMEOUT_SECONDS": 10.0,
    # How many due messages one worker claims at once.
    "BATCH_SIZE": 50,
    # Interval of the sweep that wakes workers for due retries and expired leases.
    "SWEEP_INTERVAL_SECONDS": 15.0,
    # A directory export's temporary folder unchanged this long was left by a crashed export and is
    # removed; far above the seconds one export takes, so a running exporter's folder is never touched.
    "EXPORT_TMP_STALE_SECONDS": 3600.0,
}


def value(name: str) -> float:
    """A numeric delivery setting `AMTSWEG_DELIVERY_<NAME>` (settings, environment, default)."""
    full = f"AMTSWEG_DELIVERY_{name}"
    configured = getattr(settings, full, None)
    if configured is None:
        configured = os.environ.get(full)
    return float(configured) if configured is not None else DEFAULTS[name]


def export_root() -> Path:
    """Root folder of the directory-export channel; one sub-folder per destination id."""
    configured = getattr(settings, "AMTSWEG_DELIVERY_EXPORT_ROOT", None) or os.environ.get(
        "AMTSWEG_DELIVERY_EXPORT_ROOT"
    )
    return Path(configured) if configured else Path(settings.VAR_DIR) / "export"
