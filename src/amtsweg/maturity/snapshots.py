"""The daily history: one row per Kommune and day, copied from the current summaries (set-based)."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from amtsweg.core.tenancy import require_actor
from amtsweg.maturity.models import Area, AreaSnapshot, AreaSummary


def take(*, actor, day=None) -> int:
    """Store today's (or `day`'s) counts of every Kommune; a second run on the same day replaces the first."""
    require_actor(actor)
    day = day or timezone.localdate()
    q = connection.ops.quote_name
    snapshot, summary, area = (q(m._meta.db_table) for m in (AreaSnapshot, AreaSummary, Area))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {snapshot} WHERE day = %s", [day])  # noqa: S608 - identifiers
        cursor.execute(
            f"INSERT INTO {snapshot} (day, area_id, land_code, relevant, levels_v2, levels_v11, "  # noqa: S608
            f"compliant_share) SELECT %s, s.area_id, a.land_code, s.relevant, s.levels_v2, s.levels_v11, "
            f"s.compliant_share FROM {summary} s JOIN {area} a ON a.id = s.area_id", [day])
        return cursor.rowcount
