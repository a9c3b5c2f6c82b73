"""Server-rendered charts as accessible SVG, each with its numbers as a table beside it.

The maturity pages (issue 17) show shares and trends to people who may use a screen reader, a keyboard, a
phone or a printer, and our CSP allows no script: so the charts are plain SVG drawn by Django templates
from the geometry computed here, never by JavaScript. Every chart carries `role="img"` with a `<title>`
and `<desc>` (the accessible name and a one-sentence summary) and its numbers in a real table (inside a
`<details>` under the chart, `core/charts/*.html`), so nothing is said by colour or shape alone. The heat
table is a table from the start: each cell has its colour class *and* its percentage as text.

This module only computes (pure functions, no database, no request): the callers pass labels and counts
that they have already read through tenancy. Colours are fill attributes in the SVG and classes in
`core/charts.css` (the CSP forbids inline `style`). The palette is the sequential "viridis" scale, readable
for the common colour-vision deficiencies and in greyscale; dark cells get white text (contrast ≥ 4.5:1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _

# viridis, light to dark; index 0 (grey) is "not online / no value" in level charts.
PALETTE = ("#d5d9de", "#fde725", "#a0da39", "#4ac16d", "#1fa187", "#277f8e", "#365c8d", "#46327e", "#440154")
# fill colours at which the text on top must be white rather than black (contrast ≥ 4.5:1 either way)
DARK_FILLS = frozenset({"#277f8e", "#365c8d", "#46327e", "#440154"})
HEAT_STEPS = 5  # heat-0 … heat-4, see core/charts.css
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")  # line styles: series differ in more than colour


def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0…1 as localised percent text ("45 %", "12,5 %"); `None` is "–" (not measurable)."""
    if share is None:
        return "–"
    return formats.number_format(round(share * 100, decimals), decimal_pos=decimals) + "\u00a0%"


def level_colours(count: int) -> list[str]:
    """`count` fills for an ordered scale (stage 0 … count-1): grey for 0, then evenly along viridis."""
    if count <= 1:
        return list(PALETTE[:count])
    steps = len(PALETTE) - 2
    return [PALETTE[0]] + [PALETTE[1 + round(i * steps / max(count - 2, 1))] for i in range(count - 1)]


# --- stacked horizontal bars --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Segment:
    category: str
    count: int
    share: float
    x: float  # in viewBox units
    width: float
    fill: str
    text_fill: str
    show_text: bool  # wide enough to carry its percentage inside

    @property
    def text_x(self) -> float:
        return round(self.x + 4, 2)


@dataclasses.dataclass(frozen=True)
class BarRow:
    label: str
    total: int
    y: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.y + 17


@dataclasses.dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    categories: list[tuple[str, str]]  # (label, fill) in order: the legend
    rows: list[BarRow]
    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int

    @property
    def label_x(self) -> int:
        return self.label_width - 8

    @property
    def total_x(self) -> int:
        return self.label_width + self.bar_width + 6


BAR_WIDTH = 520
LABEL_WIDTH = 220
ROW_HEIGHT = 34
BAR_HEIGHT = 24


def stacked_bars(chart_id: str, title: str, categories: Sequence[str],
                 rows: Sequence[tuple[str, Sequence[int]]], description: str = "") -> BarChart:
    """Each row one bar of 100 %, split into `categories` by its counts (e.g. services per stage).

    A row without any count draws an empty bar (its table row says 0). The description, when not given,
    names the largest category of every row, so the chart's accessible name says the gist.
    """
    fills = level_colours(len(categories))
    built = []
    for index, (label, counts) in enumerate(rows):
        if len(counts) != len(categories):
            raise ValueError(f"row {label!r} has {len(counts)} counts for {len(categories)} categories")
        total = sum(counts)
        x = float(LABEL_WIDTH)
        segments = []
        for category, count, fill in zip(categories, counts, fills, strict=True):
            share = count / total if total else 0.0
            width = round(share * BAR_WIDTH, 2)
            segments.append(Segment(category=category, count=count, share=share, x=round(x, 2), width=width,
                                    fill=fill, text_fill="#ffffff" if fill in DARK_FILLS else "#1b1b1b",
                                    show_text=width >= 40))
            x += width
        built.append(BarRow(label=label, total=total, y=index * ROW_HEIGHT + 4, segments=segments))
    if not description:
        parts = []
        for row in built:
            biggest = max(row.segments, key=lambda s: s.count, default=None)
            if biggest is not None and row.total:
                parts.append(_("%(row)s: am häufigsten %(category)s (%(share)s)")
                             % {"row": row.label, "category": biggest.category, "share": percent(biggest.share)})
        description = "; ".join(parts) or _("Keine Daten.")
    return BarChart(chart_id=chart_id, title=title, description=description,
                    categories=list(zip(categories, fills, strict=True)), rows=built,
                    width=LABEL_WIDTH + BAR_WIDTH + 70, height=max(len(built), 1) * ROW_HEIGHT + 8,
                    label_width=LABEL_WIDTH, bar_width=BAR_WIDTH, bar_height=BAR_HEIGHT)


