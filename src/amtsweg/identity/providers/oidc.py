"""OpenID Connect relying party: authorization-code flow with PKCE (S256), Authlib's OAuth 2 client.

* state (CSRF) and nonce (replay) are random per login and kept in the session; the callback refuses a
  wrong or missing state, the ID token a wrong or missing nonce.
* The code is exchanged server to server with the code_verifier; the ID token's signature is verified
  against the provider's JWKS (joserfc), and iss, aud, exp, iat and nonce are checked.
* The level of assurance comes from the `acr` claim (eIDAS URIs or STORK-QAA), requested via acr_values.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from abc import abstractmethod

import httpx
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from amtsweg.identity import levels
from amtsweg.identity.registry import IdentityProvider, register
from amtsweg.identity.services import login_citizen
from amtsweg.identity.session import CitizenIdentity

logger = logging.getLogger(__name__)
PENDING_KEY = "amtsweg.oidc.pending"
ALLOWED_ALGORITHMS = ["RS256", "PS256", "ES256", "RS512", "PS512"]


class OidcRefused(Exception):
    """A callback that must not log anybody in. The message is for the citizen (German)."""


def _refused_generic() -> OidcRefused:
    return OidcRefused(_("Die Anmeldung konnte nicht bestätigt werden. Sie wurden nicht angemeldet. Bitte "
                         "versuchen Sie es erneut."))


class OidcProvider(IdentityProvider):
    protocol = "oidc"
    default_level = levels.NIEDRIG

    # --- configuration, overridden per provider -------------------------------------------------------
    @abstractmethod
    def issuer(self, request: HttpRequest) -> str:
        """The OpenID provider's issuer URL (its discovery document lives below it)."""

    @abstractmethod
    def client_id(self) -> str:
        """The platform's client id at this provider."""

    @abstractmethod
    def client_secret(self) -> str:
        """The platform's client secret at this provider."""

    def redirect_uri(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("identity:oidc-callback", args=[self.identifier]))

    def http_timeout(self) -> float:
        return float(getattr(settings, "AMTSWEG_OIDC_HTTP_TIMEOUT", 10.0))

    # --- discovery and keys ---------------------------------------------------------------------------
    def discovery(self, request: HttpRequest) -> dict:
        issuer = self.issuer(request).rstrip("/")
        key = "amtsweg.oidc.discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
        document = cache.get(key)
        if document is None:
            response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=self.http_timeout())
            response.raise_for_status()
            document = response.json()
            if document.get("issuer", "").rstrip("/") != issuer:
                raise OidcRefused(_("Der Anmeldedienst ist falsch eingerichtet (Aussteller stimmt nicht)."))
            cache.set(key, document, 600)
        return document

    def jwks(self, request: HttpRequest, *, refresh: bool = False) -> KeySet:
        uri = self.discovery(request)["jwks_uri"]
        key = "amtsweg.oidc.jwks:" + hashlib.sha256(uri.encode()).hexdigest()
        data = None if refresh else cache.get(key)
        if data is None:
            response = httpx.get(uri, timeout=self.http_timeout())
            response.raise_for_status()
            data = response.json()
            cache.set(key, data, 600)
        return KeySet.import_key_set(data)

    def oauth_client(self, request: HttpRequest) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.client_id(), client_secret=self.client_secret(), scope="openid profile email address",
            redirect_uri=self.redirect_uri(request), code_challenge_method="S256",
        )

    # --- the flow --------------------------------------------------------------------------------------
    def start_login(self, request: HttpRequest, *, min_level: str | None, next_url: str) -> HttpResponse:
        # Raises if the provider cannot be reached; the login view turns that into a message.
        endpoint = self.discovery(request)["authorization_endpoint"]
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
        extra = {"acr_values": levels.EIDAS_CLASS_REF[min_level]} if min_level else {}
        with self.oauth_client(request) as client:
            url, _state = client.create_authorization_url(endpoint, state=state, nonce=nonce,
                                                          code_verifier=verifier, **extra)
        pending = dict(request.session.get(PENDING_KEY, {}))
        pending[state] = {"provider": self.identifier, "nonce": nonce, "verifier": verifier, "next": next_url,
                          "min_level": min_level, "started": int(time.time())}
        request.session[PENDING_KEY] = dict(list(pending.items())[-5:])
        return HttpResponseRedirect(url)

    def identity_from_callback(self, request: HttpRequest) -> tuple[CitizenIdentity, dict]:
        state = request.GET.get("state", "")
        pending_all = dict(request.session.get(PENDING_KEY, {}))
        pending = pending_all.pop(state, None) if state else None
        if pending is None or pending.get("provider") != self.identifier:
            raise OidcRefused(_("Die Anmeldung ist abgelaufen oder wurde nicht hier begonnen (ungültiger "
                                "Zustand). Bitte melden Sie sich erneut an."))
        request.session[PENDING_KEY] = pending_all  # a state is good for one callback only
        if request.GET.get("error"):
            raise OidcRefused(_("Die Anmeldung wurde beim Anmeldedienst abgebrochen."))
        code = request.GET.get("code", "")
        if not code:
            raise _refused_generic()
        try:
            document = self.discovery(request)
            with self.oauth_client(request) as client:
                token = client.fetch_token(document["token_endpoint"], code=code, code_verifier=pending["verifier"],
                                           grant_type="authorization_code", timeout=self.http_timeout())
        except (OAuthError, OAuth2Error, httpx.HTTPError, requests.RequestException, ValueError, KeyError,
                OidcRefused) as exc:
            logger.warning("OIDC token exchange failed", extra={"provider": self.identifier,
                                                                "reason": type(exc).__name__})
            raise _refused_generic() from exc
        claims = self.verify_id_token(request, token.get("id_token", ""), nonce=pending["nonce"])
        level = levels.normalize(claims.get("acr")) or self.default_level
        if not levels.satisfies(level, pending["min_level"]):
            raise OidcRefused(_(
                "Sie haben sich mit dem Vertrauensniveau „%(actual)s“ angemeldet. Diese Leistung verlangt "
                "mindestens „%(required)s“. Bitte melden Sie sich mit einem passenden Verfahren an."
            ) % {"actual": levels.label(level), "required": levels.label(pending["min_level"])})
        address = claims.get("address") if isinstance(claims.get("address"), dict) else {}
        from amtsweg.identity.providers.saml import iso_birth_date, split_street

        street, number = split_street(str(address.get("street_address", "")))
        identity = CitizenIdentity(
            provider=self.identifier,
            subject=str(claims["sub"]),
            given_name=str(claims.get("given_name", "")),
            family_name=str(claims.get("family_name", "")),
            street=street,
            house_number=number,
            postcode=str(address.get("postal_code", "")),
            city=str(address.get("locality", "")),
            email=str(claims.get("email", "")) if claims.get("email_verified", True) else "",
            level=level,
            birth_date=iso_birth_date(str(claims.get("birthdate", ""))),  # OIDC Core standard claim
        )
        return identity, pending

    def verify_id_token(self, request: HttpRequest, id_token: str, *, nonce: str) -> dict:
        if not id_token:
            raise _refused_generic()
        try:
            try:
                decoded = jwt.decode(id_token, self.jwks(request), algorithms=ALLOWED_ALGORITHMS)
            except (JoseError, ValueError):
                decoded = jwt.decode(id_token, self.jwks(request, refresh=True), algorithms=ALLOWED_ALGORITHMS)
            registry = jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": self.discovery(request)["issuer"]},
                aud={"essential": True, "value": self.client_id()},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError, KeyError, httpx.HTTPError) as exc:
            logger.warning("OIDC ID token refused", extra={"provider": self.identifier,
                                                           "reason": type(exc).__name__})
            raise _refused_generic() from exc
        return decoded.claims


