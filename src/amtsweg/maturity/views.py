"""Pages of the maturity measurement: the Kommune's "Wie digital ist unsere Kommune?", the Land's overview
with exports, and the public open-data page per Land. Thin: the figures come from `queries`, the chart
geometry from `charts`; tenancy is decided here (the query functions trust their caller, see
MATURITY_API.md): staff see their own Authority's area only, Land operators their own Land only, and the
public page shows nothing but aggregates per Kommune."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsweg.accounts.access import land_operator_required, staff_required
from amtsweg.catalogue.models import OzgService
from amtsweg.core import csvexport, tenancy
from amtsweg.geo.models import Land

from . import charts, queries, services
from .forms import DeclareForm
from .models import Area, AreaSnapshot, Cell, DeclaredService


def _own_area(request) -> Area:
    """The staff member's own Kommune as measured; 404 for accounts without one (a superuser, a Land office)."""
    if not tenancy.is_kommune_member(request.user):
        raise Http404
    area = queries.area_for(request.user.authority)
    if area is None:
        raise Http404
    return area


def _action_link(cell) -> dict | None:
    """The cell's action (take over an offer, switch the destination, enable payment) with its URL."""
    action = cell.action
    if not action:
        return None
    try:
        url = reverse(action["url_name"], args=action.get("args") or (), kwargs=action.get("kwargs") or {})
    except NoReverseMatch:
        return {"label": action["label"], "url": ""}
    return {"label": action["label"], "url": url}


def _area_history(area: Area) -> list[dict]:
    return [{"day": s.day, "levels_v11": s.levels_v11, "levels_v2": s.levels_v2, "relevant": s.relevant}
            for s in AreaSnapshot.objects.filter(area=area).order_by("day")]


def _unmeasurable() -> list[dict]:
    """The criteria the platform cannot measure, with why (stated on every maturity page, never guessed)."""
    return [dict(c, model=model) for model, criteria in queries.criteria_catalogue().items() for c in criteria
            if not c.get("measurable")]


def _size_classes() -> list[str]:
    """Every size class with its population range, as the page states them."""
    return [_("Klasse %(number)s: %(range)s") % {"number": number, "range": label}
            for number, _lower, label in queries.SIZE_CLASSES]


def _method() -> dict:
    """What the method section of every maturity page states: measured from what, relevance, weights, and
    what is not measurable (never guessed)."""
    return {"measured": queries.MEASURED, "relevance": queries.RELEVANCE, "weights": queries.WEIGHTS,
            "unmeasurable": _unmeasurable()}


@staff_required
def kommune(request):
    """"Wie digital ist unsere Kommune?" — for the staff of that Kommune; a Land operator goes to the Land's."""
    if tenancy.is_land_operator(request.user):
        return redirect("maturity:land")
    area = _own_area(request)
    overview = queries.kommune_overview(area)
    # Only the online cells are explained in full: explaining all ~460 relevant services cost 0.4 s a page.
    total_weight = Cell.objects.filter(area=area).aggregate(total=Sum("weight"))["total"] or 1.0
    online_ids = list(Cell.objects.filter(area=area, level_v11__gte=2).values_list("service_id", flat=True))
    online = queries.cells(area, service_ids=online_ids) if online_ids else []
    gaps = [(cell, _action_link(cell), cell.weight / total_weight) for cell in queries.gaps(area, limit=20)]
    by_topic = [(row["topic"], row["levels_v11"]) for row in overview["by_topic"]]
    by_life = [(row["life_situation"], row["levels_v11"]) for row in overview["by_life_situation"]]
    return render(request, "maturity/kommune.html", {
        "area": area, "overview": overview, "gaps": gaps, "online": online,
        "population": formats.number_format(area.population, force_grouping=True),
        "peer": queries.peer_rank(area), "size_class_labels": _size_classes(),
        "konform_count": sum(overview["levels_v11"][3:]),
        "total_v11": charts.levels_by_group("chart-total-v11", _("Relevante Leistungen je Stufe (Reifegradmodell "
                                            "1.1)"), [(_("Alle relevanten Leistungen"), overview["levels_v11"])]),
        "total_v2": charts.levels_by_group("chart-total-v2", _("Relevante Leistungen je Stufe (Reifegradmodell "
                                           "2.0)"), [(_("Alle relevanten Leistungen"), overview["levels_v2"])],
                                           model="v2"),
        "topics": charts.levels_by_group("chart-topics", _("Leistungen je Stufe nach Themenfeld (Reifegradmodell "
                                         "1.1)"), by_topic),
        "life_situations": charts.levels_by_group("chart-life", _("Leistungen je Stufe nach Lebenslage "
                                                  "(Reifegradmodell 1.1)"), by_life),
        "history": charts.history("chart-history", _("Entwicklung über die Zeit"), _area_history(area)),
        "declared": DeclaredService.objects.visible_to(request.user).filter(authority=request.user.authority)
        .select_related("service"),
        **_method(),
        "can_declare": tenancy.can_act_for(request.user, request.user.authority),
    })


