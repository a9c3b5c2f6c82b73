"""Citizen login through amtsweg.identity: required level, prefill, level in the payload, drafts in the account."""

from unittest import mock

import pytest
from django.urls import reverse

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.assistants.models import Draft
from amtsweg.identity.session import SESSION_KEY, CitizenIdentity

from .factories import FormDefinitionFactory, FormVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def identity_providers_on(settings):
    """A login is offered only while a provider can be chosen: the embedded test providers are."""
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True


def login_citizen(client, level: str, subject: str = "bpk2-erika", birth_date: str = "") -> None:
    user = UserFactory(citizen=True, username=subject)
    client.force_login(user)
    identity = CitizenIdentity(provider="test-saml", subject=subject, given_name="Erika", family_name="Mustermann",
                               street="Rathausplatz", house_number="1", postcode="66111", city="Saarbrücken",
                               email="erika@example.org", level=level, birth_date=birth_date)
    session = client.session
    session[SESSION_KEY] = {**identity.as_session(), "user_id": str(user.pk)}
    session.save()


@pytest.fixture
def strict_form(db):
    return FormVersionFactory(published=True, form=FormDefinitionFactory(slug="streng", requires_substantial=True))


def test_form_with_minimum_level_sends_to_login(client, strict_form):
    page = client.get(reverse("assistants:start", args=["streng"])).content.decode()
    assert "Vertrauensniveau" in page and "Jetzt anmelden" in page and "Antrag starten" not in page
    assert client.post(reverse("assistants:start", args=["streng"])).status_code == 200
    assert not Draft.objects.exists()


def test_too_low_level_is_not_enough(client, strict_form):
    login_citizen(client, "niedrig")
    page = client.get(reverse("assistants:start", args=["streng"])).content.decode()
    assert "Jetzt anmelden" in page
    assert "substantiell" in page


def test_login_prefills_and_level_goes_into_the_payload(client, strict_form, postcode, test_intake):
    login_citizen(client, "substantiell")
    place_url = client.post(reverse("assistants:start", args=["streng"]))["Location"]
    assert 'value="66111"' in client.get(place_url).content.decode()  # postcode from the account
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    page = client.get(step1).content.decode()
    assert 'value="Erika"' in page and 'value="Mustermann"' in page and 'value="Rathausplatz"' in page
    assert 'value="erika@example.org"' in page
    step2 = client.post(step1, {"given_name": "Erika", "family_name": "Mustermann", "birth_date": "01.01.1970",
                                "address-street": "Rathausplatz", "address-house_number": "1",
                                "address-postcode": "66111", "address-place": "Saarbrücken",
                                "action": "next"})["Location"]
    step3 = client.post(step2, {"has_pet": "nein", "colour": "rot", "action": "next"})["Location"]
    summary = client.post(step3, {"action": "next"})["Location"]
    client.post(summary, {"declaration": "yes"})
    (payload,) = test_intake
    assert payload.auth_level == "substantiell" and payload.auth_provider == "test-saml"


def test_draft_found_again_through_the_account(client, strict_form, postcode):
    login_citizen(client, "hoch")
    client.post(reverse("assistants:start", args=["streng"]))
    draft = Draft.objects.get()
    assert draft.owner_key
    client.cookies.clear()  # a new session, same account
    login_citizen(client, "hoch")
    page = client.get(reverse("assistants:start", args=["streng"])).content.decode()
    assert f"/antrag/streng/{draft.id}/pruefen/" in page
    assert client.get(reverse("assistants:place", args=["streng", draft.id])).status_code == 200
    client.cookies.clear()
    login_citizen(client, "hoch", subject="someone-else")
    assert client.get(reverse("assistants:place", args=["streng", draft.id])).status_code == 404


def test_a_hook_of_an_app_that_is_not_installed_is_off(settings):
    from amtsweg.assistants import integrations

    settings.AMTSWEG_PAYMENT_MODULE = "amtsweg.nowhere.payments"
    settings.AMTSWEG_IDENTITY_GETTER = "amtsweg.nowhere.get_identity"
    assert integrations.payment_services() is None
    assert integrations.citizen_identity(None) is None


def test_hooks_are_looked_up_once_until_the_installed_apps_change(settings):
    """Every page of the form asks the hooks (the citizen's identity, levels, fee) several times: the app
    registry is scanned for the hook's app once per process, not on every call (issue 18); other installed
    apps (as tests switch them) are asked again."""
    from django.apps import apps
    from django.core.signals import setting_changed

    from amtsweg.assistants import integrations

    settings.AMTSWEG_IDENTITY_SATISFIES = "amtsweg.identity.levels.satisfies"
    assert integrations.level_satisfies("hoch", "substantiell")
    with mock.patch.object(apps, "get_containing_app_config", wraps=apps.get_containing_app_config) as scan:
        assert integrations.level_satisfies("hoch", "substantiell")
        assert not integrations.level_satisfies("niedrig", "substantiell")
        assert scan.call_count == 0
        # what Django sends when a test changes the installed apps (re-installing them here would register the
        # apps' plugins twice)
        setting_changed.send(sender=None, setting="INSTALLED_APPS", value=settings.INSTALLED_APPS, enter=True)
        assert integrations.level_satisfies("hoch", "substantiell")
        assert scan.call_count == 1


def test_a_broken_hook_inside_an_installed_app_fails_loudly(settings):
    """No silently swallowed ImportError (issue 13 item 9): a typo must not switch payments off."""
    from amtsweg.assistants import integrations

    settings.AMTSWEG_PAYMENT_MODULE = "amtsweg.payments.no_such_module"
    with pytest.raises(ImportError):
        integrations.payment_services()
    settings.AMTSWEG_IDENTITY_GETTER = "amtsweg.identity.session.no_such_getter"
    with pytest.raises(ImportError):
        integrations.citizen_identity(None)


def test_birth_date_is_prefilled_when_the_login_provides_it(client, strict_form, postcode):
    """Issue 16, item 5: the eID sends the birth date; the citizen should not have to type it again."""
    login_citizen(client, "substantiell", birth_date="1964-08-12")
    place_url = client.post(reverse("assistants:start", args=["streng"]))["Location"]
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    assert 'value="12.08.1964"' in client.get(step1).content.decode()