@register("oidc")
class ConfiguredOidcProvider(OidcProvider):
    """An OpenID provider configured by environment (e.g. a Land's citizen account that offers OIDC)."""

    description = gettext_lazy("Anmeldung mit einem Nutzerkonto, das OpenID Connect anbietet.")

    @property
    def label(self) -> str:  # type: ignore[override]
        return settings.AMTSWEG_OIDC_LABEL

    def is_enabled(self) -> bool:
        return bool(settings.AMTSWEG_OIDC_ISSUER and settings.AMTSWEG_OIDC_CLIENT_ID)

    def offered_levels(self) -> tuple[str, ...]:
        configured = [levels.normalize(v) for v in settings.AMTSWEG_OIDC_LEVELS]
        return tuple(lv for lv in configured if lv)

    def issuer(self, request: HttpRequest) -> str:
        return settings.AMTSWEG_OIDC_ISSUER

    def client_id(self) -> str:
        return settings.AMTSWEG_OIDC_CLIENT_ID

    def client_secret(self) -> str:
        return settings.AMTSWEG_OIDC_CLIENT_SECRET


@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    plugin = register.get_enabled(provider)
    if not isinstance(plugin, OidcProvider):
        return render(request, "identity/login_refused.html",
                      {"message": _("Dieser Anmeldedienst steht nicht zur Verfügung.")}, status=404)
    try:
        identity, pending = plugin.identity_from_callback(request)
    except OidcRefused as exc:
        return render(request, "identity/login_refused.html", {"message": str(exc)}, status=403)
    login_citizen(request, identity)
    messages.success(request, _("Sie sind angemeldet. Vertrauensniveau: %(level)s.")
                     % {"level": levels.label(identity.level)})
    return HttpResponseRedirect(pending["next"])
