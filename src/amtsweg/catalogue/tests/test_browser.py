"""Every public catalogue page in Debian's chromium: axe-core (WCAG 2.1 AA) finds nothing; keyboard and no-JS use."""

import os

import pytest
from playwright.sync_api import expect

from amtsweg.catalogue.tests.public_pages import build_catalogue, build_places
from amtsweg.core.testing import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data():
    return build_catalogue(), build_places()


PAGES = [
    ("/", "Verwaltungsleistungen finden"),
    ("/themenfelder/9/", "Mobilität & Reisen"),
    ("/lebenslagen/25/", "Führerschein"),
    ("/leistungen/10348/", "Sondernutzung von Straßen und Verkehrsraumeinschränkung"),
    ("/leistungen/10160/", "Hundehaltung"),
    ("/leistungen/?q=Strasse", "Leistungen suchen"),
    ("/leistungen/?q=Mondlandung", "Leistungen suchen"),
    ("/leistungen/?q=ab", "Leistungen suchen"),
    ("/orte/", "Gemeinde finden"),
    ("/orte/?q=voelklingen", "Gemeinde finden"),
    ("/orte/?q=66484", "Gemeinde finden"),
    ("/orte/?q=12ab", "Gemeinde finden"),
    ("/orte/100410100100/", "Saarbrücken, Landeshauptstadt"),
    ("/orte/100410519519/", "Völklingen, Stadt"),
    ("/quellen/", "Quellen und Lizenzen"),
]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_public_page_has_no_axe_violations(live_server, page, data, path, heading):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert page.locator("h1").inner_text() == heading
    assert page.locator("html").get_attribute("lang") == "de"
    assert_no_axe_violations(page)


def test_page_content_as_a_citizen_sees_it(live_server, page, data):
    page.goto(f"{live_server.url}/leistungen/?q=Strasse")
    results = page.locator(".search-hit")
    assert results.count() == 1
    assert "Sondernutzung von Straßen" in results.first.inner_text()
    page.goto(f"{live_server.url}/leistungen/?q=Mondlandung")
    assert "keine Leistung gefunden" in page.get_by_role("status").inner_text()
    page.goto(f"{live_server.url}/orte/?q=66484")
    rows = page.locator("table.place-table tbody tr")
    assert rows.count() == 3
    assert all("Südwestpfalz" in rows.nth(i).inner_text() for i in range(3))


def test_error_message_is_announced_and_linked_to_the_field(live_server, page, data):
    page.goto(f"{live_server.url}/orte/?q=12ab")
    field = page.get_by_label("Postleitzahl oder Ort")
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + field.get_attribute("aria-describedby").split()[-1])
    assert "„12ab“ ist weder eine Postleitzahl noch ein Ortsname" in error.inner_text()
    assert error.get_attribute("role") == "alert"
    assert field.input_value() == "12ab"


def test_english_home_page_after_switching_language(live_server, page, data):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Find public services"
    assert "5 OZG services in 4 subject areas" in page.locator("main").inner_text()
    assert_no_axe_violations(page)


def test_keyboard_only_search_and_navigation(live_server, page, data):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    # Tab through the page until the search field has focus; type and submit with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-search":
            break
    assert page.evaluate("document.activeElement.id") == "home-search"
    page.keyboard.type("Fuehrerschein")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leistungen/?q=Fuehrerschein")
    first_result = page.locator(".search-hit a").first
    first_result.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/leistungen/10169/")
    assert page.locator("h1").inner_text() == "Führerschein"


def test_pages_work_without_javascript(live_server, browser, data):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_label("Postleitzahl oder Ort").fill("66484")
        page.get_by_role("button", name="Gemeinde finden").click()
        page.wait_for_url("**/orte/?q=66484")
        page.get_by_role("link", name="Battweiler").click()
        page.wait_for_url("**/orte/073405008202/")
        assert "667" in page.locator("main").inner_text()
        page.get_by_label("Sprache").select_option("en")
        page.get_by_role("button", name="Wechseln").click()
        page.wait_for_url("**/orte/073405008202/")
        assert "Population" in page.locator("main").inner_text()
    finally:
        context.close()


def test_service_page_keeps_the_keys_in_a_closed_details_section(live_server, page, data):
    """Issue 16, item 3: the citizen reads where to apply and the legal basis; the keys stay folded away."""
    page.goto(f"{live_server.url}/leistungen/10160/")
    assert page.get_by_role("heading", name="Wo beantragen Sie die Leistung?").is_visible()
    assert not page.locator(".leika-key").first.is_visible()
    page.locator("details.service-details summary").click()
    expect(page.locator(".leika-key").first).to_be_visible()
    assert_no_axe_violations(page)
    if os.environ.get("AMTSWEG_SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['AMTSWEG_SCREENSHOT_DIR']}/service-10160.png", full_page=True)
