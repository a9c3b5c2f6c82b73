"""`/routing-api/v2/routes`: the responsible destination for a LeiKa key and a place, as signed routes.

Route documents are rendered once per destination and responsible Authority (`RouteDocumentSerializer`)
and cached with the lookup structures (`resolution.get_index`); a request only adds the area that matched.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from amtsweg.core import keyformats
from amtsweg.core.problems import ProblemSerializer
from amtsweg.routing import resolution
from amtsweg.routing.api.areas import area_type
from amtsweg.routing.api.base import (
    PAGINATION,
    InvalidAreaParameter,
    InvalidParameter,
    MissingParameter,
    RoutingAPIView,
    json_response,
    page,
    pagination,
)
from amtsweg.routing.api.serializers import (
    RATE_LIMIT_RESPONSE,
    AreaSerializer,
    RouteDocumentSerializer,
    RouteResultSerializer,
)
from amtsweg.routing.services import current_signature, destination_parameters

AREA_ID_RE = re.compile(r"[0-9]{1,12}")  # FIT-Connect: ^\d{1,}; Amtsweg's area ids are ARS


def _split_street(street: str) -> tuple[str, str]:
    match = re.match(r"^(.*?)\s+(\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$", street.strip())
    if match:
        return match.group(1), match.group(2)
    return street.strip(), ""


def area_dict(index, ars: str) -> dict:
    """One area as the API shows it (`AreaSerializer`), cached with the lookup structures."""
    cache_key = ("area", ars)
    area = index.routes.get(cache_key)
    if area is None:
        area = index.routes[cache_key] = dict(AreaSerializer(
            {"id": ars, "name": index.area_names.get(ars, ars), "type": area_type(ars)}).data)
    return area


def render_route(index, destination_id, authority_id: int | None = None) -> dict | None:
    """The route document of one destination for the responsible Authority (by default the destination's own;
    a Land's central destination may serve a Kommune, whose name and contact the route then carries), as
    `RouteDocumentSerializer` renders it, cached with the lookup structures it was built from."""
    cache_key = (destination_id, authority_id, settings.PUBLIC_BASE_URL)
    route = index.routes.get(cache_key)
    if route is not None:
        return route
    destination = index.destinations.get(destination_id)
    if destination is None:
        return None
    authority = index.authorities.get(authority_id) or destination.authority
    key = index.active_keys.get(destination_id)
    params = destination_parameters(destination, key)
    contact = {"name": authority.name}
    if authority.phone:
        contact["tel"] = authority.phone
    if authority.email:
        contact["email"] = authority.email
    street, number = _split_street(authority.street)
    address = {k: v for k, v in (("street", street), ("houseNumber", number), ("zip", authority.postcode),
                                 ("city", authority.city)) if v}
    route = {
        "destinationId": str(destination.pk),
        "destinationSignature": current_signature(destination, params),
        "destinationName": authority.name,
        "destinationShortName": destination.name,
        "contactPersons": [contact],
        "address": address,
        "destinationParameters": params,
        "origin": "Amtsweg",
    }
    if authority.website.startswith("https://"):
        route["contactFormUrl"] = authority.website
    route = index.routes[cache_key] = dict(RouteDocumentSerializer(route).data)
    return route


def _route_for(index, target, areas: list[dict] | None = None) -> dict | None:
    """One route (`RouteSerializer`): the cached document of its destination plus the area that matched."""
    base = render_route(index, target.destination_id, target.authority_id)
    if base is None:
        return None
    route = {**base, "responsibilityArea": area_dict(index, target.area_ars)}
    if areas is not None:
        route["areas"] = areas
    return route


def warm_routes(index) -> None:
    """Render every destination's route document ahead of the first request (e.g. in a server's master
    process before it forks workers)."""
    for destination_id, destination in index.destinations.items():
        render_route(index, destination_id, destination.authority_id)


class RoutesView(RoutingAPIView):
    @extend_schema(
        operation_id="route",
        tags=["Routing"],
        summary="Zuständigkeit und Zustellpunkt ermitteln",
        description=(
            "Ermittelt die Routinginformationen zu einem Leistungsschlüssel und genau einer Ortsangabe "
            "(`ars`, `ags`, `areaId` oder – Erweiterung von Amtsweg – `postcode`). Der spezifischste "
            "Zuständigkeitseintrag gewinnt (Gemeinde vor Verband vor Kreis vor Land). Eine Postleitzahl, die "
            "mehrere Gemeinden umfasst, liefert je Zustellpunkt eine Route mit den betroffenen Gemeinden in "
            "`areas`. Keine Zuständigkeit: 200 mit leerer Liste und `detail`."
        ),
        parameters=[
            OpenApiParameter("leikaKey", OpenApiTypes.STR, required=True, pattern=keyformats.LEIKA_KEY_PATTERN,
                             description="Leistungsschlüssel (LeiKa)"),
            OpenApiParameter("ars", OpenApiTypes.STR, pattern=keyformats.ARS_PATTERN,
                             description="Amtlicher Regionalschlüssel"),
            OpenApiParameter("ags", OpenApiTypes.STR, pattern=keyformats.AGS_PATTERN,
                             description="Amtlicher Gemeindeschlüssel"),
            OpenApiParameter("areaId", OpenApiTypes.STR, pattern=r"^\d{1,}",
                             description="Id eines Gebiets aus /areas (bei Amtsweg: der ARS)"),
            OpenApiParameter("postcode", OpenApiTypes.STR, pattern=keyformats.POSTCODE_PATTERN,
                             description="Postleitzahl (Amtsweg)"),
            *PAGINATION,
        ],
        responses={
            200: RouteResultSerializer,
            400: OpenApiResponse(ProblemSerializer, description="Ungültige Anfrage (application/problem+json)"),
            429: RATE_LIMIT_RESPONSE,
        },
    )
    def get(self, request):
        return self.respond(request)

    def respond(self, request):
        params = request.GET
        leika_key = params.get("leikaKey", "")
        if not leika_key:
            raise MissingParameter(_("Der Parameter leikaKey ist erforderlich."))
        if not keyformats.is_leika_key(leika_key):
            raise InvalidParameter(_("leikaKey muss 14 Ziffern haben und mit 99 beginnen."))
        areas = {name: params.get(name, "") for name in ("ars", "ags", "areaId", "postcode") if params.get(name)}
        if len(areas) != 1:
            raise InvalidAreaParameter(
                _("Es muss genau einer der Parameter ars, ags, areaId oder postcode gesetzt sein."))
        offset, limit = pagination(request)
        (name, value), = areas.items()
        checks = {"ars": keyformats.is_ars, "ags": keyformats.is_ags, "areaId": AREA_ID_RE.fullmatch,
                  "postcode": keyformats.is_postcode}
        if not checks[name](value):
            raise InvalidParameter(_("Der Parameter %(name)s hat kein gültiges Format.") % {"name": name})
        if name == "areaId":
            if not keyformats.is_ars(value):
                raise InvalidParameter(_("areaId muss eine Gebiets-Id aus /areas sein (Regionalschlüssel)."))
            name = "ars"
        result = resolution.resolve(leika_key, **{name: value})
        index = resolution.get_index()
        routes: list[dict] = []
        if result.found and result.destination is not None:
            target = resolution.Target(result.responsibility_id, result.area_ars,
                                       result.authority.pk if result.authority else None, result.destination.pk)
            areas = [area_dict(index, c.ars) for c in result.candidates] if result.candidates else None
            route = _route_for(index, target, areas)
            routes = [route] if route else []
        elif result.ambiguous:
            grouped: dict[int, tuple[Any, list[dict]]] = {}
            for candidate in result.candidates:
                target = resolution._lookup(index, leika_key, candidate.ars)
                if target is not None:
                    grouped.setdefault(target.responsibility_id, (target, []))[1].append(
                        area_dict(index, candidate.ars))
            ordered = sorted(grouped.values(), key=lambda item: item[1][0]["name"])
            routes = [r for t, a in ordered if (r := _route_for(index, t, a))]
        # The envelope around the cached, serializer-rendered routes (RouteResultSerializer's shape): the
        # routes are not rendered again per request, the hot path of the API.
        body = page(routes, offset, limit, "routes")
        if not routes:
            body["detail"] = str(result.message)
        return json_response(body)