# --- lines over time ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LinePoint:
    day: dt.date
    value: float | None
    x: float
    y: float | None


@dataclasses.dataclass(frozen=True)
class LineSeries:
    name: str
    colour: str
    dash: str
    points: list[LinePoint]

    @property
    def polyline(self) -> str:
        """The SVG points of the measured days (a gap where a day has no value is bridged)."""
        return " ".join(f"{p.x},{p.y}" for p in self.points if p.y is not None)


@dataclasses.dataclass(frozen=True)
class Tick:
    label: str
    position: float


@dataclasses.dataclass(frozen=True)
class LineChart:
    chart_id: str
    title: str
    description: str
    days: list[dt.date]
    series: list[LineSeries]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    as_percent: bool

    @property
    def axis_label_x(self) -> int:
        return self.left - 6

    @property
    def right(self) -> int:
        return self.left + self.plot_width

    @property
    def x_label_y(self) -> int:
        return self.top + self.plot_height + 22

    @property
    def table_rows(self) -> list[tuple[dt.date, list[str]]]:
        """Per day the value of every series, formatted (the data table)."""
        rows = []
        for index, day in enumerate(self.days):
            rows.append((day, [self.format(s.points[index].value) for s in self.series]))
        return rows

    def format(self, value: float | None) -> str:
        return _format_value(value, self.as_percent)


def _format_value(value: float | None, as_percent: bool) -> str:
    if value is None:
        return "–"
    return percent(value) if as_percent else formats.number_format(round(value), decimal_pos=0)


PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT = 56, 12, 620, 220


