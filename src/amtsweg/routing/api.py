"""Routing API compatible with FIT-Connect's Routingdienst API 2.0 (`/routing-api/v2/routes`, `/areas`, `/info`).

Same parameter names (`leikaKey`, `ars`, `ags`, `areaId`, `areaSearchexpression`, `offset`, `limit`; plus
our `postcode`), response fields and RFC 9457 problem documents (`amtsweg.core.problems`), so an existing
FIT-Connect routing client works when pointed at Amtsweg. Every route carries `destinationParameters`
(public encryption key set, `encryptionKid`, submission URL, channels, status, metadata versions) and
`destinationSignature`, a compact JWS (PS512) by the platform key whose payload holds the destination id and exactly
these parameters; the key is published at `/routing-api/v2/.well-known/jwks.json`.

Read-only, no login, rate-limited per client IP (fixed window in the Django cache; 429 with a problem
document and the RateLimit-* headers the spec names).
"""

from __future__ import annotations

import json
import os
import re
import time
from abc import ABCMeta, abstractmethod
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from amtsweg.core import keyformats, platform_keys
from amtsweg.core.clientip import client_ip
from amtsweg.core.jwk import JWKSSerializer
from amtsweg.core.problems import Problem, ProblemSerializer
from amtsweg.core.text import fold
from amtsweg.routing import resolution
from amtsweg.routing.services import current_signature, destination_parameters

PROBLEM_BASE = "/routing-api/v2/problems/"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
AREA_ID_RE = re.compile(r"[0-9]{1,12}")  # FIT-Connect: ^\d{1,}; Amtsweg's area ids are ARS
SEARCH_RE = re.compile(r"^(\*?([^*]{2,})\*?)*$")


def rate_limit_per_minute() -> int:
    return int(getattr(settings, "ROUTING_API_RATE_LIMIT", os.environ.get("ROUTING_API_RATE_LIMIT", 600)))


# --- Problems and rate limiting ----------------------------------------------------------------------


