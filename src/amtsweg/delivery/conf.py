"""Delivery settings, from Django settings (which read the `AMTSWEG_DELIVERY_*` environment variables, so
worker processes started outside the test process — fault tests, benchmarks — get them too)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def value(name: str) -> float:
    """A numeric delivery setting `AMTSWEG_DELIVERY_<NAME>`; defaults and meanings in amtsweg.environment."""
    return float(getattr(settings, f"AMTSWEG_DELIVERY_{name}"))


def export_root() -> Path:
    """Root folder of the directory-export channel; one sub-folder per destination id."""
    configured = getattr(settings, "AMTSWEG_DELIVERY_EXPORT_ROOT", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "export"
