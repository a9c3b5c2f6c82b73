"""Staff JSON API for a Kommune's own destinations (session login, tenant-scoped like the UI).

GET  /verwaltung/zustellpunkte/api/            the destinations the user may see
GET  /verwaltung/zustellpunkte/api/<id>/       one destination with its keys (public parts only)
PATCH /verwaltung/zustellpunkte/api/<id>/      change name, channels, callbackUrl, notificationEmail, status

Another Authority's destination is a 404, never a 403, so that ids of other tenants cannot be probed.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from amtsweg.core.jwk import JWKSerializer
from amtsweg.core.problems import Problem
from amtsweg.routing import services
from amtsweg.routing.access import staff_api_allowed
from amtsweg.routing.models import Destination


class IsStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return staff_api_allowed(request.user)


# A destination key as staff see it: the public JWK and its life cycle (times in UTC).
class StaffKeySerializer(serializers.Serializer):
    kid = serializers.CharField()
    purpose = serializers.CharField()
    state = serializers.CharField()
    jwk = JWKSerializer()
    activatedAt = serializers.DateTimeField(source="activated_at", default_timezone=dt.UTC)  # noqa: N815
    retiredAt = serializers.DateTimeField(source="retired_at", default_timezone=dt.UTC)  # noqa: N815
    validUntil = serializers.DateTimeField(source="valid_until", default_timezone=dt.UTC)  # noqa: N815


class StaffDestinationSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="pk")  # noqa: N815
    authorityId = serializers.IntegerField(source="authority_id")  # noqa: N815
    name = serializers.CharField()
    status = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    callbackUrl = serializers.CharField(source="callback_url")  # noqa: N815
    notificationEmail = serializers.CharField(source="notification_email")  # noqa: N815
    encryptionKid = serializers.SerializerMethodField()  # noqa: N815
    keys = serializers.SerializerMethodField()

    def get_encryptionKid(self, destination: Destination) -> str | None:  # noqa: N802
        key = destination.active_encryption_key()
        return key.kid if key else None

    def get_keys(self, destination: Destination) -> list[dict]:
        return StaffKeySerializer(destination.keys.order_by("purpose", "-activated_at"), many=True).data


class StaffDestinationListSerializer(serializers.Serializer):
    destinations = StaffDestinationSerializer(many=True)


class InvalidChange(Problem):
    """A change the routing services refused (e.g. a callback address in a closed network)."""


class StaffAPIView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]


class DestinationListAPI(StaffAPIView):
    @extend_schema(operation_id="staff_destination_list", tags=["Verwaltung"], summary="Eigene Zustellpunkte",
                   responses={200: StaffDestinationListSerializer})
    def get(self, request):
        destinations = Destination.objects.visible_to(request.user)
        return Response(StaffDestinationListSerializer({"destinations": destinations}).data)


class DestinationChangeSerializer(serializers.Serializer):
    """What staff may change through PATCH, with JSON types checked: a list is never stored as its repr, a
    null is refused unless meaningful, NUL characters and overlong text are field errors (400 problem)."""

    name = serializers.CharField(max_length=200, required=False)
    channels = serializers.ListField(child=serializers.ChoiceField(Destination.Channel.choices),
                                     allow_empty=False, max_length=len(Destination.Channel.choices), required=False)
    callbackUrl = serializers.URLField(max_length=200, allow_blank=True, required=False)  # noqa: N815
    notificationEmail = serializers.EmailField(max_length=254, allow_blank=True, required=False)  # noqa: N815
    status = serializers.ChoiceField(Destination.Status.choices, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Nicht änderbar: %s") % name] for name in unknown})
        return super().to_internal_value(data)


FIELDS = {"name": "name", "channels": "channels", "callbackUrl": "callback_url",
          "notificationEmail": "notification_email", "status": "status"}


class DestinationDetailAPI(StaffAPIView):
    def _get(self, request, pk) -> Destination:
        return get_object_or_404(Destination.objects.editable_by(request.user).select_related("authority"), pk=pk)

    @extend_schema(operation_id="staff_destination_retrieve", tags=["Verwaltung"], summary="Ein Zustellpunkt",
                   responses={200: StaffDestinationSerializer})
    def get(self, request, pk):
        return Response(StaffDestinationSerializer(self._get(request, pk)).data)

    @extend_schema(operation_id="staff_destination_update", tags=["Verwaltung"], summary="Zustellpunkt ändern",
                   request=DestinationChangeSerializer, responses={200: StaffDestinationSerializer})
    def patch(self, request, pk):
        destination = self._get(request, pk)
        serializer = DestinationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)  # field errors → 400 problem (amtsweg.core.problems)
        changes = {FIELDS[k]: v for k, v in serializer.validated_data.items()}
        try:
            services.update_destination(destination, actor=request.user, **changes)
        except services.RoutingError as exc:
            raise InvalidChange(str(exc)) from exc
        return Response(StaffDestinationSerializer(destination).data)
