"""Browser (Debian chromium, axe): the legal pages linked in the footer, the start page's data-protection notice
and login offer, the SEPA mandate beside the Hundesteuer's IBAN (issue 16, item 4)."""

import io
import os

import pytest
from playwright.sync_api import expect

from amtsweg.assistants.demo import load_demo
from amtsweg.core import demo as core_demo
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.geo.tests.factories import PostcodeAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("AMTSWEG_SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_footer_leads_to_the_legal_pages_and_they_are_accessible(live_server, page):
    core_demo.load_demo(io.StringIO())
    page.goto(f"{live_server.url}/")
    for link, heading in (("Impressum", "Impressum"), ("Datenschutz", "Datenschutzerklärung"),
                          ("Barrierefreiheit", "Erklärung zur Barrierefreiheit")):
        page.locator("footer").get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading)
        assert_no_axe_violations(page)
        shot(page, f"legal-{link}")
    assert page.get_by_role("heading", name="Feedback und Kontakt").is_visible()
    assert page.get_by_role("link", name="barrierefreiheit@amtsweg.example").is_visible()


def test_start_page_and_direct_debit_step(live_server, page, test_intake, settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True  # a login to offer, as in the demo
    load_demo(io.StringIO())
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/antrag/hundesteuer/")
    assert page.get_by_role("heading", name="Datenschutz", exact=True).is_visible()
    assert page.get_by_role("link", name="Datenschutzerklärung lesen").is_visible()
    assert page.get_by_role("link", name="Anmelden", exact=True).is_visible()
    assert_no_axe_violations(page)
    shot(page, "start-hundesteuer")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#start-application")
    page.fill("#f-postcode", "66111")
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/halter/")
    page.fill("#f-vorname", "Erika")
    page.fill("#f-familienname", "Mustermann")
    page.fill("#f-geburtsdatum", "12.08.1964")
    page.fill("#f-anschrift-street", "Rathausplatz")
    page.fill("#f-anschrift-house_number", "1")
    page.fill("#f-anschrift-postcode", "66111")
    page.fill("#f-anschrift-place", "Saarbrücken")
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/hund/")
    page.fill("#f-hund_name", "Bello")
    page.select_option("#f-rasse", "dackel")
    page.fill("#f-wurfdatum", "01.01.2020")
    page.fill("#f-haltungsbeginn", page.evaluate("new Date().toLocaleDateString('de-DE', "
                                                 "{day: '2-digit', month: '2-digit', year: 'numeric'})"))
    page.check("#f-listenhund-1")
    page.check("#f-ermaessigung-0")
    page.keyboard.press("Enter")  # the default button is "Weiter"
    page.wait_for_url("**/schritt/zahlung/")
    mandate = page.locator(".sepa-mandate")
    assert not mandate.is_visible()  # only once direct debit is chosen
    page.check("#f-lastschrift-0")
    assert mandate.is_visible()
    assert "Ich ermächtige die zuständige Stelle (Zahlungsempfänger)" in mandate.inner_text()
    assert_no_axe_violations(page)
    shot(page, "sepa-mandate")
