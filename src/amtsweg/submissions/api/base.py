"""The Submission API's view base class (bearer token, bounded JSON, FIT-Connect problem types) and schema
helpers."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.views import APIView

from amtsweg.core import parsers
from amtsweg.core.parsers import JSONParser
from amtsweg.core.problems import ProblemSerializer
from amtsweg.submissions import oauth
from amtsweg.submissions.api.authentication import BearerTokenAuthentication
from amtsweg.submissions.errors import (
    PROBLEM_BASE,
    NotFound,
    UnsupportedMediaType,
)


def problem_responses(*codes: int) -> dict:
    """The OpenAPI responses of these error codes: problem documents."""
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
             413: "Request Entity Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity"}
    return {code: OpenApiResponse(ProblemSerializer, description=names[code]) for code in codes}


def path_parameters(*names: str) -> list[OpenApiParameter]:
    """UUID path parameters for the OpenAPI document."""
    return [OpenApiParameter(n, OpenApiTypes.UUID, OpenApiParameter.PATH) for n in names]


PAGING = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="1–500, default 100"),
    OpenApiParameter("offset", OpenApiTypes.INT, description="≥ 0, default 0"),
]


class SubmissionAPIView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes = [JSONParser]  # bounded: amtsweg.core.parsers
    # DRF's own errors (401 with WWW-Authenticate, 400, 405, 415 …) get FIT-Connect problem types
    # (amtsweg.core.problems.exception_handler), like the SubmissionErrors the services raise.
    problem_type_base = PROBLEM_BASE

    def grant(self) -> oauth.Grant:
        if not isinstance(self.request.auth, oauth.Grant):
            raise NotAuthenticated(_("Ein Zugriffstoken (Bearer) ist erforderlich."))
        return self.request.auth

    @staticmethod
    def paging(request) -> tuple[int, int]:
        """(limit, offset) as FIT-Connect declares them: integers, limit 1–500 (default 100), offset 0 to the
        int32 maximum (default 0); anything else is a 400 problem."""
        try:
            limit = parsers.query_int(request.query_params.get("limit", "100"), minimum=1, maximum=500)
            offset = parsers.query_int(request.query_params.get("offset", "0"), minimum=0)
        except ValueError as exc:
            raise ParseError(_("limit muss eine ganze Zahl zwischen 1 und 500 sein, offset eine ganze Zahl ≥ 0."
                               )) from exc
        return limit, offset

    @staticmethod
    def uuid_or_404(value: str, not_found: str) -> uuid.UUID:
        """`value` as a UUID; anything else cannot name a row: NotFound with the message `not_found`."""
        try:
            return uuid.UUID(str(value))
        except ValueError as exc:
            raise NotFound(not_found) from exc

    def validated(self, serializer_class, data):
        """The body checked by `serializer_class`; field errors are a 400 problem listing them (`errors`)."""
        if not isinstance(data, dict):
            raise ParseError(_("Der Inhalt muss ein JSON-Objekt sein."))
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def uuid_query(value: str) -> uuid.UUID:
        """A query parameter declared `format: uuid`, 32 to 36 characters; a 400 problem otherwise."""
        try:
            if not 32 <= len(value) <= 36:
                raise ValueError(value)
            return uuid.UUID(value)
        except ValueError as exc:
            raise ParseError(_("destinationId muss eine UUID sein.")) from exc

    def require_jose(self):
        if self.request.content_type.split(";")[0].strip() != "application/jose":
            raise UnsupportedMediaType(_("Der Content-Type muss application/jose sein."))
