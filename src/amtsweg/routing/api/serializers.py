"""Serializers of the Routing API: they describe it in the OpenAPI document and render its answers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from amtsweg.core.jwk import JWKSSerializer
from amtsweg.core.problems import ProblemSerializer


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
