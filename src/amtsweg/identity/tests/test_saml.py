"""SAML login as BundID speaks it, against the embedded pysaml2 IdP over real HTTP (no protocol mocks)."""

import base64

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.identity.models import CitizenProfile
from amtsweg.identity.providers.saml import split_street
from amtsweg.identity.session import SESSION_KEY

from .http_browser import form_action, form_fields, query

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("level", ["niedrig", "substantiell", "hoch"])
def test_saml_login_with_each_level(browser_http, level):
    answer = browser_http.saml_login(person="erika", level=level)
    assert answer.status_code == 302 and answer.headers["location"] == "/ziel/"
    identity = browser_http.session()[SESSION_KEY]
    assert identity["provider"] == "test-saml" and identity["level"] == level
    assert identity["subject"] == "bpk2:TEST:ErikaMustermann0001"
    # Prefill data from BundID's attributes (urn:oid:…), address split into street and number.
    assert (identity["given_name"], identity["family_name"]) == ("Erika", "Mustermann")
    assert (identity["street"], identity["house_number"]) == ("Bahnhofstraße", "12a")
    assert (identity["postcode"], identity["city"]) == ("66111", "Saarbrücken")
    assert identity["email"] == "erika.mustermann@example.org"
    assert identity["birth_date"] == "1964-08-12"  # BundID's dateOfBirth, for the forms' prefill (issue 16)

    user = get_user_model().objects.get(citizen_profiles__provider="test-saml")
    assert user.role == "citizen" and user.authority_id is None and not user.has_usable_password()
    profile = CitizenProfile.objects.get(user=user)
    assert profile.level == level and profile.city == "Saarbrücken"
    chooser = browser_http.get("/anmeldung/")
    assert "Sie sind angemeldet als Erika Mustermann" in chooser.text
    assert "Vertrauensniveau: " in chooser.text and ")).<" not in chooser.text  # no "(… (z. B. …))" (issue 16)


@pytest.mark.parametrize(("sent", "prefilled"), [
    ("1964-08-12", "1964-08-12"), ("1964-00-00", ""), ("1964-08-00", ""), ("", ""), ("12.08.1964", ""),
    ("1964-08-12Z", "1964-08-12"),
])
def test_only_a_complete_birth_date_is_taken(sent, prefilled):
    from amtsweg.identity.providers.saml import iso_birth_date

    assert iso_birth_date(sent) == prefilled


def test_authn_request_is_signed_and_carries_the_requested_level(browser_http):
    location = browser_http.start_login("test-saml", "/ziel/", "hoch").headers["location"]
    params = query(location)
    assert params["SigAlg"].endswith("rsa-sha256") and params["Signature"]
    import zlib

    xml = zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15).decode()
    assert "STORK-QAA-Level-4" in xml and 'Comparison="minimum"' in xml
    assert '="https://www.akdb.de/request/2018/09"' in xml and ":AuthenticationRequest " in xml  # BundID's
    assert 'Name="urn:oid:1.3.6.1.4.1.25484.494450.3" RequiredAttribute="true"' in xml  # bPK2
    assert 'Name="urn:oid:2.5.4.16"' in xml  # postalAddress
    # The IdP refuses a request whose signature does not match.
    forged = location.replace("Signature=", "Signature=AAAA")
    assert browser_http.get(forged).status_code == 400


def test_service_requiring_hoch_refuses_substantiell(browser_http):
    answer = browser_http.saml_login(level="substantiell", required="hoch")
    assert answer.status_code == 403
    assert "verlangt mindestens" in answer.text and "hoch" in answer.text
    assert SESSION_KEY not in browser_http.session()
    assert not CitizenProfile.objects.exists()
    # With the eID ("hoch") it works.
    assert browser_http.saml_login(level="hoch", required="hoch").status_code == 302


def test_chooser_lists_only_providers_reaching_the_level(browser_http, settings):
    page = browser_http.get("/anmeldung/", params={"next": "/x/", "stufe": "hoch"})
    assert "Test-Konto (SAML, wie BundID)" in page.text and "Test-Konto (OpenID Connect)" in page.text
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = False
    page = browser_http.get("/anmeldung/", params={"next": "/x/", "stufe": "hoch"})
    assert "Test-Konto" not in page.text and "kein Anmeldedienst" in page.text
    assert browser_http.get("/test-idp/saml/metadata/").status_code == 404


def test_unsigned_response_is_refused(browser_http, settings):
    settings.AMTSWEG_TEST_IDP_SIGN = False
    settings.AMTSWEG_TEST_IDP_ENCRYPT = False
    answer = browser_http.saml_login()
    assert answer.status_code == 403 and "nicht bestätigt" in answer.text
    assert SESSION_KEY not in browser_http.session()


