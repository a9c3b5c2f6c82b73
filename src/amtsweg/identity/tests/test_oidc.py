"""OpenID Connect login (code flow + PKCE) against the embedded Authlib provider over real HTTP."""

import base64
import hashlib

import httpx
import pytest

from amtsweg.identity.models import CitizenProfile
from amtsweg.identity.session import SESSION_KEY

from .http_browser import query

pytestmark = pytest.mark.django_db(transaction=True)


def test_oidc_login_with_pkce(browser_http):
    authorize = browser_http.oidc_authorize_url(required="substantiell")
    params = query(authorize)
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43 and params["state"] and params["nonce"]
    assert params["acr_values"] == "http://eidas.europa.eu/LoA/substantial"
    verifier = browser_http.session()["amtsweg.oidc.pending"][params["state"]]["verifier"]
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert params["code_challenge"] == expected

    redirect = browser_http.oidc_op_answer(authorize, person="max", level="hoch")
    assert redirect.status_code == 302
    callback = redirect.headers["location"]
    assert "/anmeldung/oidc/test-oidc/callback/" in callback and query(callback)["state"] == params["state"]
    done = browser_http.get(callback)
    assert done.status_code == 302 and done.headers["location"] == "/ziel/"

    identity = browser_http.session()[SESSION_KEY]
    assert identity["provider"] == "test-oidc" and identity["level"] == "hoch"
    assert (identity["given_name"], identity["family_name"], identity["city"]) == ("Max", "Mustermann",
                                                                                   "Völklingen")
    assert (identity["street"], identity["house_number"], identity["postcode"]) == ("Poststraße", "3", "66333")
    assert CitizenProfile.objects.get(provider="test-oidc").subject == "bpk2:TEST:MaxMustermann0002"
    # The state is single-use: the same callback again is refused.
    assert browser_http.get(callback).status_code == 403


def test_wrong_state_is_refused(browser_http):
    authorize = browser_http.oidc_authorize_url()
    callback = browser_http.oidc_op_answer(authorize).headers["location"]
    forged = callback.replace(f"state={query(callback)['state']}", "state=gefaelscht")
    answer = browser_http.get(forged)
    assert answer.status_code == 403 and "ungültiger Zustand" in answer.text
    assert SESSION_KEY not in browser_http.session()


def test_wrong_nonce_is_refused(browser_http):
    authorize = browser_http.oidc_authorize_url()
    nonce = query(authorize)["nonce"]
    tampered = authorize.replace(f"nonce={nonce}", "nonce=eine-andere-nonce")  # e.g. a token from another login
    callback = browser_http.oidc_op_answer(tampered).headers["location"]
    answer = browser_http.get(callback)
    assert answer.status_code == 403 and "nicht bestätigt" in answer.text
    assert SESSION_KEY not in browser_http.session()


def test_wrong_code_verifier_is_refused(browser_http):
    authorize = browser_http.oidc_authorize_url()
    challenge = query(authorize)["code_challenge"]
    other = base64.urlsafe_b64encode(hashlib.sha256(b"x" * 50).digest()).rstrip(b"=").decode()
    callback = browser_http.oidc_op_answer(authorize.replace(challenge, other)).headers["location"]
    assert browser_http.get(callback).status_code == 403
    assert SESSION_KEY not in browser_http.session()


def test_provider_refuses_requests_without_pkce(browser_http):
    authorize = browser_http.oidc_authorize_url()
    params = query(authorize)
    stripped = authorize.replace(f"code_challenge={params['code_challenge']}", "code_challenge=")
    assert browser_http.get(stripped).status_code == 400


def test_level_below_the_required_one_is_refused(browser_http):
    authorize = browser_http.oidc_authorize_url(required="hoch")
    callback = browser_http.oidc_op_answer(authorize, level="substantiell").headers["location"]
    answer = browser_http.get(callback)
    assert answer.status_code == 403 and "verlangt" in answer.text


def test_cancel_at_the_provider(browser_http):
    authorize = browser_http.oidc_authorize_url()
    page = browser_http.get(authorize)
    from .http_browser import form_action

    answer = browser_http.post(form_action(page.text), {"csrfmiddlewaretoken": browser_http.csrf(page.text),
                                                        "abbrechen": "1"})
    callback = answer.headers["location"]
    assert query(callback)["error"] == "access_denied"
    refused = browser_http.get(callback)
    assert refused.status_code == 403 and "abgebrochen" in refused.text