def line_chart(chart_id: str, title: str, days: Sequence[dt.date],
               series: Sequence[tuple[str, Sequence[float | None]]], *, as_percent: bool = True,
               y_max: float | None = None, description: str = "") -> LineChart:
    """Series of values over days (e.g. the share of services per stage from the daily snapshots).

    `as_percent`: values are shares 0…1 and the axis runs to 100 %; otherwise to `y_max` or the largest
    value. Series differ in colour *and* dash pattern; the description states first and last value.
    """
    days = list(days)
    top = 1.0 if as_percent else (y_max or max((v for _n, vs in series for v in vs if v is not None), default=1) or 1)
    span = max(len(days) - 1, 1)
    colours = [PALETTE[i] for i in (6, 3, 8, 1, 4, 7)]
    built = []
    for index, (name, values) in enumerate(series):
        if len(values) != len(days):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(days)} days")
        points = []
        for position, (day, value) in enumerate(zip(days, values, strict=True)):
            x = round(PLOT_LEFT + (position / span if len(days) > 1 else 0.5) * PLOT_WIDTH, 2)
            y = None if value is None else round(PLOT_TOP + PLOT_HEIGHT - min(value / top, 1.0) * PLOT_HEIGHT, 2)
            points.append(LinePoint(day=day, value=value, x=x, y=y))
        built.append(LineSeries(name=name, colour=colours[index % len(colours)], dash=DASHES[index % len(DASHES)],
                                points=points))
    y_ticks = [Tick(label=percent(f) if as_percent else formats.number_format(round(top * f), decimal_pos=0),
                    position=round(PLOT_TOP + PLOT_HEIGHT - f * PLOT_HEIGHT, 2)) for f in (0, 0.25, 0.5, 0.75, 1)]
    x_ticks = []
    if days:
        every = max(1, (len(days) + 5) // 6)
        wanted = sorted({*range(0, len(days), every), len(days) - 1})
        for position in wanted:
            x = PLOT_LEFT + (position / span if len(days) > 1 else 0.5) * PLOT_WIDTH
            x_ticks.append(Tick(label=formats.date_format(days[position], "SHORT_DATE_FORMAT"), position=round(x, 2)))
    if not description:
        parts = []
        for line in built:
            measured = [p for p in line.points if p.value is not None]
            if measured:
                parts.append(_("%(name)s: von %(first)s (%(first_day)s) auf %(last)s (%(last_day)s)") % {
                    "name": line.name, "first": _format_value(measured[0].value, as_percent),
                    "first_day": formats.date_format(measured[0].day, "SHORT_DATE_FORMAT"),
                    "last": _format_value(measured[-1].value, as_percent),
                    "last_day": formats.date_format(measured[-1].day, "SHORT_DATE_FORMAT")})
        description = "; ".join(parts) or _("Noch keine Messungen.")
    return LineChart(chart_id=chart_id, title=title, description=description, days=days, series=built,
                     x_ticks=x_ticks, y_ticks=y_ticks, width=PLOT_LEFT + PLOT_WIDTH + 44,
                     height=PLOT_TOP + PLOT_HEIGHT + 34, left=PLOT_LEFT, top=PLOT_TOP, plot_width=PLOT_WIDTH,
                     plot_height=PLOT_HEIGHT, as_percent=as_percent)


# --- heat table ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HeatCell:
    share: float | None
    text: str  # what the cell says (always: colour is never the only carrier)
    detail: str  # e.g. "12 von 40", for the cell's second line
    step: int | None  # heat-0 … heat-4, None: no value

    @property
    def css_class(self) -> str:
        return "heat-none" if self.step is None else f"heat-{self.step}"


@dataclasses.dataclass(frozen=True)
class HeatRow:
    label: str
    cells: list[HeatCell]
    url: str = ""


@dataclasses.dataclass(frozen=True)
class HeatTable:
    table_id: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[HeatRow]
    legend: list[tuple[str, str]]  # (css class, range text)


@dataclasses.dataclass(frozen=True)
class HeatRowInput:
    """One row for `heat_table` with a link (e.g. to the Kreis's detail)."""

    label: str
    values: Sequence[tuple[int, int] | None]
    url: str = ""


def heat_step(share: float) -> int:
    """0…1 → 0…4 in equal fifths (1.0 is the top step, not a sixth)."""
    return min(int(share * HEAT_STEPS), HEAT_STEPS - 1)


def heat_table(table_id: str, caption: str, row_header: str, columns: Sequence[str],
               rows: Sequence[tuple[str, Sequence[tuple[int, int] | None]]] | Sequence[HeatRowInput]) -> HeatTable:
    """Rows × columns of (part, whole) pairs, shown as a coloured share with "part von whole" under it.

    `None` or a whole of 0 is "–" on a grey cell: nothing to measure there (not 0 %).
    """
    built = []
    for entry in rows:
        label, values, url = (entry.label, entry.values, entry.url) if isinstance(entry, HeatRowInput) \
            else (entry[0], entry[1], "")
        if len(values) != len(columns):
            raise ValueError(f"row {label!r} has {len(values)} values for {len(columns)} columns")
        cells = []
        for value in values:
            if value is None or not value[1]:
                cells.append(HeatCell(share=None, text="–", detail=_("nicht messbar"), step=None))
                continue
            part, whole = value
            share = part / whole
            cells.append(HeatCell(share=share, text=percent(share),
                                  detail=_("%(part)s von %(whole)s") % {"part": part, "whole": whole},
                                  step=heat_step(share)))
        built.append(HeatRow(label=label, cells=cells, url=url))
    legend = [(f"heat-{step}", f"{step * 20}–{(step + 1) * 20 - (0 if step == HEAT_STEPS - 1 else 1)}\u00a0%")
              for step in range(HEAT_STEPS)]
    legend.append(("heat-none", _("– nicht messbar")))
    return HeatTable(table_id=table_id, caption=caption, row_header=row_header, columns=list(columns),
                     rows=built, legend=legend)
