"""geo's contribution to the readiness probe `/readyz` (`amtsweg.core.health`)."""

from __future__ import annotations

from amtsweg.core.health import readiness_check
from amtsweg.geo.models import Municipality

REFERENCE_DATA_CACHE_SECONDS = 30.0


@readiness_check("reference_data", cache_seconds=REFERENCE_DATA_CACHE_SECONDS)
def reference_data_loaded() -> bool:
    """Without Gemeinden (`amtsweg import-reference`) no responsibility can be found, so the instance
    must not take traffic yet. Once loaded they are not removed again: a pass counts for half a minute, one
    statement less per probe."""
    return Municipality.objects.exists()
