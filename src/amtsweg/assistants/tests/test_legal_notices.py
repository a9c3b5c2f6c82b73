"""A form's start page: data-protection notice and the offer to log in; the SEPA mandate text wherever a form
collects an account for direct debit (issue 16, item 4)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from amtsweg.assistants import demo
from amtsweg.assistants.models import FormDefinition
from amtsweg.assistants.tests.flows import PERSON, start

from .factories import FormVersionFactory, sample_definition

pytestmark = pytest.mark.django_db


def test_start_page_shows_the_data_protection_notice_with_a_link(client, published):
    body = client.get(reverse("assistants:start", args=["testantrag"])).content.decode()
    assert "Ihre Angaben werden nur für diesen Antrag verarbeitet" in body
    assert f'href="{reverse("core:privacy")}"' in body


def test_start_page_of_a_service_without_login_offers_it(client, published, settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True
    body = client.get(reverse("assistants:start", args=["testantrag"])).content.decode()
    assert "Mit Nutzerkonto anmelden (freiwillig)" in body
    assert f'href="{reverse("identity:choose")}?next=%2Fantrag%2Ftestantrag%2F"' in body


def test_the_place_chosen_before_login_survives_the_login(client, published, settings):
    """Issue 16: "Wer ist zuständig?" links to the form with the citizen's place (?ars=); the login offered on
    the start page returned to the bare start page, so the place was asked for again after logging in. Only a
    Gemeinde's ARS is carried along, nothing else of the query."""
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True
    url = reverse("assistants:start", args=["testantrag"])
    body = client.get(url, {"ars": "100410100100", "x": "<b>"}).content.decode()
    assert f'href="{reverse("identity:choose")}?next=%2Fantrag%2Ftestantrag%2F%3Fars%3D100410100100"' in body
    body = client.get(url, {"ars": "javascript:alert(1)"}).content.decode()
    assert f'href="{reverse("identity:choose")}?next=%2Fantrag%2Ftestantrag%2F"' in body
    FormVersionFactory(published=True, form__slug="mitlogin", form__requires_substantial=True)
    body = client.get(reverse("assistants:start", args=["mitlogin"]), {"ars": "100410100100"}).content.decode()
    assert "next=%2Fantrag%2Fmitlogin%2F%3Fars%3D100410100100&amp;stufe=substantiell" in body


def test_no_login_is_offered_when_no_identity_provider_is_configured(client, published, settings):
    """A walk found the offer on an installation without BundID or OpenID: its chooser listed nothing."""
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = False
    settings.AMTSWEG_BUNDID_METADATA_FILE = ""
    settings.AMTSWEG_OIDC_ISSUER = ""
    body = client.get(reverse("assistants:start", args=["testantrag"])).content.decode()
    assert "Mit Nutzerkonto anmelden (freiwillig)" not in body and reverse("identity:choose") not in body
    FormVersionFactory(published=True, form__slug="mitlogin", form__requires_substantial=True)
    body = client.get(reverse("assistants:start", args=["mitlogin"])).content.decode()
    assert "Die Anmeldung ist zurzeit nicht verfügbar." in body and "Jetzt anmelden" not in body
    assert "Mit Bürgerkonto anmelden" not in client.get(reverse("postfach:index")).content.decode()


def test_start_page_of_a_service_requiring_login_asks_for_it_once(client, settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True
    FormVersionFactory(published=True, form__slug="mitlogin", form__requires_substantial=True)
    body = client.get(reverse("assistants:start", args=["mitlogin"])).content.decode()
    assert "Jetzt anmelden" in body and "Mit Nutzerkonto anmelden (freiwillig)" not in body


def test_an_iban_for_direct_debit_comes_with_the_sepa_mandate_text(client, postcode):
    definition = sample_definition()
    iban = next(f for f in definition["steps"][1]["fieldsets"][0]["fields"] if f["id"] == "iban")
    iban["sepa_mandate"] = True
    FormVersionFactory(published=True, form__slug="testantrag", definition=definition)
    url = client.post(start(client), {"postcode": "66111", "action": "next"})["Location"]
    assert "SEPA-Lastschriftmandat" not in client.get(url).content.decode()  # the person step has no IBAN
    details = client.get(client.post(url, PERSON)["Location"]).content.decode()
    assert "SEPA-Lastschriftmandat" in details
    assert "Ich ermächtige die zuständige Stelle (Zahlungsempfänger)" in details
    assert "acht Wochen" in details


def test_every_demo_form_that_collects_an_iban_shows_the_mandate():
    demo.load_demo(io.StringIO())

    for form in FormDefinition.objects.all():
        for step in form.published_version().definition["steps"]:
            for fieldset in step["fieldsets"]:
                for field in fieldset["fields"]:
                    if field["type"] == "iban":
                        assert field.get("sepa_mandate"), (form.slug, field["id"])
