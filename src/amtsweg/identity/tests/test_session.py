"""The contract the form assistant relies on: identity in the session, login URL, registry."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.identity.registry import register
from amtsweg.identity.services import login_citizen, upsert_citizen
from amtsweg.identity.session import SESSION_KEY, CitizenIdentity, get_citizen_identity, login_url

pytestmark = pytest.mark.django_db

ERIKA = CitizenIdentity(provider="test-saml", subject="s-1", given_name="Erika", family_name="Mustermann",
                        street="Bahnhofstraße", house_number="12a", postcode="66111", city="Saarbrücken",
                        email="erika@example.org", level="hoch")


def request_with_session():
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def test_login_url_carries_next_and_level():
    assert login_url(None, "/antrag/1/?schritt=2", "STORK-QAA-Level-4") == (
        "/anmeldung/?next=%2Fantrag%2F1%2F%3Fschritt%3D2&stufe=hoch")
    assert login_url(None, "/x/") == "/anmeldung/?next=%2Fx%2F"
    with pytest.raises(ValueError):
        login_url(None, "/x/", "sehr hoch")


def test_identity_round_trip_through_the_session():
    request = request_with_session()
    assert get_citizen_identity(request) is None
    user = login_citizen(request, ERIKA)
    assert get_citizen_identity(request) == ERIKA
    assert user.role == "citizen" and not user.has_usable_password()
    # Another user in the same session (e.g. staff logged in afterwards) never sees the citizen's identity.
    request.user = UserFactory()
    assert get_citizen_identity(request) is None
    request.session[SESSION_KEY] = {"broken": True}
    request.user = user
    assert get_citizen_identity(request) is None


def test_invalid_level_is_refused():
    with pytest.raises(ValueError):
        CitizenIdentity(provider="x", subject="y", level="STORK-QAA-Level-4")


def test_citizen_identity_never_reaches_a_staff_account():
    user = upsert_citizen(ERIKA)
    user.role = "kommune_staff"
    user.save()
    with pytest.raises(PermissionError):
        upsert_citizen(ERIKA)


def test_registry_offers_test_providers_only_when_switched_on(settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = False
    assert [p.identifier for p in register.enabled()] == []
    assert register.get_enabled("test-saml") is None
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True
    assert {p.identifier for p in register.enabled("hoch")} == {"test-saml", "test-oidc"}


def test_bundid_is_enabled_by_its_metadata_file(settings, tmp_path):
    assert register.get_enabled("bundid") is None
    metadata = tmp_path / "bundid.xml"
    metadata.write_text("<md:EntityDescriptor/>")
    settings.AMTSWEG_BUNDID_METADATA_FILE = str(metadata)
    assert register.get_enabled("bundid") is not None


def _start(client, provider):
    client.get("/anmeldung/")
    return client.post(f"/anmeldung/{provider}/start/", {"next": "/ziel/"}, follow=True)


def test_broken_bundid_metadata_gives_a_clear_message_not_a_500(settings, tmp_path, client, identity_key_dir):
    settings.AMTSWEG_IDENTITY_KEY_DIR = str(identity_key_dir)
    metadata = tmp_path / "bundid.xml"
    metadata.write_text("<kein-saml/>")
    settings.AMTSWEG_BUNDID_METADATA_FILE = str(metadata)
    answer = _start(client, "bundid")
    assert answer.status_code == 200
    assert "nicht erreichbar" in answer.content.decode()


def test_unreachable_oidc_provider_gives_a_clear_message(settings, client):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    settings.AMTSWEG_OIDC_ISSUER = f"http://127.0.0.1:{port}/realms/buerger"
    settings.AMTSWEG_OIDC_CLIENT_ID = "amtsweg"
    settings.AMTSWEG_OIDC_LABEL = "Servicekonto Saarland"
    page = client.get("/anmeldung/").content.decode()
    assert "Servicekonto Saarland" in page
    answer = _start(client, "oidc")
    assert "nicht erreichbar" in answer.content.decode()


def test_unknown_provider_is_refused_with_a_message(client):
    answer = _start(client, "gibt-es-nicht")
    assert "steht nicht zur Verfügung" in answer.content.decode()
