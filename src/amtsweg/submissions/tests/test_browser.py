"""Browser tests: the applicant's status page and the API-client pages pass axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import status
from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_page_is_accessible_and_shows_signed_events(live_server, page):
    from amtsweg.assistants.tests.factories import FormVersionFactory

    responsibility = ResponsibilityFactory()
    version = FormVersionFactory(published=True, form__slug="hundesteuer", form__leika_key=responsibility.leika_key)
    submission = submit_payload(payload_for(responsibility, form_slug="hundesteuer", form_version=version.number))
    page.goto(live_server.url + status.status_path(submission.public_reference))
    assert page.get_by_role("heading", level=1).inner_text() == "Stand Ihres Antrags"
    assert page.inner_text("#status-form") == version.spec.title("de")
    assert page.get_by_text("Antrag verschlüsselt eingereicht").is_visible()
    assert page.locator("table tbody tr").count() == 2  # both steps, their signatures checked: no warning badge
    assert page.locator(".kern-badge--danger").count() == 0 and "Signatur" not in page.inner_text("main")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/status/{submission.public_reference}/")
    assert_no_axe_violations(page)


def test_api_client_pages_are_accessible(live_server, page):
    responsibility = ResponsibilityFactory()
    admin = UserFactory(kommune_admin=True, authority=responsibility.authority)
    browser_login(page, live_server.url, admin)
    page.goto(live_server.url + "/verwaltung/api-clients/neu/subscriber/")
    assert_no_axe_violations(page)
    page.get_by_label("Bezeichnung des Fachverfahrens").fill("Hundesteuer-Verfahren")
    page.get_by_label("Zustellpunkte").select_option(str(responsibility.destination_id))
    page.get_by_role("button", name="Zugang anlegen").click()
    expect(page.locator("#client-secret")).not_to_be_empty()
    assert_no_axe_violations(page)
    page.goto(live_server.url + "/verwaltung/api-clients/")
    page.get_by_role("link", name="Zugang „Hundesteuer-Verfahren“ sperren …").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Zugang endgültig sperren").click()
    expect(page.get_by_text("gesperrt", exact=True)).to_be_visible()
