"""Impressum, Datenschutzerklärung and Erklärung zur Barrierefreiheit: the operator's texts, linked from every
page's footer, editable in the Django admin (issue 16, item 4)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from amtsweg.core import demo
from amtsweg.core.models import LegalPage

pytestmark = pytest.mark.django_db

LEGAL_URLS = ["/impressum/", "/datenschutz/", "/barrierefreiheit/"]


@pytest.mark.parametrize("page", ["catalogue:home", "catalogue:places", "core:sources", "routing:who_is_responsible",
                                  "assistants:list", "core:imprint"])
def test_every_public_page_links_the_three_legal_texts_in_its_footer(client, page):
    body = client.get(reverse(page)).content.decode()
    footer = body[body.index('<footer class="site-footer">'):]
    for url in LEGAL_URLS:
        assert f'href="{url}"' in footer


def test_the_operators_text_and_the_accessibility_feedback_contact_are_shown(client):
    LegalPage.objects.create(
        kind="barrierefreiheit", operator="IT-Zentrum Musterland", body="Erster Absatz.\n\nZweiter <b>Absatz</b>.",
        contact_email="barrierefrei@musterland.example", contact_phone="0681 1234")
    body = client.get("/barrierefreiheit/").content.decode()
    assert "<h1 class=\"kern-heading-large\">Erklärung zur Barrierefreiheit</h1>" in body
    assert "IT-Zentrum Musterland" in body and "<p class=\"kern-body\">Erster Absatz.</p>" in body
    assert "Zweiter &lt;b&gt;Absatz&lt;/b&gt;." in body  # the operator's text is text, never markup
    assert "Feedback und Kontakt" in body and 'href="mailto:barrierefrei@musterland.example"' in body
    assert "0681 1234" in body


def test_a_text_the_operator_has_not_published_says_so(client):
    response = client.get("/impressum/")
    assert response.status_code == 200
    assert "hat diesen Text noch nicht veröffentlicht" in response.content.decode()


def test_the_demo_publishes_all_three_and_keeps_the_operators_edits():
    demo.load_demo(io.StringIO())
    assert set(LegalPage.objects.values_list("kind", flat=True)) == set(LegalPage.Kind.values)
    assert all(page.contact_email for page in LegalPage.objects.all())
    LegalPage.objects.filter(kind="impressum").update(body="Eigener Text")
    demo.load_demo(io.StringIO())
    assert LegalPage.objects.get(kind="impressum").body == "Eigener Text"


def test_the_platform_operator_edits_a_text_in_the_admin(client):
    from amtsweg.accounts.testing import login_staff
    from amtsweg.accounts.tests.factories import UserFactory

    login_staff(client, UserFactory(username="root", is_superuser=True, is_staff=True, authority=None,
                                    role="land_operator"))
    response = client.post(reverse("admin:core_legalpage_add"), {
        "kind": "datenschutz", "operator": "IT-Zentrum Musterland", "body": "Wir verarbeiten wenig.",
        "contact_address": "", "contact_email": "dsb@musterland.example", "contact_phone": ""})
    assert response.status_code == 302
    assert "Wir verarbeiten wenig." in client.get("/datenschutz/").content.decode()
