"""The Routing API's frame: problem types, the per-IP rate limit, the view base class, paging."""

from __future__ import annotations

import json
import time
from abc import ABCMeta, abstractmethod
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from amtsweg.core import parsers
from amtsweg.core.clientip import client_ip
from amtsweg.core.problems import Problem, instance_uri

PROBLEM_BASE = "/routing-api/v2/problems/"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
PAGINATION = [
    OpenApiParameter("offset", OpenApiTypes.INT, description="Startposition (Standard 0)"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Anzahl (1–500, Standard 100)"),
]


def rate_limit_per_minute() -> int:
    return int(settings.ROUTING_API_RATE_LIMIT)


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
            ).response(instance_uri(request))
            response["Retry-After"] = headers["RateLimit-Reset"]
        elif request.method in ("GET", "HEAD"):
            # Read-only, no authentication: answer directly (DRF still describes `get` in the OpenAPI document).
            try:
                response = self.respond(request)
            except Problem as exc:
                response = exc.response(instance_uri(request))
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


def pagination(request) -> tuple[int, int]:
    """(offset, limit) from the query; InvalidParameter outside 0… and 1–500."""
    try:  # integers as the spec declares them (int32, no "+5" or "1_0"): core.parsers.query_int
        offset = parsers.query_int(request.GET.get("offset", "0"), minimum=0)
        limit = parsers.query_int(request.GET.get("limit", str(DEFAULT_LIMIT)), minimum=-(2**31))
    except ValueError:
        raise InvalidParameter(_("offset und limit müssen ganze Zahlen sein.")) from None
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(_("offset muss ≥ 0 und limit zwischen 1 und 500 sein."))
    return offset, limit


def page(items: list, offset: int, limit: int, name: str, **extra) -> dict:
    """One page of `items` in the API's envelope (count, offset, totalCount and the items under `name`)."""
    chunk = items[offset:offset + limit]
    return {"count": len(chunk), "offset": offset, "totalCount": len(items), name: chunk, **extra}