def test_token_endpoint_requires_the_client_secret(providers):
    answer = httpx.post(f"{providers.url}/test-idp/oidc/token/",
                        data={"grant_type": "authorization_code", "code": "x", "client_id": "amtsweg",
                              "client_secret": "falsch", "redirect_uri": "x"})
    assert answer.status_code in {400, 401} and answer.json()["error"] == "invalid_client"


def test_discovery_and_jwks(providers):
    doc = httpx.get(f"{providers.url}/test-idp/oidc/.well-known/openid-configuration").json()
    assert doc["issuer"] == f"{providers.url}/test-idp/oidc" and doc["code_challenge_methods_supported"] == ["S256"]
    keys = httpx.get(doc["jwks_uri"]).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_logout_forgets_the_identity(browser_http):
    authorize = browser_http.oidc_authorize_url()
    browser_http.get(browser_http.oidc_op_answer(authorize).headers["location"])
    assert SESSION_KEY in browser_http.session()
    page = browser_http.get("/anmeldung/")
    answer = browser_http.post("/anmeldung/abmelden/", {"csrfmiddlewaretoken": browser_http.csrf(page.text),
                                                        "next": "/"})
    assert answer.status_code == 302
    assert SESSION_KEY not in browser_http.session()


@pytest.fixture
def rp_request(providers):
    """A request as it arrives at our callback on the live server (issuer and JWKS are fetched over HTTP)."""
    from urllib.parse import urlsplit

    from django.test import RequestFactory

    parts = urlsplit(providers.url)
    return RequestFactory().get("/", SERVER_NAME=parts.hostname, SERVER_PORT=str(parts.port))


def _id_token(key, **overrides):
    import time

    from joserfc import jwt

    now = int(time.time())
    claims = {"iss": overrides.pop("iss", None), "aud": "amtsweg", "sub": "bpk2:x", "iat": now, "exp": now + 300,
              "nonce": "n-1", **overrides}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.mark.parametrize(("case", "accepted"), [
    ("valid", True), ("foreign_key", False), ("wrong_audience", False), ("wrong_issuer", False),
    ("expired", False), ("wrong_nonce", False),
])
def test_id_token_checks(rp_request, providers, case, accepted):
    import time

    from joserfc.jwk import RSAKey

    from amtsweg.identity.providers import embedded_oidc_op
    from amtsweg.identity.providers.oidc import OidcRefused
    from amtsweg.identity.registry import register

    plugin = register["test-oidc"]
    issuer = f"{providers.url}/test-idp/oidc"
    key = embedded_oidc_op.signing_key()
    overrides = {"iss": issuer}
    if case == "foreign_key":
        foreign = RSAKey.generate_key(2048, private=True)
        key = RSAKey.import_key(foreign.as_dict(private=True), {"kid": key.kid, "alg": "RS256"})
    elif case == "wrong_audience":
        overrides["aud"] = "someone-else"
    elif case == "wrong_issuer":
        overrides["iss"] = "https://evil.example/oidc"
    elif case == "expired":
        overrides.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    elif case == "wrong_nonce":
        overrides["nonce"] = "n-2"
    token = _id_token(key, **overrides)
    if accepted:
        assert plugin.verify_id_token(rp_request, token, nonce="n-1")["sub"] == "bpk2:x"
    else:
        with pytest.raises(OidcRefused):
            plugin.verify_id_token(rp_request, token, nonce="n-1")


def test_unsigned_id_token_is_refused(rp_request, providers):
    import json
    import time

    from amtsweg.identity.providers.oidc import OidcRefused
    from amtsweg.identity.registry import register

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    token = b64({"alg": "none"}) + "." + b64({"iss": f"{providers.url}/test-idp/oidc", "aud": "amtsweg",
                                              "sub": "x", "iat": now, "exp": now + 60, "nonce": "n"}) + "."
    with pytest.raises(OidcRefused):
        register["test-oidc"].verify_id_token(rp_request, token, nonce="n")
