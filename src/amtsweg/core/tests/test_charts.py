"""The chart module draws the numbers it is given, accessibly: role="img" with title and desc, a data table
beside every chart, and heat cells that carry their share as text (never colour alone)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from amtsweg.core import charts


class _Tree(HTMLParser):
    """Start tags with their attributes, and the text inside <title>, <desc>, <td>, <th>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag):
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data):
        if self._open and data.strip():
            self.texts.setdefault(self._open[-1], []).append(data.strip())

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    return tree


@pytest.fixture(autouse=True)
def german():
    with translation.override("de"):
        yield


def test_stacked_bars_split_each_row_by_its_counts():
    chart = charts.stacked_bars("levels", "Leistungen je Stufe", ["Stufe 0", "Stufe 1", "Stufe 2", "Stufe 3"],
                                [("Gesamt", [2, 0, 1, 1]), ("Familie", [0, 0, 0, 0])])
    total, family = chart.rows
    assert [s.count for s in total.segments] == [2, 0, 1, 1]
    assert [s.share for s in total.segments] == [0.5, 0.0, 0.25, 0.25]
    assert [s.width for s in total.segments] == [260.0, 0.0, 130.0, 130.0]  # of 520 units
    assert [s.x for s in total.segments] == [220.0, 480.0, 480.0, 610.0]  # each starts where the last ended
    assert family.total == 0 and all(s.width == 0 for s in family.segments)
    assert "Gesamt: am häufigsten Stufe 0 (50\u00a0%)" in chart.description
    assert len({fill for _label, fill in chart.categories}) == 4  # one colour per stage


def test_stacked_bars_refuse_rows_that_do_not_fit_the_categories():
    with pytest.raises(ValueError):
        charts.stacked_bars("x", "x", ["a", "b"], [("row", [1])])


def test_bar_chart_svg_is_an_image_with_title_desc_and_a_data_table():
    chart = charts.stacked_bars("levels", "Leistungen je Stufe", ["Stufe 0", "Stufe 3"], [("Gesamt", [1, 3])])
    tree = _parse(render_to_string("core/charts/bars.html", {"chart": chart}))
    (svg,) = tree.find("svg", role="img")
    assert svg["aria-labelledby"] == "levels-title levels-desc"
    assert tree.find("title", id="levels-title") and tree.find("desc", id="levels-desc")
    assert "Leistungen je Stufe" in tree.texts["title"]
    assert "Leistungen je Stufe" in tree.texts["strong"]  # and visible above the chart (figcaption)
    assert {a["data-count"] for a in tree.find("rect") if "data-count" in a} == {"1", "3"}
    assert tree.find("details") and tree.find("table")
    assert "1 (25\u00a0%)" in tree.texts["td"] and "3 (75\u00a0%)" in tree.texts["td"]
    assert tree.find("th", scope="row") and tree.find("th", scope="col")
    # the legend's swatches are decoration, hidden from assistive technology
    assert all(a.get("aria-hidden") == "true" for a in tree.find("svg") if a.get("role") != "img")


def test_line_chart_places_points_on_the_percent_axis_and_tables_every_day():
    days = [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]
    chart = charts.line_chart("trend", "OZG-konform über die Zeit", days,
                              [("OZG-konform", [0.0, 0.5, 1.0]), ("Stufe 0", [1.0, None, 0.0])])
    konform, zero = chart.series
    assert [p.y for p in konform.points] == [232.0, 122.0, 12.0]  # bottom, middle, top of the plot
    assert [p.x for p in konform.points] == [56.0, 366.0, 676.0]
    assert zero.polyline == "56.0,12.0 676.0,232.0"  # the day without a value is left out
    assert konform.dash != zero.dash  # series differ in more than colour
    assert chart.table_rows[1] == (days[1], ["50\u00a0%", "–"])
    assert "OZG-konform: von 0\u00a0% (01.11.2026) auf 100\u00a0% (03.11.2026)" in chart.description
    tree = _parse(render_to_string("core/charts/line.html", {"chart": chart}))
    (svg,) = tree.find("svg", role="img")
    assert svg["aria-labelledby"] == "trend-title trend-desc"
    assert len(tree.find("circle")) == 5
    assert len(tree.find("tr")) == 4  # header + one row per day


def test_line_chart_with_counts_scales_to_the_largest_value():
    chart = charts.line_chart("n", "Anzahl", [dt.date(2026, 1, 1), dt.date(2026, 1, 2)], [("n", [5, 10])],
                              as_percent=False)
    assert [p.y for p in chart.series[0].points] == [122.0, 12.0]
    assert chart.y_ticks[-1].label == "10"


def test_empty_line_chart_says_so():
    chart = charts.line_chart("empty", "Verlauf", [], [])
    assert chart.description == "Noch keine Messungen."
    assert "Noch keine Messungen." in render_to_string("core/charts/line.html", {"chart": chart})


def test_heat_table_cells_carry_share_as_text_and_a_step():
    heat = charts.heat_table("kreise", "Verbreitung je Kreis", "Kreis", ["OZG-konform", "online"],
                             [("Kreis A", [(1, 4), (4, 4)]), charts.HeatRowInput("Kreis B", [(0, 3), None], "/b/")])
    a, b = heat.rows
    assert [c.text for c in a.cells] == ["25\u00a0%", "100\u00a0%"]
    assert [c.step for c in a.cells] == [1, 4]
    assert [c.detail for c in a.cells] == ["1 von 4", "4 von 4"]
    assert b.cells[0].css_class == "heat-0" and b.cells[1].css_class == "heat-none"
    assert b.cells[1].text == "–" and b.url == "/b/"
    tree = _parse(render_to_string("core/charts/heat.html", {"heat": heat}))
    assert tree.find("caption") and tree.find("a", href="/b/")
    cells = [a["class"] for a in tree.find("td")]
    assert "kern-table__cell heat__cell heat-1" in cells
    assert "25\u00a0%" in tree.texts["strong"]


@pytest.mark.parametrize(("share", "step"), [(0.0, 0), (0.199, 0), (0.2, 1), (0.5, 2), (0.79, 3), (0.8, 4), (1.0, 4)])
def test_heat_steps_are_equal_fifths(share, step):
    assert charts.heat_step(share) == step


def test_percent_is_localised():
    assert charts.percent(0.125, 1) == "12,5\u00a0%"
    assert charts.percent(None) == "–"
    with translation.override("en"):
        assert charts.percent(0.125, 1) == "12.5\u00a0%"


@pytest.mark.parametrize("count", [1, 2, 5, 8])
def test_level_colours_start_grey_and_are_distinct(count):
    colours = charts.level_colours(count)
    assert len(colours) == count and len(set(colours)) == count and colours[0] == charts.PALETTE[0]
