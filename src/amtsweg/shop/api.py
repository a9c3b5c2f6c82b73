"""Read-only shop API (v1) for the Land's portal and other catalogues.

`GET /api/shop/v1/offers` and `GET /api/shop/v1/subscriptions`, both with `changedSince` (ISO 8601
timestamp) to fetch only what changed, and `offset`/`limit` paging. Subscriptions carry no personal data:
which Authority offers which service online since when.
"""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from amtsweg.core import parsers
from amtsweg.core.problems import Problem, ProblemSerializer

from .models import Offer, Subscription

PAGE_PARAMS = [
    OpenApiParameter("changedSince", OpenApiTypes.DATETIME, description="only entries changed after this instant"),
    OpenApiParameter("offset", OpenApiTypes.INT),
    OpenApiParameter("limit", OpenApiTypes.INT, description="1..500, default 100"),
]


class OfferSerializer(serializers.ModelSerializer):
    leikaKeys = serializers.SerializerMethodField()
    annualCostCents = serializers.IntegerField(source="annual_cost_cents")
    costSharing = serializers.CharField(source="cost_sharing")
    maturityLevel = serializers.IntegerField(source="maturity_level")
    providerName = serializers.CharField(source="provider_name")
    providerKind = serializers.CharField(source="provider_kind")
    landCode = serializers.CharField(source="land_code")
    currentAgreementVersion = serializers.SerializerMethodField()
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Offer
        fields = ["slug", "name", "description", "kind", "status", "providerName", "providerKind", "landCode",
                  "leikaKeys", "licence", "annualCostCents", "costSharing", "maturityLevel",
                  "currentAgreementVersion", "updatedAt"]

    def get_leikaKeys(self, obj) -> list[str]:
        return sorted(ps.key for ps in obj.public_services.all() if ps.key)

    def get_currentAgreementVersion(self, obj) -> int | None:
        versions = [a.version for a in obj.agreements.all()]
        return max(versions) if versions else None


class SubscriptionSerializer(serializers.ModelSerializer):
    offer = serializers.CharField(source="offer.slug")
    authority = serializers.CharField(source="authority.name")
    areaArs = serializers.CharField(source="authority.area_ars")
    liveSince = serializers.DateField(source="live_since")
    endsOn = serializers.DateField(source="ends_on")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Subscription
        fields = ["id", "offer", "authority", "areaArs", "status", "liveSince", "endsOn", "updatedAt"]


class OfferPageSerializer(serializers.Serializer):
    """One page of offers, as `_page` answers it."""

    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()  # noqa: N815 - wire name
    offers = OfferSerializer(many=True)


class SubscriptionPageSerializer(serializers.Serializer):
    """One page of subscriptions, as `_page` answers it."""

    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()  # noqa: N815 - wire name
    subscriptions = SubscriptionSerializer(many=True)


def _page(request, queryset, serializer_class, key: str):
    errors = []
    changed = request.query_params.get("changedSince")
    if changed:
        parsed = parse_datetime(changed)
        if parsed is None:
            errors.append(_("changedSince ist kein ISO-8601-Zeitpunkt."))
        else:
            queryset = queryset.filter(updated_at__gt=parsed)
    try:
        offset = parsers.query_int(request.query_params.get("offset", "0"), minimum=0)
        limit = parsers.query_int(request.query_params.get("limit", "100"), minimum=1, maximum=500)
    except ValueError:
        errors.append(_("offset muss ≥ 0 und limit zwischen 1 und 500 liegen."))
        offset, limit = 0, 100
    if errors:
        raise Problem(" ".join(errors))
    total = queryset.count()
    items = serializer_class(queryset.order_by("updated_at", "pk")[offset:offset + limit], many=True).data
    return Response({"count": len(items), "offset": offset, "totalCount": total, key: items})


class OfferListView(APIView):
    @extend_schema(parameters=PAGE_PARAMS, responses={200: OfferPageSerializer, 400: ProblemSerializer},
                   operation_id="shop_offers")
    def get(self, request):
        qs = Offer.objects.prefetch_related("public_services", "agreements")
        return _page(request, qs, OfferSerializer, "offers")


class SubscriptionListView(APIView):
    @extend_schema(parameters=PAGE_PARAMS, responses={200: SubscriptionPageSerializer, 400: ProblemSerializer},
                   operation_id="shop_subscriptions")
    def get(self, request):
        # Only what citizens can see anyway: live or ended connections, never orders in progress.
        qs = Subscription.objects.filter(live_since__isnull=False).select_related("offer", "authority")
        return _page(request, qs, SubscriptionSerializer, "subscriptions")
