"""OpenID Connect login (code flow + PKCE) against the embedded Authlib provider over real HTTP."""

import base64
import hashlib

import httpx
import pytest

from amtsweg.identity.models import CitizenProfile
from amtsweg.identity.session import SESSION_KEY

from .conftest import query

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
    from .conftest import form_action

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
