"""geo's contribution to the readiness probe `/readyz` (`amtsweg.core.health`)."""

from __future__ import annotations

from amtsweg.core.health import readiness_check
from amtsweg.geo.models import Municipality


@readiness_check("reference_data")
def reference_data_loaded() -> bool:
    """Without Gemeinden (`amtsweg import-reference`) no responsibility can be found, so the instance
    must not take traffic yet."""
    return Municipality.objects.exists()
