"""Browser tests of the back office's pages (Debian chromium, axe-core WCAG 2.1 AA): inbox, case, Fristen, and
the administrator's teams and per-service settings — also with an error shown, and on a 375 px phone screen
without sideways scrolling of the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import CaseFactory, TeamFactory
from amtsweg.catalogue.models import PublicService
from amtsweg.core.testing import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BASE = "/verwaltung/sachbearbeitung/"


def _page_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.fixture
def office(responsibility):
    destination = responsibility.destination
    PublicService.objects.get_or_create(key=responsibility.leika_key, defaults={"name": "Hundesteuer"})
    worker = UserFactory(authority=destination.authority, first_name="Sabine", last_name="Sachbearbeiterin")
    team = TeamFactory(authority=destination.authority, name="Steuern", members=[worker])
    today = timezone.localdate()
    CaseFactory(destination=destination, team=team, assignee=worker, state=Case.State.IN_PROGRESS,
                deadline=today - dt.timedelta(days=2))
    CaseFactory(destination=destination, deadline=today + dt.timedelta(days=3))
    CaseFactory(destination=destination, state=Case.State.INQUIRY, paused_since=timezone.now())
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    return responsibility, worker, admin, team


def test_inbox_case_and_deadlines_are_accessible_also_on_a_phone(live_server, page, office):
    _responsibility, worker, _admin, _team = office
    browser_login(page, live_server.url, worker)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{BASE}")
        assert_no_axe_violations(page)
        _page_fits(page)
        page.get_by_role("link", name="Fristenübersicht: überfällig und bald fällig").click()
        page.wait_for_url(f"**{BASE}fristen/")
        assert page.get_by_role("heading", name="Überfällig (1)").is_visible()
        assert_no_axe_violations(page)
        _page_fits(page)
        page.get_by_role("link", name="Steuern").click()
        page.wait_for_url("**/fristen/?team=*")
        assert_no_axe_violations(page)
        page.locator("#list-ueberfaellig ~ div a, section:has(#list-ueberfaellig) a").first.click()
        page.wait_for_url(f"**{BASE}vorgang/**")
        assert_no_axe_violations(page)
        _page_fits(page)


def test_teams_and_service_settings_are_accessible_with_and_without_errors(live_server, page, office):
    responsibility, worker, admin, team = office
    browser_login(page, live_server.url, admin)
    page.goto(f"{live_server.url}{BASE}teams/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Team anlegen").click()  # empty name: the German error, still accessible
    expect(page.get_by_text("Bitte geben Sie dem Team einen Namen.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Name des neuen Teams").fill("Ordnungsamt")
    page.get_by_role("button", name="Team anlegen").click()
    page.wait_for_url(f"**{BASE}teams/*/")
    assert page.get_by_text("Das Team „Ordnungsamt“ ist angelegt.").count() == 1  # shown once, not twice
    page.get_by_label("Sabine Sachbearbeiterin (").check()
    page.get_by_label("Hundesteuer").check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Team speichern").click()
    page.wait_for_url(f"**{BASE}teams/")
    assert page.get_by_role("cell", name="Sabine Sachbearbeiterin").count() == 2
    page.goto(f"{live_server.url}{BASE}leistungen/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Hundesteuer").click()
    page.get_by_label("Bearbeitungsfrist (Tage)").fill("30 Tage")
    page.get_by_role("button", name="Einstellungen speichern").click()
    expect(page.get_by_text("Bitte geben Sie eine ganze Zahl von Tagen an, z. B. 30.")).to_be_visible()
    expect(page.get_by_label("Bearbeitungsfrist (Tage)")).to_have_value("30 Tage")  # nothing lost
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 900})
    _page_fits(page)
    page.get_by_label("Bearbeitungsfrist (Tage)").fill("21")
    page.get_by_role("button", name="Einstellungen speichern").click()
    page.wait_for_url(f"**{BASE}leistungen/")
    assert page.get_by_role("cell", name="21 Tage").is_visible()
    _page_fits(page)


def test_the_receiving_system_page_is_accessible_and_renews_keys(live_server, page, office):
    """Issue 14: the receiving-system page (choose Amtsweg-Sachbearbeitung, switch back, renew the keys) was not
    checked by axe; at 375 px its table scrolls in its box, not the page."""
    from amtsweg.casework import receiving
    from amtsweg.core.actors import SYSTEM

    responsibility, _worker, admin, _team = office
    receiving.enable(responsibility.destination, actor=SYSTEM)
    browser_login(page, live_server.url, admin)
    page.goto(f"{live_server.url}{BASE}empfangssystem/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"{responsibility.destination.name}: Schlüssel erneuern").click()
    expect(page.get_by_text("Neue Schlüssel für")).to_be_visible()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 900})
    _page_fits(page)
