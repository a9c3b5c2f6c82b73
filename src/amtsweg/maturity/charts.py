"""The maturity pages' charts: the query results of `queries` turned into `core.charts` geometry.

Labels of the stages live here, once, so the Kommune page, the Land page and the open-data page name the
stages alike. Reifegradmodell 1.1 stage names as published by the Bund
(https://www.digitale-verwaltung.de/Webs/DV/DE/onlinezugangsgesetz/ozg-grundlagen/info-reifegradmodell/
info-reifegradmodell-node.html): 0 Offline, 1 Information, 2 Formular-Assistent, 3 Online-Leistung
(OZG-konform), 4 Online-Transaktion (Once-Only). Reifegradmodell 2.0 (July 2025) numbers its stages 0–7;
the pages name them by number with the stage's area (0–3 online application service, 4–6 process and data
inside the administration, 7 end-to-end digital).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from amtsweg.core import charts


def labels_v11() -> list[str]:
    return [_("Stufe 0: Offline"), _("Stufe 1: Information"), _("Stufe 2: Formular-Assistent"),
            _("Stufe 3: Online-Leistung (OZG-konform)"), _("Stufe 4: Online-Transaktion (Once-Only)")]


def labels_v2() -> list[str]:
    return [_("Stufe %(stage)s") % {"stage": stage} for stage in range(8)]


def level_label_v11(level: int) -> str:
    return labels_v11()[level]


def levels_by_group(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[int]]], *,
                    model: str = "v11") -> charts.BarChart:
    """Stacked bars of the share of services per stage, one bar per row (total, Themenfeld, Lebenslage)."""
    categories = labels_v11() if model == "v11" else labels_v2()
    padded = [(label, list(counts) + [0] * (len(categories) - len(counts))) for label, counts in rows]
    return charts.stacked_bars(chart_id, title, categories, padded)


def history(chart_id: str, title: str, points: Sequence[dict]) -> charts.LineChart:
    """Per day the share of relevant services at 1.1 stage ≥ 3 (OZG-konform) and ≥ 2 (online), and 2.0 ≥ 4.

    Shares, not counts, so a day with more relevant services (a new catalogue) does not look like progress.
    """
    days: list[dt.date] = [p["day"] for p in points]

    def share(point: dict, key: str, minimum: int) -> float | None:
        relevant = point.get("relevant") or 0
        if not relevant:
            return None
        return sum(point[key][minimum:]) / relevant

    return charts.line_chart(chart_id, title, days, [
        (_("OZG-konform (1.1 ab Stufe 3)"), [share(p, "levels_v11", 3) for p in points]),
        (_("online beantragbar (1.1 ab Stufe 2)"), [share(p, "levels_v11", 2) for p in points]),
        (_("digital bearbeitet (2.0 ab Stufe 4)"), [share(p, "levels_v2", 4) for p in points]),
    ])


def heat_by_district(table_id: str, caption: str, rows: Sequence[dict]) -> charts.HeatTable:
    """Adoption per Kreis: share of (Kommune × service) cells online, OZG-konform, and digital inside."""
    built = []
    for row in rows:
        relevant = row.get("relevant") or 0
        v11, v2 = row["levels_v11"], row["levels_v2"]
        built.append(charts.HeatRowInput(
            label=row["district_name"] or row["district_code"],
            values=[(sum(v11[2:]), relevant), (sum(v11[3:]), relevant), (sum(v2[4:]), relevant)]))
    return charts.heat_table(table_id, caption, _("Kreis"),
                             [_("online beantragbar (1.1 ab Stufe 2)"), _("OZG-konform (1.1 ab Stufe 3)"),
                              _("digital bearbeitet (2.0 ab Stufe 4)")], built)
