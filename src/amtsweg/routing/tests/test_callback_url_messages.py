"""A malformed callback address gets one specific, formal message, never "fehlt die Adresse" on top."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from amtsweg.accounts.forms import AuthorityContactForm
from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.routing.forms import DestinationEditForm, DestinationForm
from amtsweg.routing.tests.factories import DestinationFactory

pytestmark = pytest.mark.django_db

MALFORMED = ["kein-url-sondern-text", "https://2130706433/", "https://example.de/" + "a" * 2100]


def _assert_one_formal_message(errors: list[str]) -> None:
    assert len(errors) == 1, errors
    assert errors[0].startswith("Bitte geben Sie eine gültige https-Adresse"), errors
    assert "fehlt" not in errors[0] and "Gib " not in errors[0]


@pytest.mark.parametrize("url", MALFORMED)
def test_the_edit_form_names_one_reason_for_a_malformed_callback_address(url):
    destination = DestinationFactory(callback_url="", channels=["pull"])
    form = DestinationEditForm({"name": destination.name, "channels": ["callback"], "callback_url": url,
                                "status": destination.status}, instance=destination)
    assert not form.is_valid()
    _assert_one_formal_message(form.errors["callback_url"])


@pytest.mark.parametrize("url", MALFORMED)
def test_the_create_form_names_one_reason_for_a_malformed_callback_address(url):
    form = DestinationForm({"name": "Eingang", "channels": ["callback"], "callback_url": url}, user=AnonymousUser())
    form.is_valid()
    _assert_one_formal_message(form.errors["callback_url"])


def test_a_missing_callback_address_still_says_it_is_missing():
    form = DestinationForm({"name": "Eingang", "channels": ["callback"], "callback_url": ""}, user=AnonymousUser())
    form.is_valid()
    assert form.errors["callback_url"] == ["Für die Zustellung per Callback fehlt die Adresse."]


def test_the_authoritys_website_gets_a_formal_message():
    authority = AuthorityFactory()
    form = AuthorityContactForm({"website": "kein-url-sondern-text"}, instance=authority)
    assert not form.is_valid()
    assert len(form.errors["website"]) == 1
    assert form.errors["website"][0].startswith("Bitte geben Sie eine gültige Internetadresse")
