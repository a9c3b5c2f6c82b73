"""Browser tests in Debian's chromium with axe (WCAG 2.1 AA): the citizen page and the staff destination pages."""

import json
import re

import pytest
from playwright.sync_api import expect

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.routing.tests.factories import cached_keypair, public_jwk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_finds_the_responsible_office(live_server, page, hundesteuer):
    PublicServiceFactory(hundesteuer=True)
    page.goto(f"{live_server.url}/zustaendigkeit/")
    assert_no_axe_violations(page)
    page.get_by_label("Leistung", exact=True).fill("Hundesteuer")
    page.get_by_role("button", name="Leistung suchen").click()
    page.get_by_role("link", name="Hundesteuer").click()
    assert_no_axe_violations(page)
    page.get_by_label("Ihr Ort: Postleitzahl oder Name der Gemeinde").fill("66333")
    page.get_by_role("button", name="Zuständige Stelle finden").click()
    page.get_by_role("heading", name="Welche Gemeinde meinen Sie?").wait_for()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Völklingen, Mittelstadt (Völklingen)").click()
    page.get_by_role("heading", name=hundesteuer["kreis"].authority.name).wait_for()
    assert_no_axe_violations(page)
    # an unknown place is an error linked to the field
    page.get_by_label("Ihr Ort: Postleitzahl oder Name der Gemeinde").fill("Atlantis")
    page.get_by_role("button", name="Zuständige Stelle finden").click()
    field = page.get_by_label("Ihr Ort: Postleitzahl oder Name der Gemeinde")
    assert field.get_attribute("aria-invalid") == "true"
    assert "ort-error" in field.get_attribute("aria-describedby")
    assert_no_axe_violations(page)


LINES = """(el) => {  // line boxes of an element's own text (its link's text, if it holds a link)
    const node = (el.querySelector("a") || el).firstChild;
    const range = document.createRange();
    range.selectNodeContents(node);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_contact_card_terms_and_short_values_never_break_mid_word(live_server, page, hundesteuer, width):
    """Terms stay whole; on a wide screen an e-mail address or a website fits on its line beside its term."""
    service = PublicServiceFactory(hundesteuer=True)
    assert service.key == hundesteuer["sb"].leika_key
    office = hundesteuer["sb"].authority
    office.city, office.email = "Saarbrücken", "buergeramt@saarbruecken.example"
    office.opening_hours = "Mo, Di, Mi 8–16 Uhr\nDo 8–18 Uhr\nFr 8–12 Uhr"
    office.save()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/zustaendigkeit/?key={service.key}&ort=66111")
    card = page.locator(".routing-office")
    card.get_by_role("heading", name=office.name).wait_for()
    terms = card.locator("dt")
    assert terms.all_inner_texts() == ["Anschrift", "Telefon", "E-Mail", "Webseite", "Öffnungszeiten"]
    for term in terms.all():
        assert term.evaluate(LINES) == 1, term.inner_text()
    card_box = card.bounding_box()
    for value in card.locator("dd").all():
        box = value.bounding_box()
        assert box["x"] + box["width"] <= card_box["x"] + card_box["width"]
    if width >= 768:  # a term column beside the values, as wide as the longest term
        for value in (office.email, office.website):
            assert card.locator("dd", has_text=value).evaluate(LINES) == 1, value
        term_box, value_box = terms.last.bounding_box(), card.locator("dd").last.bounding_box()
        assert value_box["x"] > term_box["x"] + term_box["width"] and abs(value_box["y"] - term_box["y"]) < 12
    assert_no_axe_violations(page)


def test_staff_destination_pages(live_server, page, offices):
    staff = UserFactory(authority=offices["sb"].authority)
    browser_login(page, live_server.url, staff)
    page.goto(f"{live_server.url}/verwaltung/zustellpunkte/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Zustellpunkt anlegen").click()
    assert_no_axe_violations(page)
    # a private key pasted by mistake: refused, field emptied, error linked
    private = cached_keypair(0).as_dict(private=True) | {"kid": "private-0001"}
    page.get_by_label("Name des Zustellpunkts").fill("Steueramt")
    page.get_by_label("Abruf über die Submission-API").check()
    page.get_by_label("Verschlüsselungsschlüssel (JWK)").fill(json.dumps(private))
    page.get_by_role("button", name="Speichern").click()
    key_field = page.get_by_label("Verschlüsselungsschlüssel (JWK)")
    expect(key_field).to_have_value("")
    expect(key_field).to_have_attribute("aria-describedby", re.compile(r"\bid_encryption_key_error\b"))
    expect(page.locator("body")).to_contain_text("privater Schlüssel")
    assert_no_axe_violations(page)
    key_field.fill(json.dumps(public_jwk("encryption", "browser-key-01")))
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Callback-Geheimnis – wird nur jetzt angezeigt").wait_for()
    assert_no_axe_violations(page)
    page.get_by_label("Neuer öffentlicher Schlüssel (JWK)").fill(json.dumps(public_jwk("encryption", "browser-key-02",
                                                                                       number=1)))
    page.get_by_role("button", name="Schlüssel aktivieren").click()
    page.get_by_text("Übergangsfrist", exact=True).wait_for()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/verwaltung/zustaendigkeiten/")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/verwaltung/zustaendigkeiten/import/")
    assert_no_axe_violations(page)
