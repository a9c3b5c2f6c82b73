"""Browser tests of the shop in Debian's chromium, with axe-core on every shop page."""

from datetime import date

import pytest

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.shop.routing_link import online_link
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kommune_admin_takes_over_a_service_and_it_goes_live(live_server, page):
    admin = UserFactory(kommune_admin=True)
    service = PublicServiceFactory(hundesteuer=True)
    offer = OfferFactory(name="Hundesteuer online", public_services=[service])
    DestinationFactory(authority=admin.authority, name="Steueramt Postfach")
    browser_login(page, live_server.url, admin)

    page.goto(f"{live_server.url}/verwaltung/shop/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Hundesteuer online").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Übernehmen").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Annehmen und weiter").click()  # without ticking: error announced
    assert page.locator("#error-summary[role=alert]").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Ich habe die Vereinbarung gelesen").check()
    page.get_by_role("button", name="Annehmen und weiter").click()

    assert_no_axe_violations(page)
    page.get_by_label("Zuständige Stelle").fill("Steueramt")
    page.get_by_label("Kontakt-E-Mail").fill("steueramt@kommune.example")
    page.get_by_label("Zustellpunkt für die Anträge").select_option(label="Steueramt Postfach")
    page.get_by_role("button", name="Weiter zur Prüfung").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Freischalten").click()
    assert "Meine Anschlüsse" in page.locator("h1").inner_text()
    assert_no_axe_violations(page)

    link = online_link(service.key, admin.authority.area_ars)
    assert link is not None and link.offer_name == offer.name


def test_land_operator_pages_are_accessible(live_server, page):
    operator = UserFactory(land_operator=True)
    offer = OfferFactory(name="Meldebescheinigung online")
    SubscriptionFactory(offer=offer, live=True, live_since=date(date.today().year, 1, 1))
    SubscriptionFactory(offer=offer)
    browser_login(page, live_server.url, operator)
    for path in ("/land/angebote/", f"/land/angebote/{offer.slug}/", "/land/anschluesse/import/",
                 "/land/kosten/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
