"""Bearer-token authentication of the Submission API (tokens from `/token`) and its OpenAPI description."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from amtsweg.submissions import oauth


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` from `/token`; `request.auth` becomes the token's `oauth.Grant`."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(_("Der Authorization-Header muss „Bearer <Zugriffstoken>“ lauten."))
        grant = oauth.grant_for_token(token.strip())
        if grant is None:
            raise AuthenticationFailed(_("Das Zugriffstoken ist unbekannt oder abgelaufen."))
        return (None, grant)

    def authenticate_header(self, request):
        return 'Bearer realm="amtsweg"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "OAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials (FIT-Connect): POST /token, form-encoded.",
            "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {
                "send:region:DE<region-id>": "send submissions to destinations of the region",
                "send:region:DE<region-id>+send:service:<service-uri>": "send submissions for one service",
                "subscribe:destination:<id>": "pick up submissions of the destination",
                "manage:destination:<id>": "read the destination's settings",
            }}},
        }