def test_tampered_assertion_is_refused(browser_http, settings):
    settings.AMTSWEG_TEST_IDP_ENCRYPT = False  # plain (but signed) assertion, so the attacker can edit it
    idp_url = browser_http.start_login("test-saml").headers["location"]
    post = browser_http.saml_idp_answer(idp_url, person="erika", level="niedrig")
    xml = base64.b64decode(post["SAMLResponse"]).decode()
    assert "STORK-QAA-Level-1" in xml
    tampered = xml.replace("STORK-QAA-Level-1", "STORK-QAA-Level-4")
    answer = browser_http.post(post["action"], {"SAMLResponse": base64.b64encode(tampered.encode()).decode(),
                                                "RelayState": post["RelayState"]})
    assert answer.status_code == 403
    assert SESSION_KEY not in browser_http.session()


def test_tampered_encrypted_assertion_is_refused(browser_http):
    idp_url = browser_http.start_login("test-saml").headers["location"]
    post = browser_http.saml_idp_answer(idp_url)
    xml = base64.b64decode(post["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in xml and "Mustermann" not in xml  # BundID-like: the assertion is encrypted
    import re

    start = [m.end() for m in re.finditer(r"<(?:\w+:)?CipherValue>", xml)][-1]  # the assertion's ciphertext
    flipped = xml[:start + 40] + ("A" if xml[start + 40] != "A" else "B") + xml[start + 41:]
    answer = browser_http.post(post["action"], {"SAMLResponse": base64.b64encode(flipped.encode()).decode(),
                                                "RelayState": post["RelayState"]})
    assert answer.status_code == 403


def test_replayed_response_is_refused(browser_http):
    idp_url = browser_http.start_login("test-saml").headers["location"]
    post = browser_http.saml_idp_answer(idp_url)
    data = {"SAMLResponse": post["SAMLResponse"], "RelayState": post["RelayState"]}
    assert browser_http.post(post["action"], data).status_code == 302
    assert browser_http.post(post["action"], data).status_code == 403


def test_response_for_another_browser_is_refused(browser_http, providers):
    from .http_browser import Browser

    idp_url = browser_http.start_login("test-saml").headers["location"]
    post = browser_http.saml_idp_answer(idp_url)
    other = Browser(providers.url)
    other.get("/anmeldung/")  # has a session, but never started this login
    answer = other.post(post["action"], {"SAMLResponse": post["SAMLResponse"], "RelayState": post["RelayState"],
                                         "amtsweg_repost": "1"})
    assert answer.status_code == 403
    other.http.close()


def test_cross_site_post_without_session_cookie_is_posted_again(browser_http, providers):
    """SameSite=Lax: BundID's POST arrives without our cookie; we post once more from our own origin."""
    idp_url = browser_http.start_login("test-saml").headers["location"]
    post = browser_http.saml_idp_answer(idp_url)
    import httpx

    bare = httpx.post(providers.url + post["action"] if post["action"].startswith("/") else post["action"],
                      data={"SAMLResponse": post["SAMLResponse"], "RelayState": post["RelayState"]})
    assert bare.status_code == 200
    fields = form_fields(bare.text)
    assert fields["amtsweg_repost"] == "1" and form_action(bare.text).endswith("/anmeldung/saml/test-saml/acs/")
    again = browser_http.post(form_action(bare.text), fields)
    assert again.status_code == 302 and again.headers["location"] == "/ziel/"


def test_next_url_must_be_local(browser_http):
    answer = browser_http.saml_login(next_url="https://evil.example/")
    assert answer.status_code == 302 and answer.headers["location"] == "/"


def test_sp_metadata_is_published(browser_http):
    answer = browser_http.get("/anmeldung/saml/test-saml/metadata/")
    assert answer.status_code == 200
    assert "AssertionConsumerService" in answer.text and 'AuthnRequestsSigned="true"' in answer.text


def test_login_again_updates_the_same_account(browser_http, providers):
    from .http_browser import Browser

    browser_http.saml_login(level="substantiell")
    second = Browser(providers.url)
    assert second.saml_login(level="hoch").status_code == 302
    assert CitizenProfile.objects.count() == 1 and CitizenProfile.objects.get().level == "hoch"
    second.http.close()


@pytest.mark.parametrize(("text", "street", "number"), [
    ("Bahnhofstraße 12a", "Bahnhofstraße", "12a"),
    ("Am Markt 7", "Am Markt", "7"),
    ("Straße des 17. Juni 100-102", "Straße des 17. Juni", "100-102"),
    ("Hauptstraße 3 b", "Hauptstraße", "3b"),
    ("Schlossplatz", "Schlossplatz", ""),
    ("", "", ""),
])
def test_split_street(text, street, number):
    assert split_street(text) == (street, number)


@given(
    street=st.from_regex(r"[A-ZÄÖÜ][a-zäöüß]{2,12}(straße|weg|platz| Allee)", fullmatch=True),
    number=st.from_regex(r"[1-9][0-9]{0,2}[a-f]?", fullmatch=True),
)
def test_split_street_round_trip(street, number):
    assert split_street(f"  {street}   {number} ") == (street, number)


def _response_signed_with(settings, providers, browser_http, key_dir):
    """A response for this browser's pending request, built and signed by an IdP that uses the keys in key_dir."""
    import re
    import zlib

    from saml2.config import IdPConfig
    from saml2.metadata import create_metadata_string
    from saml2.server import Server

    from amtsweg.identity import keys
    from amtsweg.identity.providers import embedded_saml_idp, saml

    settings.AMTSWEG_TEST_IDP_ENCRYPT = False
    params = query(browser_http.start_login("test-saml").headers["location"])
    request_xml = zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15).decode()
    request_id = re.search(r' ID="([^"]+)"', request_xml).group(1)
    base, sp_entity = providers.url, f"{providers.url}/anmeldung/saml/test-saml/metadata/"
    sp_config = saml._sp_config("test-saml", base, sp_entity, embedded_saml_idp.saml_idp_metadata(base),
                                str(keys.key_dir()))
    sp_metadata = create_metadata_string(None, config=sp_config, sign=False).decode()
    real_dir = settings.AMTSWEG_IDENTITY_KEY_DIR
    settings.AMTSWEG_IDENTITY_KEY_DIR = str(key_dir)
    try:
        idp_config = IdPConfig()
        idp_config.load(embedded_saml_idp._idp_config_dict(base, sp_metadata))  # same entity id, these keys
    finally:
        settings.AMTSWEG_IDENTITY_KEY_DIR = real_dir
    pending = {"request_id": request_id, "acs": f"{base}/anmeldung/saml/test-saml/acs/", "sp": sp_entity}
    xml = embedded_saml_idp.build_saml_response(Server(config=idp_config), pending,
                                                embedded_saml_idp.TEST_PERSONS["max"], "hoch", encrypt=False)
    return browser_http.post("/anmeldung/saml/test-saml/acs/", {
        "SAMLResponse": base64.b64encode(xml.encode()).decode(), "RelayState": params["RelayState"]})


def test_response_signed_with_the_idps_key_is_accepted(settings, providers, browser_http, identity_key_dir):
    """Control for the test below: the forging helper itself produces acceptable responses."""
    answer = _response_signed_with(settings, providers, browser_http, identity_key_dir)
    assert answer.status_code == 302
    assert browser_http.session()[SESSION_KEY]["level"] == "hoch"


def test_response_signed_with_another_key_is_refused(settings, providers, browser_http, tmp_path):
    answer = _response_signed_with(settings, providers, browser_http, tmp_path)  # an attacker's own IdP key
    assert answer.status_code == 403
    assert SESSION_KEY not in browser_http.session()


@pytest.mark.parametrize(("declared", "codec"), [("UTF-8", "utf-8"), ("UTF-16", "utf-16"), ("UTF-16BE", "utf-16-be")])
def test_a_response_with_entities_is_refused_in_any_encoding(browser_http, caplog, declared, codec):
    """pysaml2 parses with defusedxml (expat decodes first): an entity declaration is refused however encoded.

    Pins that SAML needs no safexml of its own (see amtsweg.core.safexml)."""
    params = query(browser_http.start_login("test-saml").headers["location"])
    xml = (f'<?xml version="1.0" encoding="{declared}"?>'
           '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" '
           'IssueInstant="2026-01-01T00:00:00Z"><samlp:Status>&e;</samlp:Status></samlp:Response>')
    with caplog.at_level("WARNING", logger="amtsweg.identity"):
        answer = browser_http.post("/anmeldung/saml/test-saml/acs/", {
            "SAMLResponse": base64.b64encode(xml.encode(codec)).decode(), "RelayState": params["RelayState"]})
    assert answer.status_code == 403 and "root:" not in answer.text
    assert SESSION_KEY not in browser_http.session()
    reasons = [r.reason for r in caplog.records if r.getMessage() == "SAML response refused"]
    assert reasons in (["EntitiesForbidden"], ["UnicodeDecodeError"])  # pysaml2 reads UTF-8 only (BOM: refused)


def test_saml_login_returns_to_the_page_with_its_query(browser_http):
    """Issue 16: the place a form's start page was opened with (?ars=) must survive the login."""
    answer = browser_http.saml_login(next_url="/antrag/hundesteuer/?ars=100410100100")
    assert answer.status_code == 302 and answer.headers["location"] == "/antrag/hundesteuer/?ars=100410100100"
