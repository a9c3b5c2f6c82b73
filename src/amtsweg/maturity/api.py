"""Public open-data API of the maturity measurement (v1): per Land, every Kommune's counts per stage.

`GET /api/maturity/v1/lands` (the Länder), `GET /api/maturity/v1/lands/{landCode}` (JSON) and
`GET /api/maturity/v1/lands/{landCode}/areas.csv` (the same rows as CSV, through `core.csvexport`). Only
aggregates per Kommune from the reference directory and the measurement: no person, no application, no
declared evidence. Anonymous and read-only, like the catalogue.
"""

from __future__ import annotations

import io

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from amtsweg.core import csvexport
from amtsweg.core.problems import ProblemSerializer
from amtsweg.geo.models import Land

from . import queries

CSV_HEADER = ["ars", "name", "kind", "population", "sizeClass", "relevant"] \
    + [f"levelV11_{n}" for n in range(5)] + [f"levelV2_{n}" for n in range(8)] + ["compliantShare"]
LAND_PARAM = OpenApiParameter("land_code", OpenApiTypes.STR, OpenApiParameter.PATH, pattern="^[0-9]{2}$",
                              description="Land key of the reference directory (two digits, e.g. 10 = Saarland)")


class LandSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LandListSerializer(serializers.Serializer):
    lands = LandSerializer(many=True)


class AreaMaturitySerializer(serializers.Serializer):
    ars = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["gemeinde", "verband", "kreis"])
    population = serializers.IntegerField()
    sizeClass = serializers.IntegerField(source="size_class")  # noqa: N815 - wire name
    relevant = serializers.IntegerField(help_text="relevant OZG-Leistungen of this Kommune")
    levelsV11 = serializers.ListField(child=serializers.IntegerField(), source="levels_v11",  # noqa: N815
                                      help_text="services per stage 0..4 of Reifegradmodell 1.1")
    levelsV2 = serializers.ListField(child=serializers.IntegerField(), source="levels_v2",  # noqa: N815
                                     help_text="services per stage 0..7 of Reifegradmodell 2.0")
    compliantShare = serializers.FloatField(source="compliant_share",  # noqa: N815
                                            help_text="demand-weighted share at 1.1 stage 3 or above, 0..1")


class LandMaturitySerializer(serializers.Serializer):
    land = LandSerializer()
    computedAt = serializers.DateTimeField(source="computed_at", allow_null=True)  # noqa: N815
    measured = serializers.CharField(help_text="what the levels are computed from")
    notMeasurable = serializers.ListField(child=serializers.CharField(), source="not_measurable")  # noqa: N815
    areas = AreaMaturitySerializer(many=True)


class CSVRenderer(renderers.BaseRenderer):
    """Rows (a list of lists, the first the header) as `;`-separated CSV with formula cells defused."""

    media_type = csvexport.MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        out = io.StringIO()
        csvexport.writer(out).writerows(data)
        return out.getvalue().encode("utf-8")


def _land(land_code: str) -> Land:
    """The Land by its two-digit key; anything else (or an unknown key) is a 404 problem."""
    if not (len(land_code) == 2 and land_code.isascii() and land_code.isdigit()):
        raise Http404
    return get_object_or_404(Land, code=land_code)


class LandListView(APIView):
    @extend_schema(responses={200: LandListSerializer}, operation_id="maturity_lands")
    def get(self, request):
        lands = [{"code": land.code, "name": land.name} for land in Land.objects.order_by("code")]
        return Response(LandListSerializer({"lands": lands}).data)


class LandMaturityView(APIView):
    @extend_schema(parameters=[LAND_PARAM], responses={200: LandMaturitySerializer, 404: ProblemSerializer},
                   operation_id="maturity_land")
    def get(self, request, land_code: str):
        land = _land(land_code)
        data = dict(queries.public_land(land.code), land={"code": land.code, "name": land.name})
        return Response(LandMaturitySerializer(data).data)


class LandMaturityCSVView(APIView):
    renderer_classes = [CSVRenderer]

    @extend_schema(parameters=[LAND_PARAM],
                   responses={(200, csvexport.MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description=(
                       "one row per Kommune, `;`-separated, header: " + ";".join(CSV_HEADER))),
                       404: ProblemSerializer},
                   operation_id="maturity_land_csv")
    def get(self, request, land_code: str):
        land = _land(land_code)
        rows = [CSV_HEADER]
        for area in queries.public_land(land.code)["areas"]:
            rows.append([area["ars"], area["name"], area["kind"], area["population"], area["size_class"],
                         area["relevant"], *area["levels_v11"], *area["levels_v2"],
                         round(area["compliant_share"], 4)])
        response = Response(rows)
        response["Content-Disposition"] = f'attachment; filename="reifegrad-{land.code}.csv"'
        return response
