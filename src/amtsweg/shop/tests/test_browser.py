"""Browser tests of the shop in Debian's chromium, with axe-core on every shop page."""

from datetime import date

import pytest
from playwright.sync_api import expect

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.shop.routing_link import online_link
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kommune_admin_takes_over_a_service_and_it_goes_live(live_server, page):
    admin = UserFactory(kommune_admin=True)
    service = PublicServiceFactory(hundesteuer=True)
    form_version = FormVersionFactory(published=True, form__slug="hundesteuer-test", form__leika_key=service.key)
    offer = OfferFactory(name="Hundesteuer online", public_services=[service], form_slug=form_version.form.slug)
    DestinationFactory(authority=admin.authority, name="Steueramt Postfach")
    neighbour = MunicipalityFactory(name="Nachbarort")
    browser_login(page, live_server.url, admin)

    page.goto(f"{live_server.url}/verwaltung/shop/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Hundesteuer online").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Übernehmen").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Annehmen und weiter").click()  # without ticking: error announced
    expect(page.locator("#error-summary[role=alert]")).to_be_visible()
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
    expect(page.locator("h1")).to_contain_text("Meine Anschlüsse")
    assert_no_axe_violations(page)

    link = online_link(service.key, admin.authority.area_ars)
    assert link is not None and link.offer_name == offer.name

    # A citizen of that Kommune finds the responsible office and the online service, and reaches the form.
    citizen = page.context.browser.new_context(locale="de-DE").new_page()
    citizen.goto(f"{live_server.url}/zustaendigkeit/?key={service.key}&ars={admin.authority.area_ars}")
    assert admin.authority.name in citizen.content()
    assert_no_axe_violations(citizen)
    citizen.get_by_role("link", name="Online beantragen: Hundesteuer online").click()
    citizen.wait_for_url(f"{live_server.url}/antrag/{form_version.form.slug}/**")
    assert_no_axe_violations(citizen)

    # A citizen of another Kommune is not routed there and gets no link to it.
    citizen.goto(f"{live_server.url}/zustaendigkeit/?key={service.key}&ars={neighbour.ars}")
    assert citizen.get_by_role("link", name="Online beantragen: Hundesteuer online").count() == 0
    assert admin.authority.name not in citizen.content()
    citizen.context.close()


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
