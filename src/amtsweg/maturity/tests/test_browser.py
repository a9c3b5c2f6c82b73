"""Issue 17's "from not online to OZG-konform" in the browser (Debian chromium, axe on every maturity page).

A Kommune whose dog tax is only listed (Reifegrad 1.1 stage 1: the Land's central office is responsible
Land-wide, but its destination has no key yet, so nobody can apply online — issue 16 item 1: online is what the
intake does) follows its dashboard: the gap's action takes it to the shop, where it takes the service over
itself (going live registers its own responsibility with its own destination); the next action switches its
destination to Amtsweg-Sachbearbeitung; a citizen applies, the back office takes the application in and the case
worker sends the Bescheid into the citizen's Postfach. The dashboard, kept current by the incremental recompute (no full
run in between), then shows the service as OZG-konform (1.1 stage 3) with its 2.0 stage. The journey's
duration is printed (`maturity_journey_s`), never asserted.
"""

from __future__ import annotations

import time

import pytest

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.casework import receiving, vault
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import use_cached_keys
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.delivery import services as outbox
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.maturity import compute
from amtsweg.maturity.models import Area, Cell
from amtsweg.postfach.tests.factories import DETAILS, PERSON, browser_citizen
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KEY = "99102013000000"


@pytest.fixture
def listed_dog_tax(settings, monkeypatch):
    """A Kommune responsible for the dog tax (listed only), the shop's offer for it, everything measured."""
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_cached_keys(monkeypatch)
    admin = UserFactory(kommune_admin=True)
    authority = admin.authority
    service = OzgServiceFactory(name="Hundesteuer")
    leika = PublicServiceFactory(key=KEY, leika_type="5", name="Hundesteuer Anmeldung", ozg_services=[service])
    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key=KEY)
    destination = DestinationFactory(authority=authority, name="Steueramt Postfach")
    land_office = AuthorityFactory(land_office=True, land=authority.municipality.land)
    ResponsibilityFactory(destination=DestinationFactory(authority=land_office, keys=False), leika_key=KEY,
                          area_ars=authority.land_code)
    PostcodeAreaFactory(postcode="66111", municipality=authority.municipality)
    OfferFactory(name="Hundesteuer online", public_services=[leika], form_slug="testantrag",
                 land_code=authority.land_code)
    compute.recompute_all(actor=SYSTEM)
    yield admin, service, destination
    receiving.forget_cached_keys()
    vault.forget_cached_keys()


def _cell(admin, service) -> Cell:
    return Cell.objects.get(area=Area.objects.get(ars=admin.authority.area_ars), service=service)


def _gap_row(page, name: str):
    return page.locator("#gaps tr", has=page.get_by_role("link", name=name, exact=True))


def _apply(page, base: str) -> None:
    """The citizen fills in the test form (postcode of the Kommune) and submits it."""
    page.goto(f"{base}/antrag/testantrag/")
    page.get_by_role("button", name="Antrag starten").click()
    page.locator('[name="postcode"]').fill("66111")
    page.locator('[name="postcode"]').press("Enter")
    for data in (PERSON, DETAILS):
        page.wait_for_url("**/schritt/**")
        for name, value in data.items():
            if name == "action":
                continue
            field = page.locator(f'[name="{name}"]')
            if field.first.get_attribute("type") in ("radio", "checkbox"):
                page.locator(f'[name="{name}"][value="{value}"]').check()
            elif field.first.evaluate("e => e.tagName") == "SELECT":
                field.first.select_option(value)
            else:
                field.first.fill(value)
        page.locator('button.kern-btn--primary[name="action"][value="next"]').click()
    page.wait_for_url("**/schritt/**")
    page.locator('button.kern-btn--primary[name="action"][value="next"]').click()
    page.wait_for_url("**/pruefen/")
    page.locator('[name="declaration"]').check()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    page.wait_for_url("**/antrag/eingang/**")


