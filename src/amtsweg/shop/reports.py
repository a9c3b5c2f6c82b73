"""Reports for the Land: cost shares per year, rollout over time and by Kreis, CSV/PDF exports."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext as _

from amtsweg.core import csvexport
from amtsweg.geo.models import District, Municipality, is_unincorporated_ars

from .costs import Participant, Share, compute_shares, months_connected
from .models import Offer, Subscription


@dataclass(frozen=True)
class CostLine:
    offer: Offer
    authority_name: str
    authority_id: int
    share: Share


def authority_population(authority) -> int | None:
    """Population of the authority's area from the reference data; None when unknown.

    A Kreis or Land office counts the Gemeinden of its area; a Gemeinde without a population figure
    (e.g. merged after the Destatis extract) has no known population.
    """
    if authority.municipality_id:
        return authority.municipality.population
    total = Municipality.objects.current().filter(ars__startswith=authority.area_ars, is_city_district=False
                                                  ).aggregate(s=Sum("population"))["s"]
    return total or None


def cost_shares(offer: Offer, year: int) -> list[CostLine]:
    subs = list(
        Subscription.objects.filter(offer=offer, live_since__isnull=False)
        .select_related("authority__municipality")
        .order_by("authority__name")
    )
    participants = []
    names = {}
    for sub in subs:
        months = months_connected(year, sub.live_since, sub.ends_on)
        if months == 0:
            continue
        key = str(sub.pk)
        names[key] = sub
        participants.append(Participant(key, months, authority_population(sub.authority)))
    shares = compute_shares(offer.cost_sharing, participants, annual_cost_cents=offer.annual_cost_cents,
                            fixed_fee_cents=offer.fixed_fee_cents)
    return [CostLine(offer, names[s.key].authority.name, names[s.key].authority_id, s) for s in shares]


@dataclass(frozen=True)
class ShareEstimate:
    """What a Kommune would pay for an offer in a full year if it took it over today (issue 16, item 9).

    The Land's rule applied to today's participants plus this Kommune, all counted with twelve months: the
    figure the agreement's § "Kosten" means, before the Kommune accepts it. The real share is computed per
    year by `cost_shares` (months connected, every participant of that year), so it changes when Kommunen
    join or leave.
    """

    model: str
    annual_cost_cents: int
    fixed_fee_cents: int
    cents: int  # this Kommune's expected annual share
    participants: int  # including this Kommune
    population: int | None  # this Kommune's population as weighted (population model only)
    population_estimated: bool
    total_population: int | None  # all participants' weighted population (population model only)


def expected_share(offer: Offer, authority, day: date) -> ShareEstimate:
    """The annual share `authority` would pay for `offer` if it joined the Kommunen live on `day`."""
    live = (Subscription.objects.filter(offer=offer).live_on(day).exclude(authority=authority)
            .select_related("authority__municipality"))
    participants = [Participant(str(sub.authority_id), 12, authority_population(sub.authority)) for sub in live]
    own_key = str(authority.pk)
    participants.append(Participant(own_key, 12, authority_population(authority)))
    shares = compute_shares(offer.cost_sharing, participants, annual_cost_cents=offer.annual_cost_cents,
                            fixed_fee_cents=offer.fixed_fee_cents)
    own = next(s for s in shares if s.key == own_key)
    population_model = offer.cost_sharing == Offer.Sharing.POPULATION
    return ShareEstimate(
        model=offer.cost_sharing, annual_cost_cents=offer.annual_cost_cents, fixed_fee_cents=offer.fixed_fee_cents,
        cents=own.cents, participants=len(participants),
        population=own.population_used if population_model else None,
        population_estimated=own.population_estimated,
        total_population=sum(s.population_used or 0 for s in shares) if population_model else None,
    )


def cost_report(land_code: str, year: int) -> list[CostLine]:
    lines: list[CostLine] = []
    for offer in Offer.objects.filter(land_code=land_code).order_by("name"):
        lines.extend(cost_shares(offer, year))
    return lines


def euros(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def cost_report_csv(lines: list[CostLine], year: int) -> str:
    out = io.StringIO()
    writer = csvexport.writer(out)  # offer and authority names are typed by people: no formulas
    writer.writerow([_("Jahr"), _("Angebot"), _("Kostenmodell"), _("Behörde"), _("Monate"), _("Einwohner"),
                     _("Einwohner geschätzt"), _("Anteil (EUR)")])
    for line in lines:
        writer.writerow([year, line.offer.name, line.offer.get_cost_sharing_display(), line.authority_name,
                         line.share.months, line.share.population_used or "",
                         _("ja") if line.share.population_estimated else "", euros(line.share.cents)])
    return out.getvalue()


def cost_report_pdf(lines: list[CostLine], year: int, land_name: str) -> bytes:
    from fpdf import FPDF

    from amtsweg.core.pdf import unicode_font

    pdf = FPDF(orientation="L")
    family = unicode_font(pdf)
    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.cell(0, 10, _("Kostenverteilung %(year)s – %(land)s") % {"year": year, "land": land_name},
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    with pdf.table(col_widths=(60, 30, 80, 15, 25, 30), text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT",
                                                                       "RIGHT")) as table:
        table.row([_("Angebot"), _("Kostenmodell"), _("Behörde"), _("Monate"), _("Einwohner"), _("Anteil (EUR)")])
        for line in lines:
            if line.share.population_estimated:
                pop = _("unbekannt (Median %(median)s angesetzt) *") % {"median": line.share.population_used}
            else:
                pop = "" if line.share.population_used is None else str(line.share.population_used)
            table.row([line.offer.name, line.offer.get_cost_sharing_display(), line.authority_name,
                       str(line.share.months), pop, euros(line.share.cents)])
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.offer.name] = totals.get(line.offer.name, 0) + line.share.cents
    pdf.ln(4)
    for name, cents in totals.items():
        pdf.cell(0, 6, _("Summe %(offer)s: %(sum)s EUR") % {"offer": name, "sum": euros(cents)},
                 new_x="LMARGIN", new_y="NEXT")
    if any(line.share.population_estimated for line in lines):  # the footnote only where a row has its marker
        pdf.cell(0, 6, _("* Einwohnerzahl unbekannt: Median der übrigen Teilnehmenden verwendet."),
                 new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass(frozen=True)
class RolloutRow:
    label: str
    covered: int
    total: int


def rollout_by_district(offer: Offer, day: date) -> list[RolloutRow]:
    """Share of the Land's Gemeinden covered by a live subscription, per Kreis."""
    live = Subscription.objects.filter(offer=offer).live_on(day).select_related("authority")
    prefixes = [s.authority.area_ars for s in live]
    rows = []
    for district in District.objects.current().filter(land__code=offer.land_code).order_by("name"):
        gemeinden = [ars for ars in Municipality.objects.current().filter(district=district, is_city_district=False)
                     .values_list("ars", flat=True) if not is_unincorporated_ars(ars)]
        covered = sum(1 for ars in gemeinden if any(ars.startswith(p) for p in prefixes))
        rows.append(RolloutRow(district.name, covered, len(gemeinden)))
    return rows


