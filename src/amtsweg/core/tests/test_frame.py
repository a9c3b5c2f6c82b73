"""The page frame on staff pages (issue 16): the navigation shows the current section, selects say "Bitte wählen"."""

import pytest
from django import forms
from django.utils import translation

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db

CURRENT = ' aria-current="page">'


def _current_entries(html: str) -> list[str]:
    """The labels of the main navigation's links marked as the current section."""
    nav = html.split('aria-label="Hauptnavigation"', 1)[1].split("</nav>", 1)[0]
    return [part.split("</a>", 1)[0] for part in nav.split(CURRENT)[1:]]


@pytest.mark.parametrize("path", ["/verwaltung/", "/verwaltung/zustellpunkte/", "/verwaltung/formulare/",
                                  "/verwaltung/shop/", "/konto/profil/"])
def test_staff_pages_mark_verwaltung_and_no_citizen_section(client, path):
    admin = UserFactory(kommune_admin=True)
    login_staff(client, admin)
    response = client.get(path)
    assert response.status_code == 200, path
    assert _current_entries(response.text) == ["Verwaltung"], path


def test_citizen_pages_keep_their_own_section(client):
    assert _current_entries(client.get("/zustaendigkeit/").text) == ["Wer ist zuständig?"]
    assert _current_entries(client.get("/orte/").text) == ["Orte"]


def test_the_empty_choice_of_selects_is_german_with_an_english_translation(client):
    operator = UserFactory(land_operator=True)
    AuthorityFactory(), AuthorityFactory()
    login_staff(client, operator)
    page = client.get("/verwaltung/konten/neu/").text
    assert "– Bitte wählen –" in page and "Select an option" not in page

    from amtsweg.accounts.models import Authority

    field = forms.ModelChoiceField(queryset=Authority.objects.all(), required=False)
    assert list(field.choices)[0][1] == "– Bitte wählen –"
    with translation.override("en"):
        assert str(list(field.choices)[0][1]) == "– Please choose –"
