"""Issue 16's "Done when": a citizen walks from the start page's search ("Hund anmelden", the example printed
under the search field) to the receipt, in Debian's chromium with axe on every page, on the Saarland demo as
`amtsweg demo` sets it up. Twice: for Saarbrücken, whose Kommune took the Hundesteuer over from the Land's shop
and receives it itself, and for Homburg, whose Kommune is not connected, where the Land-wide responsibility
(the Landesverwaltungsamt's Zentrale Antragsstelle, routing demo) receives it. Each page must name the same
office: "Wer ist zuständig?", the place step and the receipt.

The demo's reference data, destinations with 4096-bit keys and forms are set up once for both walks (one test),
like tests/test_end_to_end.py does, because that costs about a minute. Screenshots go to
AMTSWEG_SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date

import pytest
from django.core.management import call_command

from amtsweg.assistants.models import Receipt
from amtsweg.core.management.commands.demo import load_app_demos
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("AMTSWEG_SCREENSHOT_DIR")
# the Kommune's shop offer names the link where it took the service over, the form's title elsewhere
FORM_LINK = re.compile(r"^Online beantragen: Hundesteuer")
# (postcode, Gemeinde as the place step names it, the office that receives the application)
CONNECTED = ("66111", "Saarbrücken", "Bürgeramt Saarbrücken")
NOT_CONNECTED = ("66424", "Homburg", "Landesverwaltungsamt Saarland – Zentrale Antragsstelle")


def _forget_routing_caches() -> None:
    """Routing's index and the intake's key cache live per process, keyed by a counter that restarts with every
    test database: this test must encrypt for the keys its own demo generated."""
    from amtsweg.routing.resolution import invalidate
    from amtsweg.submissions import intake

    invalidate(bump=False)
    intake._key_cache.clear()


@pytest.fixture
def saarland_demo_site(settings, live_server, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True  # as bin/demo switches them on
    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    _forget_routing_caches()
    call_command("import_reference", stdout=io.StringIO(), stderr=io.StringIO())
    err = io.StringIO()
    loaded, failed = load_app_demos(io.StringIO(), err)
    assert not failed, err.getvalue()
    assert {"routing", "assistants", "submissions", "shop"} <= set(loaded)
    yield live_server.url
    _forget_routing_caches()


def _checked(page, name: str) -> None:
    """axe finds nothing on this page; a screenshot to look at."""
    assert_no_axe_violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/journey-{name}.png", full_page=True)


def _walk(page, base_url: str, postcode: str, gemeinde: str, office: str) -> str:
    """From the start page to the receipt; returns the receipt's reference."""
    tag = gemeinde.lower()
    page.goto(f"{base_url}/")
    _checked(page, f"{tag}-01-start")
    page.get_by_label("Leistung suchen").fill("Hund anmelden")
    page.keyboard.press("Enter")
    page.wait_for_url("**/leistungen/?q=Hund+anmelden")
    _checked(page, f"{tag}-02-search")
    # Follow the result by its name, wherever the ranking puts it: the LeiKa-Leistung "Hundesteuer" where the
    # search lists it, else the OZG-Leistung "Hundehaltung" it belongs to (both lead to the same page)
    results = page.locator(".search-results")
    link = results.get_by_role("link", name=re.compile(r"^Hundesteuer$"))
    if not link.count():
        link = results.get_by_role("link", name="Hundehaltung", exact=True)
    link.first.click()
    page.wait_for_url(re.compile(r"/leistungen/10160/(#.*)?$"))
    # the citizen's questions in their order, answered from the form where it knows, else "Angaben folgen"
    main = page.locator("main")
    questions = [h.inner_text() for h in main.locator("section.service-question h2").all()]
    assert questions == ["Worum geht es?", "Wer kann die Leistung beantragen?", "Was kostet es?",
                         "Welche Unterlagen brauchen Sie?", "Wie lange dauert es?", "Rechtsgrundlage",
                         "Online beantragen"], questions
    assert "Melden Sie Ihren Hund zur Hundesteuer an." in main.inner_text()
    assert "Nachweis Wesenstest" in main.inner_text()
    _checked(page, f"{tag}-03-service")
    page.get_by_role("link", name="Hundesteuer online anmelden").click()
    page.wait_for_url("**/zustaendigkeit/**")
    page.get_by_label("Ihr Ort: Postleitzahl oder Name der Gemeinde").fill(postcode)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/zustaendigkeit/?*ort={postcode}")
    assert page.get_by_role("heading", name=office).is_visible()
    assert gemeinde in page.locator("main").inner_text()
    _checked(page, f"{tag}-04-responsible")
    page.get_by_role("link", name=FORM_LINK).click()
    page.wait_for_url("**/antrag/hundesteuer/**")
    _checked(page, f"{tag}-05-form-start")
    page.get_by_role("button", name="Antrag starten").click()
    page.wait_for_url(re.compile(r"/ort/(\?|$)"))
    # the place chosen on "Wer ist zuständig?" comes along (?ars=): filled in, its office named at once
    assert page.get_by_label("Postleitzahl").input_value() == postcode
    assert office in page.locator("main").inner_text()
    page.get_by_label("Postleitzahl").press("Enter")
    page.wait_for_url("**/schritt/halter/")
    page.get_by_label("Vorname").fill("Erika")
    page.get_by_label("Familienname").fill("Mustermann")
    page.get_by_label("Geburtsdatum").fill("12.08.1964")
    page.fill("#f-anschrift-street", "Rathausplatz")
    page.fill("#f-anschrift-house_number", "1")
    page.fill("#f-anschrift-postcode", postcode)
    page.fill("#f-anschrift-place", gemeinde)
    _checked(page, f"{tag}-06-holder")
    page.keyboard.press("Enter")  # the default button is "Weiter"
    page.wait_for_url("**/schritt/hund/")
    page.fill("#f-hund_name", "Bello")
    page.select_option("#f-rasse", "dackel")
    page.fill("#f-wurfdatum", "01.01.2020")
    page.fill("#f-haltungsbeginn", date.today().strftime("%d.%m.%Y"))
    page.check("#f-listenhund-1")
    page.check("#f-ermaessigung-0")
    _checked(page, f"{tag}-07-dog")
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/zahlung/")
    page.check("#f-lastschrift-0")
    page.fill("#f-kontoinhaber", "Erika Mustermann")
    page.fill("#f-iban", "DE02 1203 0000 0000 2020 51")
    _checked(page, f"{tag}-08-payment")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pruefen/")
    summary = page.locator("main").inner_text()
    assert "Bello" in summary and gemeinde in summary
    _checked(page, f"{tag}-09-summary")
    page.get_by_label("Ich versichere, dass meine Angaben vollständig und richtig sind.").check()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    page.wait_for_url("**/antrag/eingang/**")
    receipt = page.locator("main").inner_text()
    assert "Ihr Antrag ist eingegangen" in receipt
    assert office in receipt, receipt
    # the direct debit's mandate is repeated with the payee's Gläubiger-ID (routing demo's IDs)
    mandate = page.locator(".receipt-mandate").inner_text()
    assert office in mandate and re.search(r"DE\d\dZZZ\d{11}", mandate), mandate
    _checked(page, f"{tag}-10-receipt")
    return Receipt.objects.latest("submitted_at").reference


def test_hund_anmelden_from_search_to_receipt_for_a_connected_and_an_unconnected_place(saarland_demo_site, page):
    references = {}
    for postcode, gemeinde, office in (CONNECTED, NOT_CONNECTED):
        references[office] = _walk(page, saarland_demo_site, postcode, gemeinde, office)
    for office, reference in references.items():
        submission = Submission.objects.select_related("destination__authority").get(public_reference=reference)
        assert submission.destination.authority.name == office  # routed where every page said it would go
