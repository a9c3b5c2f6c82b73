"""The OAuth 2.0 token endpoint (`/token`, client credentials) that issues the Submission API's bearer tokens."""

from __future__ import annotations

import base64
import binascii

from django.http import HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import APIException, MethodNotAllowed
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from amtsweg.core import problems
from amtsweg.submissions import oauth
from amtsweg.submissions.api.base import SubmissionAPIView
from amtsweg.submissions.api.serializers import TokenSerializer
from amtsweg.submissions.errors import SubmissionError


class TokenView(SubmissionAPIView):
    """OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials; form-encoded as FIT-Connect's)."""

    authentication_classes: list = []
    parser_classes = [FormParser]

    @staticmethod
    def oauth_error(status: int, error: str, description: str) -> HttpResponse:
        """An RFC 6749 §5.2 error (not a problem document); `description` English: the RFC allows only ASCII."""
        response = JsonResponse({"error": error, "error_description": description}, status=status)
        response["Cache-Control"] = "no-store"
        return response

    def handle_exception(self, exc):
        """DRF's errors as RFC 6749 errors, whose description must be ASCII: fixed English texts, and the
        HTTP status that says what went wrong (405 with Allow for another method, 413 for a body
        above the limit); everything else about the request is 400 invalid_request."""
        exc = problems.as_api_exception(exc)
        if isinstance(exc, APIException) and not isinstance(exc, SubmissionError):
            if isinstance(exc, MethodNotAllowed):
                return self.oauth_error(405, "invalid_request", "Only POST is allowed.")  # DRF adds Allow
            if exc.status_code == 415:
                return self.oauth_error(400, "invalid_request", "Use application/x-www-form-urlencoded.")
            if exc.status_code == 413:
                return self.oauth_error(413, "invalid_request", "The request body is too large.")
            return self.oauth_error(400, "invalid_request", "The request is malformed.")
        return super().handle_exception(exc)

    @extend_schema(operation_id="oauth-token", tags=["Technisch"], auth=[],
                   summary="OAuth 2.0 Access Token (client credentials)",
                   request={"application/x-www-form-urlencoded": {
                       "type": "object", "required": ["grant_type", "client_id", "client_secret"],
                       "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]},
                                      "client_id": {"type": "string"}, "client_secret": {"type": "string"},
                                      "scope": {"type": "string"}}}},
                   responses={200: TokenSerializer, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT})
    def post(self, request):
        data = request.data
        if data.get("grant_type") != "client_credentials":
            return self.oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
        client_id, client_secret = data.get("client_id", ""), data.get("client_secret", "")
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if not client_id and auth.lower().startswith("basic "):
            try:
                client_id, _colon, client_secret = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return self.oauth_error(400, "invalid_request", "Malformed Basic credentials.")
        client = oauth.check_client(client_id, client_secret)
        if client is None:
            return self.oauth_error(401, "invalid_client", "Unknown client or wrong secret.")
        scopes = oauth.requested_scopes(client, data.get("scope"))
        if scopes is None:
            return self.oauth_error(400, "invalid_scope", "A requested scope is not granted to this client.")
        token, expires_in = oauth.issue_token(client, scopes)
        response = Response(TokenSerializer({"access_token": token, "token_type": "Bearer",
                                             "expires_in": expires_in, "scope": " ".join(scopes)}).data)
        response["Cache-Control"] = "no-store"
        return response