def test_from_not_online_to_ozg_konform(live_server, page, browser, listed_dog_tax):
    admin, service, destination = listed_dog_tax
    base = live_server.url
    assert _cell(admin, service).level_v11 <= 1
    started = time.monotonic()

    # 1. the dashboard names the gap and its action: take the service over in the shop
    browser_login(page, base, admin)
    page.goto(f"{base}/verwaltung/reifegrad/")
    assert_no_axe_violations(page)
    row = _gap_row(page, "Hundesteuer")
    assert "kein Online-Antrag verfügbar" in row.inner_text()
    row.get_by_role("link", name="Leistung selbst übernehmen (Online-Dienst im Shop)").click()
    page.wait_for_url(f"{base}/verwaltung/shop/")
    page.get_by_role("link", name="Hundesteuer online").click()
    page.get_by_role("link", name="Übernehmen").click()
    page.get_by_label("Ich habe die Vereinbarung gelesen").check()
    page.get_by_role("button", name="Annehmen und weiter").click()
    page.get_by_label("Zuständige Stelle").fill("Steueramt")
    page.get_by_label("Kontakt-E-Mail").fill("steueramt@kommune.example")
    page.get_by_label("Zustellpunkt für die Anträge").select_option(label="Steueramt Postfach")
    page.get_by_role("button", name="Weiter zur Prüfung").click()
    page.get_by_role("button", name="Freischalten").click()
    page.wait_for_selector("h1:has-text('Meine Anschlüsse')")

    # 2. online now (stage 2); the next action connects Amtsweg-Sachbearbeitung as the receiving system
    page.goto(f"{base}/verwaltung/reifegrad/")
    row = _gap_row(page, "Hundesteuer")
    assert row.locator("td").nth(1).inner_text().strip() == "2"  # 1.1 stage, measured incrementally
    row.get_by_role("link", name="Amtsweg-Sachbearbeitung als Empfangssystem einschalten").click()
    page.wait_for_url("**/verwaltung/sachbearbeitung/empfangssystem/")
    page.get_by_role("button", name="Steueramt Postfach: Amtsweg-Sachbearbeitung wählen").click()
    page.wait_for_load_state()

    # 3. a citizen applies; the back office takes the application in (and accepts it, signed)
    citizen = browser.new_context(locale="de-DE").new_page()
    citizen.set_default_timeout(15_000)
    browser_citizen(citizen, base)
    _apply(citizen, base)
    outbox.run_until_idle()  # the delivery worker
    case = Case.objects.get(destination=destination)

    # 4. the case worker decides and sends the Bescheid into the citizen's Postfach
    page.goto(f"{base}/verwaltung/bescheidvorlagen/")
    page.get_by_label("Leistungsschlüssel (LeiKa, 14 Ziffern)").fill(KEY)
    page.get_by_label("Name der Vorlage").fill("Bewilligung")
    page.get_by_label("Überschrift des Bescheids").fill("Bescheid über $leistung")
    page.get_by_label("Text des Bescheids").fill("Ihr Antrag $vorgangsnummer ist $entscheidung.")
    page.get_by_role("button", name="Vorlage speichern").click()
    page.wait_for_selector("text=Die Vorlage ist gespeichert.")
    page.goto(f"{base}/verwaltung/postfach/{case.pk}/bescheid/")
    page.get_by_label("bewilligt", exact=True).check()
    page.get_by_role("button", name="Vorschau").click()
    page.get_by_role("button", name="Entscheiden und Bescheid zustellen").click()
    page.wait_for_selector("text=Der Bescheid ist im Postfach des Antragstellers.")
    citizen.goto(f"{base}/postfach/")
    assert citizen.get_by_text("Testantrag").count() >= 1
    citizen.context.close()

    # 5. the dashboard shows the service as OZG-konform with its 2.0 stage
    page.goto(f"{base}/verwaltung/reifegrad/")
    measured = _cell(admin, service)
    row = page.locator("#online-services tr", has=page.get_by_role("link", name="Hundesteuer", exact=True))
    text = row.inner_text()
    assert "Stufe 3 – OZG-konform" in text
    assert f"Stufe {measured.level_v2}" in row.locator("td").nth(1).inner_text()
    assert (measured.level_v11, measured.level_v2) == (3, 5)  # 2.0 stops before the e-Akte (case not closed)
    assert _gap_row(page, "Hundesteuer").count() == 0
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Hundesteuer", exact=True).first.click()
    page.wait_for_url(f"**/verwaltung/reifegrad/leistung/{service.pk}/")
    assert "OZG-konform" in page.inner_text("#levels")
    assert_no_axe_violations(page)
    print(f"\nmaturity_journey_s: {time.monotonic() - started:.1f}")
