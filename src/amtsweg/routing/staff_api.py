"""Staff JSON API for a Kommune's own destinations (session login, tenant-scoped like the UI).

GET  /verwaltung/zustellpunkte/api/            the destinations the user may see
GET  /verwaltung/zustellpunkte/api/<id>/       one destination with its keys (public parts only)
PATCH /verwaltung/zustellpunkte/api/<id>/      change name, channels, callbackUrl, notificationEmail, status

Another Authority's destination is a 404, never a 403, so that ids of other tenants cannot be probed.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from amtsweg.routing import services
from amtsweg.routing.access import staff_api_allowed
from amtsweg.routing.models import Destination


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return staff_api_allowed(request.user)


def destination_document(destination: Destination) -> dict:
    key = destination.active_encryption_key()
    return {
        "destinationId": str(destination.pk),
        "authorityId": destination.authority_id,
        "name": destination.name,
        "status": destination.status,
        "channels": destination.channels,
        "callbackUrl": destination.callback_url,
        "notificationEmail": destination.notification_email,
        "encryptionKid": key.kid if key else None,
        "keys": [
            {"kid": k.kid, "purpose": k.purpose, "state": k.state, "jwk": k.jwk,
             "activatedAt": k.activated_at, "retiredAt": k.retired_at, "validUntil": k.valid_until}
            for k in destination.keys.order_by("purpose", "-activated_at")
        ],
    }


class StaffAPIView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]


class DestinationListAPI(StaffAPIView):
    @extend_schema(operation_id="staff_destination_list", tags=["Verwaltung"], summary="Eigene Zustellpunkte",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        destinations = Destination.objects.visible_to(request.user)
        return Response({"destinations": [destination_document(d) for d in destinations]})


FIELDS = {"name": "name", "channels": "channels", "callbackUrl": "callback_url",
          "notificationEmail": "notification_email", "status": "status"}


class DestinationDetailAPI(StaffAPIView):
    def _get(self, request, pk) -> Destination:
        return get_object_or_404(Destination.objects.editable_by(request.user).select_related("authority"), pk=pk)

    @extend_schema(operation_id="staff_destination_retrieve", tags=["Verwaltung"], summary="Ein Zustellpunkt",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        return Response(destination_document(self._get(request, pk)))

    @extend_schema(operation_id="staff_destination_update", tags=["Verwaltung"], summary="Zustellpunkt ändern",
                   request=OpenApiTypes.OBJECT,
                   responses={200: OpenApiTypes.OBJECT})
    def patch(self, request, pk):
        destination = self._get(request, pk)
        data = request.data if isinstance(request.data, dict) else {}
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            return Response({"title": "Nicht änderbar", "status": 400, "detail": ", ".join(unknown)}, status=400,
                            content_type="application/problem+json")
        try:
            services.update_destination(destination, user=request.user,
                                        **{FIELDS[k]: v for k, v in data.items()})
        except services.RoutingError as exc:
            return Response({"title": "Ungültige Änderung", "status": 400, "detail": str(exc)}, status=400,
                            content_type="application/problem+json")
        return Response(destination_document(destination))