@staff_required
def service_detail(request, service_id: int):
    """One relevant service of the own Kommune: every criterion of both models, why the level is what it is."""
    area = _own_area(request)
    service = get_object_or_404(OzgService, pk=service_id)
    cell = queries.cell(area, service)
    if cell is None:  # not a service this Kommune is measured on
        raise Http404
    return render(request, "maturity/service.html", {
        "area": area, "cell": cell, "action": _action_link(cell),
        "models": [(_("Reifegradmodell 1.1"), cell.criteria_v11, cell.reasons_v11),
                   (_("Reifegradmodell 2.0"), cell.criteria_v2, cell.reasons_v2)]})


@staff_required
def declare(request):
    """Declare a service offered outside Amtsweg (shown as "erklärt", never mixed with "gemessen")."""
    _own_area(request)
    authority = request.user.authority
    if not tenancy.can_act_for(request.user, authority):
        raise Http404
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.declare(request.user, authority, data["service"], url=data["url"], declared_on=data["declared_on"],
                         level_v2=data["level_v2"], level_v11=data["level_v11"], evidence=data["evidence"])
        messages.success(request, _("„%(service)s“ ist als erklärter Online-Dienst eingetragen.")
                         % {"service": data["service"].name})
        return redirect(reverse("maturity:kommune") + "#erklaert")
    return render(request, "maturity/declare.html", {"form": form})


@staff_required
@require_POST
def withdraw(request, pk: int):
    declared = get_object_or_404(DeclaredService.objects.editable_by(request.user).select_related("service"), pk=pk)
    name = declared.service.name
    services.withdraw(request.user, declared)
    messages.success(request, _("Die Erklärung zu „%(service)s“ ist zurückgezogen.") % {"service": name})
    return redirect(reverse("maturity:kommune") + "#erklaert")


def _land_of(request) -> Land:
    return get_object_or_404(Land, code=request.user.authority.land_code)


@land_operator_required
def land(request):
    """The Land operator's overview of its own Land: adoption per Kreis, levels over time, the best offers."""
    land = _land_of(request)
    heat = queries.land_heat(land.code)
    return render(request, "maturity/land.html", {
        "land": land,
        "heat": charts.heat_by_district("heat-districts", _("Verbreitung je Kreis (Anteil der Leistungen aller "
                                        "Kommunen des Kreises)"), heat),
        "history": charts.history("chart-land-history", _("Entwicklung im Land über die Zeit"),
                                  queries.land_history(land.code)),
        "offers": queries.top_offers(land.code, limit=10),
        **_method(),
    })


def _export_rows(land_code: str) -> tuple[list[str], list[list]]:
    header = ["ars", "name", "art", "einwohner", "groessenklasse", "relevante_leistungen"] \
        + [f"stufe_1_1_{n}" for n in range(5)] + [f"stufe_2_0_{n}" for n in range(8)] + ["anteil_ozg_konform"]
    rows = []
    for area in queries.public_land(land_code)["areas"]:
        rows.append([area["ars"], area["name"], area["kind"], area["population"], area["size_class"],
                     area["relevant"], *area["levels_v11"], *area["levels_v2"], round(area["compliant_share"], 4)])
    return header, rows


@land_operator_required
def land_csv(request):
    land = _land_of(request)
    header, rows = _export_rows(land.code)
    response = csvexport.response(f"reifegrad-{land.code}.csv")
    writer = csvexport.writer(response)  # names come from the reference data, but exports are defused alike
    writer.writerow(header)
    writer.writerows(rows)
    return response


@land_operator_required
def land_json(request):
    land = _land_of(request)
    body = {"land": {"code": land.code, "name": land.name}, "districts": queries.land_heat(land.code),
            "history": queries.land_history(land.code), "top_offers": queries.top_offers(land.code, limit=10),
            **{k: v for k, v in queries.public_land(land.code).items() if k != "land"}}
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reifegrad-{land.code}.json"'
    return response


def public_index(request):
    """Open data: the Länder with a link to each one's page and its API."""
    return render(request, "maturity/public_index.html", {"lands": Land.objects.order_by("code")})


def public_land(request, land_code: str):
    """Open data of one Land: aggregates per Kreis and the history; per Kommune through the API (CSV/JSON)."""
    land = get_object_or_404(Land, code=land_code)
    data = queries.public_land(land.code)
    heat = queries.land_heat(land.code)
    totals_v11, totals_v2 = [0] * 5, [0] * 8
    for row in data["areas"]:
        totals_v11 = [a + b for a, b in zip(totals_v11, row["levels_v11"], strict=True)]
        totals_v2 = [a + b for a, b in zip(totals_v2, row["levels_v2"], strict=True)]
    return render(request, "maturity/public_land.html", {
        "land": land, "data": data, "areas": len(data["areas"]),
        "total_v11": charts.levels_by_group("chart-public-v11", _("Leistungen aller Kommunen je Stufe "
                                            "(Reifegradmodell 1.1)"), [(land.name, totals_v11)]),
        "total_v2": charts.levels_by_group("chart-public-v2", _("Leistungen aller Kommunen je Stufe "
                                           "(Reifegradmodell 2.0)"), [(land.name, totals_v2)], model="v2"),
        "heat": charts.heat_by_district("heat-public", _("Verbreitung je Kreis"), heat),
        "history": charts.history("chart-public-history", _("Entwicklung über die Zeit"),
                                  queries.land_history(land.code)),
        **_method(),
    })