def unincorporated_count(land_code: str) -> int:
    """The Land's gemeindefreie Gebiete, left out of the Gemeinden counted by `rollout_by_district`."""
    return sum(1 for ars in Municipality.objects.current().filter(land__code=land_code).values_list("ars", flat=True)
               if is_unincorporated_ars(ars))


def rollout_over_time(offer: Offer, today: date, months: int = 12) -> list[RolloutRow]:
    """Number of live subscriptions at the end of each of the last `months` months."""
    subs = list(Subscription.objects.filter(offer=offer, live_since__isnull=False))
    rows = []
    year, month = today.year, today.month
    points = []
    for _i in range(months):
        points.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    for y, m in reversed(points):
        # the last day of month m
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        last = date.fromordinal(nxt.toordinal() - 1)
        day = min(last, today)
        rows.append(RolloutRow(f"{m:02d}/{y}", sum(1 for s in subs if s.is_live_on(day)), len(subs)))
    return rows


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int


def bar_chart(rows: list[RolloutRow], *, relative_to_total: bool, row_height: int = 12, max_width: int = 400
              ) -> tuple[list[Bar], int]:
    """Geometry for a horizontal bar chart (server-rendered SVG, with a data table beside it)."""
    scale = max([1] + [r.total if relative_to_total else r.covered for r in rows])
    bars = []
    for i, r in enumerate(rows):
        denominator = (r.total or 1) if relative_to_total else scale
        width = round(max_width * r.covered / denominator)
        text = f"{r.covered} / {r.total}" if relative_to_total else str(r.covered)
        bars.append(Bar(r.label, text, i * row_height, width))
    return bars, max(row_height, len(rows) * row_height)
