"""Browser tests: the Postfach pages pass axe-core (WCAG 2.1 AA) and work by keyboard alone."""

from __future__ import annotations

import pytest

from amtsweg.core.testing import assert_no_axe_violations

from .factories import apply, browser_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meine_antraege_is_accessible_and_reached_by_keyboard(live_server, page, responsibility):
    page.goto(live_server.url + "/postfach/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Anträge"
    assert_no_axe_violations(page)
    _user, client = browser_citizen(page, live_server.url)
    submission = apply(client)
    page.goto(live_server.url + "/")
    for _ in range(40):  # Tab through the page until the navigation entry has the focus, then press Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Meine Anträge":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/postfach/")
    assert page.get_by_text("Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen.").is_visible()
    assert_no_axe_violations(page)
    link = page.get_by_role("link", name=submission.public_reference).or_(page.get_by_role("link", name="Testantrag"))
    link.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    headline = page.locator("#status-headline").inner_text().strip()
    assert headline == "Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen."
    assert_no_axe_violations(page)
