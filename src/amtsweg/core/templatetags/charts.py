"""Template filters for the chart includes in `core/charts/` (see `amtsweg.core.charts`)."""

from __future__ import annotations

from django import template

from amtsweg.core import charts

register = template.Library()


@register.filter
def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0…1 as localised percent text (`|percent:1` for one decimal); `None` is "–"."""
    return charts.percent(share, int(decimals))
