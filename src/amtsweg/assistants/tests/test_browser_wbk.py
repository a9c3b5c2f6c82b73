"""Browser (Debian chromium, axe): the demo's Waffenbesitzkarte is an application — need, weapons wished (several),
evidence uploads (issue 16, item 6)."""

import io
import os

import pytest
from playwright.sync_api import expect

from amtsweg.assistants.demo import load_demo
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.geo.tests.factories import PostcodeAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("AMTSWEG_SCREENSHOT_DIR")


def test_waffenbesitzkarte_asks_what_an_applicant_must_show(live_server, page, test_intake):
    load_demo(io.StringIO())
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    page.goto(f"{live_server.url}/antrag/waffenbesitzkarte/")
    assert "Bedürfnis" in page.inner_text("main") and "Gewünschte Waffen" in page.inner_text("main")
    page.get_by_role("button", name="Antrag starten").click()
    page.fill("#f-postcode", "66111")
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/antragsteller/")
    assert "Urkundennummer" not in page.content()
    assert page.get_attribute("#f-vorname", "aria-required") == "true"
    root = page.url.rsplit("/schritt/", 1)[0]
    page.goto(f"{root}/schritt/beduerfnis/")
    page.select_option("#f-beduerfnis", "jaeger") if page.locator("select#f-beduerfnis").count() else \
        page.check("#f-beduerfnis-0")
    expect(page.locator("#f-jagdschein")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{root}/schritt/waffen/")
    page.get_by_role("button", name="Weiteren Eintrag zu „Waffe“ hinzufügen").click()
    page.wait_for_selector("#f-kaliber-1")
    assert_no_axe_violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/wbk-waffen.png", full_page=True)
    page.goto(f"{root}/schritt/nachweise/")
    assert page.locator("#f-sachkunde").get_attribute("type") == "file"
    assert page.locator("#f-aufbewahrung_nachweis").get_attribute("type") == "file"
    assert_no_axe_violations(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/wbk-nachweise.png", full_page=True)
