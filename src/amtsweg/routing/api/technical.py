"""`/routing-api/v2/info` and the platform's public keys that verify `destinationSignature`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from amtsweg.core import platform_keys
from amtsweg.core.jwk import JWKSSerializer
from amtsweg.routing.api.base import RoutingAPIView, json_response


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
