"""The embedded OpenID provider for demo and tests, built on Authlib's authorization server.

Authorization-code flow only, PKCE (S256) required for every client, nonce required, ID tokens signed
RS256 with a key generated at run time (published as JWKS). Authorization codes live five minutes in the
cache and are single-use. One client is registered: the platform's own "test-oidc" plugin, whose redirect
URI must be this host's callback.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc.jwk import RSAKey

from amtsweg.identity import keys, levels
from amtsweg.identity.providers import oidc as oidc_rp
from amtsweg.identity.providers.embedded_saml_idp import TEST_PERSONS, TestPerson, person_form_context, require_enabled
from amtsweg.identity.registry import register

CODE_TTL = 300
CLIENT_ID = "amtsweg"


@functools.lru_cache(maxsize=4)
def _signing_key(key_dir: str) -> RSAKey:
    pair = keys.generated_key_pair("test-op-oidc", "Amtsweg Test-OP (OIDC)")
    key = RSAKey.import_key(pair.key_file.read_bytes())
    return RSAKey.import_key(key.as_dict(private=True), {"kid": key.thumbprint(), "alg": "RS256", "use": "sig"})


def signing_key() -> RSAKey:
    return _signing_key(str(keys.key_dir()))


def issuer(request: HttpRequest) -> str:
    return request.build_absolute_uri("/test-idp/oidc").rstrip("/")


@dataclass
class Client(ClientMixin):
    redirect_uri: str

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        allowed = {"openid", "profile", "email", "address"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", test_op_client_secret())

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"} if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person_key: str
    nonce: str
    acr: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.acr


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        item = AuthorizationCode(
            code=code, client_id=CLIENT_ID, redirect_uri=request.payload.redirect_uri, scope=request.scope,
            person_key=request.user.key, nonce=data.get("nonce", ""), acr=request.user_acr,
            code_challenge=data.get("code_challenge", ""), code_challenge_method=data.get("code_challenge_method",
                                                                                          ""),
        )
        cache.set(f"amtsweg.test_op.code:{code}", item, CODE_TTL)
        return item

    def query_authorization_code(self, code, client):
        return cache.get(f"amtsweg.test_op.code:{code}")

    def delete_authorization_code(self, authorization_code):
        cache.delete(f"amtsweg.test_op.code:{authorization_code.code}")

    def authenticate_user(self, authorization_code):
        return TEST_PERSONS.get(authorization_code.person_key)


class StrictCodeChallenge(CodeChallenge):
    """PKCE with S256 for every client, confidential ones included."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        if grant.request.payload.data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        return super().validate_code_challenge(grant, redirect_uri)


class IdToken(OpenIDCode):
    def __init__(self, issuer_url: str):
        super().__init__(require_nonce=True)
        self.issuer_url = issuer_url

    def exists_nonce(self, nonce, request):
        return False  # codes are single-use; a nonce is checked by the client against its session

    def resolve_client_private_key(self, client):
        return signing_key()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": signing_key().kid}

    def get_client_claims(self, client):
        return {"iss": self.issuer_url, "aud": [CLIENT_ID], "exp": int(time.time()) + 300}

    def generate_user_info(self, user: TestPerson, scope):
        info = UserInfo(sub=user.subject)
        if "profile" in scope:
            info.update(given_name=user.given_name, family_name=user.family_name, name=user.name)
            if user.birth_date:
                info["birthdate"] = user.birth_date
        if "email" in scope:
            info.update(email=user.email, email_verified=True)
        if "address" in scope:
            info["address"] = {"street_address": f"{user.street} {user.house_number}",
                               "postal_code": user.postcode, "locality": user.city, "country": "DE"}
        return info


class TestOP(AuthorizationServer):
    def __init__(self, request: HttpRequest):
        super().__init__(client_model=None, token_model=None)
        self.client = Client(redirect_uri=request.build_absolute_uri(
            reverse("identity:oidc-callback", args=["test-oidc"])))
        self.register_grant(CodeGrant, [StrictCodeChallenge(required=True), IdToken(issuer(request))])

    def query_client(self, client_id):
        return self.client if client_id == CLIENT_ID else None

    def save_token(self, token, request):
        return None  # the ID token is all the platform needs; no resource server here


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    require_enabled()
    base = issuer(request)
    return JsonResponse({
        "issuer": base,
        "authorization_endpoint": request.build_absolute_uri(reverse("identity:test-idp-oidc-authorize")),
        "token_endpoint": request.build_absolute_uri(reverse("identity:test-idp-oidc-token")),
        "jwks_uri": request.build_absolute_uri(reverse("identity:test-idp-oidc-jwks")),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email", "address"],
        "acr_values_supported": list(levels.EIDAS_LOA),
        "claims_supported": ["sub", "given_name", "family_name", "name", "email", "email_verified", "address",
                             "acr", "nonce"],
    })


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    require_enabled()
    public = signing_key().as_dict(private=False)
    return JsonResponse({"keys": [public]})


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    require_enabled()
    server = TestOP(request)
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return render(request, "identity/login_refused.html", {
            "message": f"{error.error}: {error.description or ''}", "title": "Test-OP"}, status=400)
    requested = levels.normalize((request.GET.get("acr_values") or "").split(" ")[0])
    context = {**person_form_context(requested), "protocol_label": "OpenID Connect", "allow_cancel": True,
               "action": request.get_full_path()}
    if request.method == "GET":
        return render(request, "identity/test_idp_login.html", context)
    if request.POST.get("abbrechen"):
        return server.create_authorization_response(request, grant_user=None, grant=grant)
    person = TEST_PERSONS.get(request.POST.get("person", ""))
    level = levels.normalize(request.POST.get("level"))
    if person is None or level is None:
        return render(request, "identity/test_idp_login.html", {**context, "error": True}, status=400)
    grant.request.user_acr = levels.EIDAS_CLASS_REF[level]
    return server.create_authorization_response(request, grant_user=person, grant=grant)


@csrf_exempt  # server-to-server; the client authenticates with its secret
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    require_enabled()
    return TestOP(request).create_token_response(request)


def test_op_client_secret() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"amtsweg-test-op-client", hashlib.sha256).hexdigest()


@register("test-oidc")
class TestOidcProvider(oidc_rp.OidcProvider):
    """The embedded OpenID provider (/test-idp/oidc/). Demo and tests only."""

    label = gettext_lazy("Test-Konto (OpenID Connect)")
    description = gettext_lazy("Nur zum Ausprobieren: Anmeldung als Testperson über OpenID Connect mit PKCE.")
    is_test_plugin = True

    def is_enabled(self) -> bool:
        return True

    def offered_levels(self) -> tuple[str, ...]:
        return levels.LEVELS

    def issuer(self, request: HttpRequest) -> str:
        return request.build_absolute_uri("/test-idp/oidc").rstrip("/")

    def client_id(self) -> str:
        return "amtsweg"

    def client_secret(self) -> str:
        return test_op_client_secret()
