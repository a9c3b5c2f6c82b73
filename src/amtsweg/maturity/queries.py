"""Read-side of the maturity measurement: what the pages, charts and the open-data API show.

No tenancy here: these functions take an `Area` or a Land code, and the view decides first whether the user
may see it (staff: their own Authority's area; Land operators: their Land; the public functions return
aggregates per Kommune only, no personal data). Every figure is "gemessen" (from `Cell`); declared services
come alongside as "erklärt" and never enter a count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.maturity import criteria
from amtsweg.maturity.compute import LEIKA_TYPE_SOURCE, SIZE_CLASSES
from amtsweg.maturity.models import Area, AreaSnapshot, AreaSummary, Cell, DeclaredService, RecomputeRun

MEASURED = _("Gemessen aus Plattformfakten: Zuständigkeit, Online-Antrag (zustellbarer Zustellpunkt der zuständigen "
            "Stelle und veröffentlichtes Formular – auch über die Landes- oder Kreisstelle), Formular mit Uploads, "
            "Online-Bezahlung bei Gebühren, in den letzten 90 Tagen eingegangene und angenommene Anträge, "
            "elektronisch zugestellte Bescheide, für Antragstellende sichtbarer Status, digital abgeschlossene "
            "Vorgänge.")
RELEVANCE = _("Relevant sind die OZG-Leistungen mit mindestens einer LeiKa-Leistung, die Kommunen vollziehen "
             "(LeiKa-Typ 2/3, 3, 4, 5; Typ 1 vollzieht der Bund). Die Typisierung unterscheidet nicht zwischen "
             "Gemeinde, Verband und Kreis: jede Kommune wird an allen kommunal vollzogenen Leistungen gemessen, "
             "für ihre Einwohner durch die zuständige Stelle (auch den Kreis).")
WEIGHTS = _("Gewicht einer Lücke = Einwohnerzahl der Kommune × Nachfragefaktor der Leistung (Summe der kommunal "
           "vollzogenen LeiKa-Leistungen, Typ 4 halb, weil auch das Land vollziehen kann): ein Ersatz für die "
           "Nachfrage, die für noch nicht digitale Leistungen niemand misst.")


#: How the level of the responsible office is named ("online über … (Landesebene)"), by its area key's length.
LEVEL_LABELS = {2: _("Landesebene"), 3: _("Regierungsbezirk"), 5: _("Kreisebene"), 9: _("Gemeindeverband"),
                12: _("Gemeinde")}


def size_class_label(number: int) -> str:
    return next((str(label) for n, _lower, label in SIZE_CLASSES if n == number), "")


def area_for(authority) -> Area | None:
    """The Area an Authority serves (its `area_ars`), or None for a Land office."""
    if authority is None or len(authority.area_ars) == 2:
        return None
    return Area.objects.filter(ars=authority.area_ars).first()


def _area_dict(area: Area) -> dict:
    return {"ars": area.ars, "name": area.name, "kind": area.kind, "population": area.population,
            "size_class": area.size_class, "size_class_label": size_class_label(area.size_class),
            "land_code": area.land_code}


def _declared_dict(d: DeclaredService) -> dict:
    return {"kind": "erklärt", "service_id": d.service_id, "url": d.url, "declared_on": d.declared_on,
            "level_v2": d.level_v2, "level_v11": d.level_v11, "evidence": d.evidence}


@dataclass
class CellView:
    """One measured cell with its explanation; `declared` sits beside it and never changes a level."""

    service_id: int
    ozg_id: int
    service_name: str
    topic: str
    life_situation: str
    level_v2: int
    level_v11: int
    weight: float
    authority_id: int | None
    authority_name: str
    facts: list[str]
    criteria_v2: list[dict]
    criteria_v11: list[dict]
    reasons_v2: list[str]
    reasons_v11: list[str]
    unmeasurable: list[str]
    action: dict | None
    declared: dict | None = None
    # Another office serves the Kommune (the Land's or the Kreis's, through its wider responsibility), and how
    # citizens reach it: "online über … (Landesebene)" when they can apply online there, else "".
    served_by_other: bool = False
    access: str = ""
    kind: str = field(default="gemessen")

    @property
    def compliant(self) -> bool:
        """OZG-konform: Reifegrad 1.1 stage 3 or higher."""
        return self.level_v11 >= 3

    def as_dict(self) -> dict:
        data = asdict(self)
        data["compliant"] = self.compliant
        return data


def _access(row: dict, area_ars: str) -> tuple[bool, str]:
    """(served by another office, "online über <office> (<level>)" when it takes online applications)."""
    office_area = row["authority__area_ars"] or ""
    if row["authority_id"] is None or office_area == area_ars:
        return False, ""
    if not row["facts"] & criteria.Fact.LIVE:
        return True, ""
    level = LEVEL_LABELS.get(len(office_area), "")
    return True, str(_("online über %(office)s (%(level)s)") % {"office": row["authority__name"], "level": level})


def _cell_view(row: dict, declared: dict[int, DeclaredService], area_ars: str) -> CellView:
    facts = row["facts"]
    v2 = criteria.verdicts("2.0", facts)
    v11 = criteria.verdicts("1.1", facts)
    served_by_other, access = _access(row, area_ars)
    action = criteria.next_action(facts, served_by_other=served_by_other)
    unmeasurable = [v.reason for v in v11 + v2 if v.status is criteria.Status.NOT_MEASURABLE]
    d = declared.get(row["service_id"])
    return CellView(
        service_id=row["service_id"], ozg_id=row["service__ozg_id"], service_name=row["service__name"],
        topic=row["service__topic__name"], life_situation=row["service__life_situation__name"],
        level_v2=row["level_v2"], level_v11=row["level_v11"], weight=row["weight"],
        authority_id=row["authority_id"], authority_name=row["authority__name"] or "",
        facts=criteria.fact_codes(facts),
        criteria_v2=[v.as_dict() for v in v2], criteria_v11=[v.as_dict() for v in v11],
        reasons_v2=criteria.reasons("2.0", facts), reasons_v11=criteria.reasons("1.1", facts),
        unmeasurable=list(dict.fromkeys(unmeasurable)),
        action=action.as_dict() if action else None,
        declared=_declared_dict(d) if d else None, served_by_other=served_by_other, access=access)


CELL_FIELDS = ("service_id", "service__ozg_id", "service__name", "service__topic__name",
               "service__life_situation__name", "level_v2", "level_v11", "weight", "facts", "authority_id",
               "authority__name", "authority__area_ars")


def _declared_for(area: Area) -> dict[int, DeclaredService]:
    return {d.service_id: d for d in DeclaredService.objects.filter(authority__area_ars=area.ars)}


def cells(area: Area, *, service_ids: list[int] | None = None) -> list[CellView]:
    """Every relevant service of the Area with its levels, reasons and action, by name."""
    qs = Cell.objects.filter(area=area)
    if service_ids is not None:
        qs = qs.filter(service_id__in=service_ids)
    declared = _declared_for(area)
    return [_cell_view(row, declared, area.ars) for row in qs.order_by("service__name").values(*CELL_FIELDS)]


def cell(area: Area, service) -> CellView | None:
    service_id = getattr(service, "pk", service)
    found = cells(area, service_ids=[service_id])
    return found[0] if found else None


def gaps(area: Area, limit: int = 20) -> list[CellView]:
    """The cells below OZG-konform (1.1 stage 3), heaviest first (weight, then the lower level first)."""
    declared = _declared_for(area)
    rows = (Cell.objects.filter(area=area, level_v11__lt=3).order_by("-weight", "level_v11", "service_id")
            .values(*CELL_FIELDS)[:limit])
    return [_cell_view(row, declared, area.ars) for row in rows]


def _levels(rows, key: str, size: int) -> list[int]:
    counts = [0] * size
    for row in rows:
        counts[row[key]] += row["n"]
    return counts


def _grouped(area: Area) -> tuple[list[dict], list[dict]]:
    """Counts per level by Themenfeld and by Lebenslage, from one grouped query over the Area's cells."""
    topics: dict[str, dict] = {}
    situations: dict[str, dict] = {}
    rows = (Cell.objects.filter(area=area)
            .values(topic=F("service__topic__name"), situation=F("service__life_situation__name"),
                    v11=F("level_v11"), v2=F("level_v2"))
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        for groups, label, name, extra in ((topics, "topic", row["topic"], {}),
                                           (situations, "life_situation", row["situation"],
                                            {"topic": row["topic"]})):
            group = groups.setdefault(name, {label: name, **extra, "relevant": 0, "levels_v11": [0] * 5,
                                             "levels_v2": [0] * 8})
            group["relevant"] += row["n"]
            group["levels_v11"][row["v11"]] += row["n"]
            group["levels_v2"][row["v2"]] += row["n"]
    return (sorted(topics.values(), key=lambda g: g["topic"]),
            sorted(situations.values(), key=lambda g: g["life_situation"]))


def kommune_overview(area: Area) -> dict:
    """"Wie digital ist unsere Kommune?": shares per level, by Themenfeld and Lebenslage, and declared services."""
    summary = AreaSummary.objects.filter(area=area).first()
    by_topic, by_life_situation = _grouped(area)
    return {
        "area": _area_dict(area),
        "computed_at": summary.computed_at if summary else None,
        "relevant": summary.relevant if summary else 0,
        "levels_v2": summary.levels_v2 if summary else [0] * 8,
        "levels_v11": summary.levels_v11 if summary else [0] * 5,
        "compliant_share": summary.compliant_share if summary else 0.0,
        "by_topic": by_topic,
        "by_life_situation": by_life_situation,
        "declared": [_declared_dict(d) for d in _declared_for(area).values()],
        "measured": str(MEASURED), "relevance": str(RELEVANCE), "relevance_source": LEIKA_TYPE_SOURCE,
        "weights": str(WEIGHTS),
    }


def _standing(peers, own: float) -> dict:
    """Percentile (share of peers at or below `own`, 0..100, higher is better), rank (1 = best) and peer count,
    counted in the database."""
    counts = peers.aggregate(total=Count("pk"), at_or_below=Count("pk", filter=Q(compliant_share__lte=own)),
                             better=Count("pk", filter=Q(compliant_share__gt=own)))
    total = counts["total"] or 0
    return {"percentile": round(100.0 * counts["at_or_below"] / total, 1) if total else 0.0,
            "rank": (counts["better"] or 0) + 1 if total else 0, "peers": total}


def peer_rank(area: Area) -> dict:
    """Rank by OZG-konform share (weighted) among Kommunen of the same kind and size class: in the Land and
    nationally (percentile: share of peers at or below this Kommune; higher is better)."""
    own = AreaSummary.objects.filter(area=area).values_list("compliant_share", flat=True).first() or 0.0
    peers = AreaSummary.objects.filter(area__kind=area.kind, area__size_class=area.size_class)
    return {"kind": area.kind, "size_class": area.size_class, "size_class_label": size_class_label(area.size_class),
            "value": own, "land": _standing(peers.filter(area__land_code=area.land_code), own),
            "national": _standing(peers, own)}


def _sum_levels(target: list[int], levels: list[int]) -> None:
    for i, n in enumerate(levels or []):
        if i < len(target):
            target[i] += n


def land_heat(land_code: str) -> list[dict]:
    """Adoption per Kreis: the Gemeinden of each Kreis summed (one row per Kreis, for the heat table)."""
    rows: dict[str, dict] = {}
    names = dict(Area.objects.filter(land_code=land_code, kind=Area.Kind.KREIS).values_list("district_code", "name"))
    summaries = AreaSummary.objects.filter(area__land_code=land_code, area__kind=Area.Kind.GEMEINDE).values(
        "area__district_code", "area__population", "relevant", "levels_v2", "levels_v11", "compliant_share")
    for s in summaries:
        code = s["area__district_code"]
        row = rows.setdefault(code, {"district_code": code, "district_name": names.get(code, code), "areas": 0,
                                     "relevant": 0, "levels_v11": [0] * 5, "levels_v2": [0] * 8,
                                     "_weighted": 0.0, "_population": 0})
        row["areas"] += 1
        row["relevant"] += s["relevant"]
        _sum_levels(row["levels_v11"], s["levels_v11"])
        _sum_levels(row["levels_v2"], s["levels_v2"])
        row["_weighted"] += s["compliant_share"] * (s["area__population"] or 0)
        row["_population"] += s["area__population"] or 0
    result = []
    for row in sorted(rows.values(), key=lambda r: r["district_code"]):
        population = row.pop("_population")
        weighted = row.pop("_weighted")
        row["compliant_share"] = weighted / population if population else 0.0
        result.append(row)
    return result


def land_history(land_code: str, days: int = 365) -> list[dict]:
    """Levels over time in a Land: the daily snapshots of its Gemeinden summed per day."""
    since = timezone.localdate() - timedelta(days=days)
    per_day: dict[date, dict] = {}
    for s in AreaSnapshot.objects.filter(land_code=land_code, day__gte=since, area__kind=Area.Kind.GEMEINDE).values(
            "day", "relevant", "levels_v2", "levels_v11").order_by("day"):
        row = per_day.setdefault(s["day"], {"day": s["day"], "relevant": 0, "levels_v11": [0] * 5,
                                            "levels_v2": [0] * 8})
        row["relevant"] += s["relevant"]
        _sum_levels(row["levels_v11"], s["levels_v11"])
        _sum_levels(row["levels_v2"], s["levels_v2"])
    return list(per_day.values())


def top_offers(land_code: str, limit: int = 10) -> list[dict]:
    """The Land's available offers that would raise most Kommunen: per offer, the Gemeinden of the Land whose cell
    for a service of the offer has no online application yet (1.1 stage < 2), and their summed weight.

    The weight (demand factor × inhabitants) is a proxy with no unit of its own, so readers get it as
    `demand_share`: the part of the Land's whole estimated municipal demand that the offer would bring online."""
    from amtsweg.shop.models import Offer

    offers = Offer.objects.filter(land_code=land_code, status__in=[Offer.Status.AVAILABLE, Offer.Status.PILOT])
    land_weight = Cell.objects.filter(area__land_code=land_code, area__kind=Area.Kind.GEMEINDE).aggregate(
        total=Sum("weight"))["total"] or 0.0
    result = []
    for offer in offers.prefetch_related("public_services__ozg_services"):
        service_ids = {s.pk for ps in offer.public_services.all() for s in ps.ozg_services.all()}
        if not service_ids:
            continue
        agg = (Cell.objects.filter(area__land_code=land_code, area__kind=Area.Kind.GEMEINDE,
                                   service_id__in=service_ids, level_v11__lt=2)
               .aggregate(kommunen=Count("area_id", distinct=True), weight=Sum("weight")))
        weight = agg["weight"] or 0.0
        result.append({"offer_slug": offer.slug, "offer_name": offer.name, "kommunen_raised": agg["kommunen"] or 0,
                       "weight": weight, "demand_share": weight / land_weight if land_weight else None})
    result.sort(key=lambda r: (-r["weight"], r["offer_slug"]))
    return result[:limit]


def public_land(land_code: str) -> dict:
    """Open data per Land: every Kommune's counts per level (aggregates; no personal data)."""
    run = RecomputeRun.objects.filter(finished_at__isnull=False).first()
    areas = [{"ars": s["area__ars"], "name": s["area__name"], "kind": s["area__kind"],
              "population": s["area__population"], "size_class": s["area__size_class"], "relevant": s["relevant"],
              "levels_v2": s["levels_v2"], "levels_v11": s["levels_v11"],
              "compliant_share": round(s["compliant_share"], 4)}
             for s in AreaSummary.objects.filter(area__land_code=land_code).order_by("area__ars").values(
                 "area__ars", "area__name", "area__kind", "area__population", "area__size_class", "relevant",
                 "levels_v2", "levels_v11", "compliant_share")]
    catalogue = criteria.catalogue()
    return {"land": land_code, "computed_at": run.finished_at if run else None, "areas": areas,
            "measured": str(MEASURED), "relevance": str(RELEVANCE), "relevance_source": LEIKA_TYPE_SOURCE,
            "weights": str(WEIGHTS), "not_measurable": [c["name"] + ": " + c["not_measurable_because"]
                               for model in catalogue.values() for c in model if not c["measurable"]]}


def criteria_catalogue() -> dict:
    return criteria.catalogue()