def json_response(body: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    """Plain Django response: the hot path skips DRF's negotiation and rendering (same JSON)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(text.encode(), status=status, content_type=content_type)


class RoutingProblem(Problem):
    """A problem of the Routing API; its types lie under the API's own problem URI (FIT-Connect's scheme)."""

    type_base = PROBLEM_BASE


class MissingParameter(RoutingProblem):
    slug, title = "missing-parameter", "Missing parameter"


class InvalidParameter(RoutingProblem):
    slug, title = "invalid-parameter", "Invalid parameter"


class InvalidAreaParameter(RoutingProblem):
    slug, title = "invalid-area-parameter", "Invalid area parameter"


class TooManyRequests(RoutingProblem):
    status, slug, title = 429, "too-many-requests", "Too many requests"


def check_rate_limit(request) -> tuple[bool, dict[str, str]]:
    """Fixed one-minute window per client IP (`core.clientip`). Returns (allowed, RateLimit-* headers)."""
    limit = rate_limit_per_minute()
    now = time.time()
    window = int(now // 60)
    key = f"routing-api:rl:{client_ip(request)}:{window}"
    try:
        used = cache.incr(key)
    except ValueError:  # first request in this window
        used = 1 if cache.add(key, 1, timeout=70) else cache.incr(key)
    reset = int(60 - (now % 60)) or 60
    headers = {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, limit - used)),
        "RateLimit-Reset": str(reset),
    }
    return used <= limit, headers


class RoutingAPIView(APIView, metaclass=ABCMeta):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    problem_type_base = PROBLEM_BASE  # DRF's own errors (405 …) as routing problems (amtsweg.core.problems)

    def dispatch(self, request, *args, **kwargs):
        allowed, headers = check_rate_limit(request)
        if not allowed:
            response = TooManyRequests(
                _("Es wurden zu viele Anfragen im Zeitfenster gestellt. Bitte nach %(s)s Sekunden "
                  "erneut versuchen.") % {"s": headers["RateLimit-Reset"]}
            ).response(request.path)
            response["Retry-After"] = headers["RateLimit-Reset"]
        elif request.method in ("GET", "HEAD"):
            # Read-only, no authentication: answer directly (DRF still describes `get` in the OpenAPI document).
            try:
                response = self.respond(request)
            except Problem as exc:
                response = exc.response(request.path)
        else:
            response = super().dispatch(request, *args, **kwargs)
        for name, value in headers.items():
            response[name] = value
        return response

    @abstractmethod
    def respond(self, request) -> HttpResponse:
        """The answer to a GET/HEAD (no authentication, rate limit already checked)."""

    def get(self, request):
        return self.respond(request)


# --- Serializers (the OpenAPI document and the output) -------------------------------------------------


class DestinationParametersSerializer(serializers.Serializer):
    encryptionKid = serializers.CharField(required=False)
    publicKeys = JWKSSerializer()
    metadataVersions = serializers.ListField(child=serializers.CharField())
    submissionSchemas = serializers.ListField(child=serializers.DictField())
    submissionUrl = serializers.URLField()
    replyChannels = serializers.DictField()
    deliveryChannels = serializers.ListField(child=serializers.ChoiceField(["pull", "callback", "email"]))
    status = serializers.ChoiceField(["created", "active", "inactive", "decommissioned"])


class ContactPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    tel = serializers.CharField(required=False)
    email = serializers.EmailField(required=False)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(required=False)
    houseNumber = serializers.CharField(required=False)
    zip = serializers.CharField(required=False)
    city = serializers.CharField(required=False)


class AreaSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Regionalschlüssel (ARS) des Gebietes")
    name = serializers.CharField()
    type = serializers.CharField()


# The part of a route that depends only on the destination and the responsible Authority (cached).
class RouteDocumentSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField()
    destinationSignature = serializers.CharField(
        help_text="JWS (PS512, Plattformschlüssel) mit destinationId und destinationParameters im Payload"
    )
    destinationName = serializers.CharField()
    destinationShortName = serializers.CharField()
    contactPersons = ContactPersonSerializer(many=True)
    contactFormUrl = serializers.URLField(required=False)
    address = AddressSerializer()
    destinationParameters = DestinationParametersSerializer()
    origin = serializers.CharField()


class RouteSerializer(RouteDocumentSerializer):
    responsibilityArea = AreaSerializer(help_text="Gebiet des Zuständigkeitseintrags, der gegriffen hat")
    areas = AreaSerializer(many=True, required=False, help_text="Bei Suche per Postleitzahl: betroffene Gemeinden")


class RouteResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()
    routes = RouteSerializer(many=True)
    detail = serializers.CharField(required=False, help_text="Hinweis, wenn keine Route gefunden wurde")


class AreaResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()
    areas = AreaSerializer(many=True)


RATE_LIMIT_RESPONSE = OpenApiResponse(ProblemSerializer, description="Zu viele Anfragen (RateLimit-* beachten)")
PAGINATION = [
    OpenApiParameter("offset", OpenApiTypes.INT, description="Startposition (Standard 0)"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Anzahl (1–500, Standard 100)"),
]


# --- Rendering routes -------------------------------------------------------------------------------


def _split_street(street: str) -> tuple[str, str]:
    match = re.match(r"^(.*?)\s+(\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$", street.strip())
    if match:
        return match.group(1), match.group(2)
    return street.strip(), ""


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


def _pagination(request) -> tuple[int, int]:
    try:
        offset = int(request.GET.get("offset", 0))
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise InvalidParameter(_("offset und limit müssen ganze Zahlen sein.")) from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(_("offset muss ≥ 0 und limit zwischen 1 und 500 sein."))
    return offset, limit


def _page(items: list, offset: int, limit: int, name: str, **extra) -> dict:
    page = items[offset:offset + limit]
    return {"count": len(page), "offset": offset, "totalCount": len(items), name: page, **extra}


# --- Views ------------------------------------------------------------------------------------------


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
        offset, limit = _pagination(request)
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
        body = _page(routes, offset, limit, "routes")
        if not routes:
            body["detail"] = str(result.message)
        return json_response(body)


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
        expressions = [e.strip() for e in request.GET.getlist("areaSearchexpression") if e.strip()]
        if not expressions:
            raise MissingParameter(_("Mindestens ein areaSearchexpression ist erforderlich."))
        if len(expressions) > 10 or not all(SEARCH_RE.fullmatch(e) for e in expressions):
            raise InvalidParameter(_("Bis zu 10 Suchbegriffe mit je mindestens 2 Zeichen außer *."))
        offset, limit = _pagination(request)
        index = resolution.get_index()
        matchers = [_expression_matcher(e) for e in expressions]
        found = [
            {"id": e[0], "name": e[1], "type": e[2]}
            for e in _area_entries(index)
            if all(match(e) for match in matchers)
        ]
        return json_response(AreaResultSerializer(_page(found, offset, limit, "areas")).data)


class InfoView(RoutingAPIView):
    @extend_schema(operation_id="get-info", tags=["Technisch"], summary="Version der Routing-API",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return self.respond(request)

    def respond(self, request):
        return json_response({"version": {"major": 2, "minor": 0, "patch": 0}})


class JWKSView(RoutingAPIView):
    @extend_schema(operation_id="routing-jwks", tags=["Technisch"],
                   summary="Öffentliche Schlüssel der Plattform (prüfen destinationSignature)",
                   responses={200: JWKSSerializer})
    def get(self, request):
        return self.respond(request)

    def respond(self, request):
        response = json_response(JWKSSerializer(platform_keys.public_jwks()).data,
                                 content_type="application/jwk-set+json")
        response["Cache-Control"] = "public, max-age=300"
        return response
