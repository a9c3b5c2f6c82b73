"""The login pages in Chromium: accessible (axe, WCAG 2.1 AA), usable with the keyboard, working with JS."""

import pytest

from amtsweg.core.testing import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_saml_login_in_the_browser_is_accessible(providers, page):
    page.goto(f"{providers.url}/anmeldung/?next=/quellen/&stufe=substantiell")
    assert page.locator("h1").inner_text() == "Anmelden mit einem Nutzerkonto"
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Weiter zu Test-Konto (SAML, wie BundID)").click()
    page.wait_for_url("**/test-idp/saml/sso/**")
    assert "SAML 2.0" in page.locator("h1").inner_text()
    assert_no_axe_violations(page)
    # Keyboard only: choose Max and "hoch", then log in.
    page.get_by_label("Max Mustermann", exact=False).focus()
    page.keyboard.press("Space")
    page.get_by_label("hoch (Online-Ausweisfunktion)").check()
    page.get_by_role("button", name="Anmelden").focus()
    page.keyboard.press("Enter")
    # The IdP's answer is posted on by JavaScript (served from our static files, allowed by the CSP).
    page.wait_for_url("**/quellen/")
    assert "Sie sind angemeldet" in page.locator("main").inner_text()
    assert_no_axe_violations(page)

    page.goto(f"{providers.url}/anmeldung/?next=/quellen/")
    assert "Sie sind angemeldet als Max Mustermann" in page.locator("main").inner_text()
    assert_no_axe_violations(page)


def test_oidc_login_page_and_refusal_page_are_accessible(providers, page):
    page.goto(f"{providers.url}/anmeldung/?next=/quellen/&stufe=hoch")
    page.get_by_role("button", name="Weiter zu Test-Konto (OpenID Connect)").click()
    page.wait_for_url("**/test-idp/oidc/authorize/**")
    assert_no_axe_violations(page)
    page.get_by_label("substantiell (z. B. ELSTER-Zertifikat)").check()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Anmeldung nicht möglich"
    assert "verlangt" in page.locator("[role=alert]").inner_text()
    assert_no_axe_violations(page)


def test_chooser_without_any_provider_is_accessible(live_server, page, settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = False
    page.goto(f"{live_server.url}/anmeldung/?next=/&stufe=hoch")
    assert "kein Anmeldedienst" in page.locator("[role=alert]").inner_text()
    assert_no_axe_violations(page)
