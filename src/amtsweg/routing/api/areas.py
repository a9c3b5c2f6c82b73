"""`/routing-api/v2/areas`: Länder, Kreise, Gemeindeverbände and Gemeinden by name or postcode."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from amtsweg.core import keyformats
from amtsweg.core.problems import ProblemSerializer
from amtsweg.core.text import fold
from amtsweg.routing import resolution
from amtsweg.routing.api.base import (
    PAGINATION,
    InvalidParameter,
    MissingParameter,
    RoutingAPIView,
    json_response,
    page,
    pagination,
)
from amtsweg.routing.api.serializers import RATE_LIMIT_RESPONSE, AreaResultSerializer

SEARCH_RE = re.compile(r"^(\*?([^*]{2,})\*?)*$")


AREA_TYPES = {
    keyformats.ArsLevel.LAND: "Bundesland",
    keyformats.ArsLevel.REGIERUNGSBEZIRK: "Regierungsbezirk",
    keyformats.ArsLevel.KREIS: "Kreis",
    keyformats.ArsLevel.GEMEINDEVERBAND: "Gemeindeverband",
    keyformats.ArsLevel.GEMEINDE: "Gemeinde",
}


def area_type(ars: str) -> str:
    """The area's `type` in the API (German, untranslated: part of the interface)."""
    return AREA_TYPES.get(keyformats.ars_level(ars), "Gebiet")


def _area_entries(index) -> list[tuple[str, str, str, str, frozenset]]:
    """(id, name, type, folded name, postcodes) for every Land, Kreis, Verband and Gemeinde; cached per index."""
    cached = index.routes.get(("areas",))
    if cached is not None:
        return cached
    postcodes_by_ars: dict[str, set[str]] = {}
    for postcode, entries in index.postcodes.items():
        for ars, *_rest in entries:
            postcodes_by_ars.setdefault(ars, set()).add(postcode)
    per_district: dict[str, int] = {}
    for ars in index.municipality_names:
        district = ars[:keyformats.ArsLevel.KREIS]
        per_district[district] = per_district.get(district, 0) + 1
    entries = []
    for ars, name in index.area_names.items():
        kind = area_type(ars)
        if keyformats.ars_level(ars) is keyformats.ArsLevel.KREIS and per_district.get(ars) == 1:
            kind = "Kreisfreie Stadt"
        entries.append((ars, name, kind, fold(name), frozenset(postcodes_by_ars.get(ars, ()))))
    entries.sort(key=lambda e: (len(e[0]), e[1]))
    index.routes[("areas",)] = entries
    return entries


def _expression_matcher(expression: str):
    if keyformats.is_postcode(expression):
        return lambda entry: expression in entry[4]
    if expression.isascii() and expression.isdigit():
        return lambda entry: entry[0].startswith(expression)
    folded = fold(expression)
    pattern = r"\b" + re.escape(folded).replace(r"\*", r"\S*")
    if not folded.endswith("*"):
        pattern += r"\b"
    regex = re.compile(pattern)
    return lambda entry: regex.search(entry[3]) is not None


class AreasView(RoutingAPIView):
    @extend_schema(
        operation_id="area",
        tags=["Area"],
        summary="Gebiete suchen",
        description=(
            "Sucht Gebiete (Bundesländer, Kreise, Gemeindeverbände, Gemeinden) nach Name oder Postleitzahl. "
            "Mehrere Suchbegriffe müssen alle passen; `*` ist ein Platzhalter (z. B. `Saarbr*`). Die `id` eines "
            "Gebiets ist sein Regionalschlüssel und kann als `areaId` an /routes übergeben werden."
        ),
        parameters=[
            OpenApiParameter("areaSearchexpression", OpenApiTypes.STR, many=True, required=True, explode=True,
                             description="Suchbegriff(e): Name (mit * als Platzhalter) oder Postleitzahl"),
            *PAGINATION,
        ],
        responses={200: AreaResultSerializer, 400: ProblemSerializer, 429: RATE_LIMIT_RESPONSE},
    )
    def get(self, request):
        return self.respond(request)

    def respond(self, request):
        given = request.GET.getlist("areaSearchexpression")
        expressions = [e.strip() for e in given if e.strip()]
        if not expressions:
            raise MissingParameter(_("Mindestens ein areaSearchexpression ist erforderlich."))
        # maxItems counts every given value, empty ones too (the spec's pattern allows "" as an item).
        if len(given) > 10 or not all(SEARCH_RE.fullmatch(e) for e in expressions):
            raise InvalidParameter(_("Bis zu 10 Suchbegriffe mit je mindestens 2 Zeichen außer *."))
        offset, limit = pagination(request)
        index = resolution.get_index()
        matchers = [_expression_matcher(e) for e in expressions]
        found = [
            {"id": e[0], "name": e[1], "type": e[2]}
            for e in _area_entries(index)
            if all(match(e) for match in matchers)
        ]
        return json_response(AreaResultSerializer(page(found, offset, limit, "areas")).data)
