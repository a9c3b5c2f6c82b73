"""Staff login in Chromium, including TOTP and enrolment, with axe (WCAG 2.1 AA) on every staff page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from amtsweg.accounts.otp import current_code
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.testing import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_login(page, base, user):
    page.goto(f"{base}/konto/anmelden/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(UserFactory.password_plain)
    page.get_by_role("button", name="Anmelden").click()


def test_admin_logs_in_with_totp_and_manages_staff(live_server, page):
    base = live_server.url
    authority = AuthorityFactory(name="Bürgeramt Saarbrücken")
    admin = UserFactory(authority=authority, kommune_admin=True, username="sb.admin")
    colleague = UserFactory(authority=authority, username="sb.sachbearbeitung")
    device = TOTPDevice.objects.get(user=admin)

    page.goto(f"{base}/konto/anmelden/")
    assert_no_axe_violations(page)
    # A wrong password first: the error is announced and linked, and the page stays accessible.
    page.get_by_label("Benutzername").fill(admin.username)
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Benutzername oder Passwort ist falsch")
    assert_no_axe_violations(page)

    fill_login(page, base, admin)
    page.wait_for_url(f"{base}/konto/anmelden/code/")
    expect(page.locator("h1")).to_have_text("Sicherheitscode eingeben")
    assert_no_axe_violations(page)
    page.get_by_label("Sicherheitscode").fill("000000")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.locator("main")).to_contain_text("Der Code ist falsch")
    assert_no_axe_violations(page)
    device.refresh_from_db()
    device.throttle_reset()  # skip django-otp's back-off after the wrong code
    page.get_by_label("Sicherheitscode").fill(current_code(device))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base}/verwaltung/")
    expect(page.locator("main")).to_contain_text("Bürgeramt Saarbrücken")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Konten verwalten").click()
    page.wait_for_url(f"{base}/verwaltung/konten/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Konto anlegen").click()
    page.wait_for_url(f"{base}/verwaltung/konten/neu/")
    page.get_by_role("button", name="Konto anlegen").click()  # empty: errors next to the fields
    expect(page.locator(".kern-error")).to_have_count(3)  # username, first and last name
    assert_no_axe_violations(page)
    page.get_by_label("Benutzername").fill("max.muster")
    page.get_by_label("Vorname").fill("Max")
    page.get_by_label("Nachname").fill("Muster")
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.locator("#initial-password")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/verwaltung/konten/{colleague.pk}/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Konto deaktivieren").click()
    expect(page.locator("main")).to_contain_text("ist deaktiviert")
    colleague.refresh_from_db()
    assert not colleague.is_active

    page.goto(f"{base}/verwaltung/behoerde/{authority.pk}/bearbeiten/")
    assert_no_axe_violations(page)
    page.get_by_label("Öffnungszeiten").fill("Mo–Fr 8–12 Uhr")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"{base}/verwaltung/behoerde/{authority.pk}/")
    assert_no_axe_violations(page)

    page.goto(f"{base}/konto/profil/")
    assert_no_axe_violations(page)
    page.goto(f"{base}/verwaltung/")
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(f"{base}/konto/anmelden/")
    page.goto(f"{base}/verwaltung/")
    assert page.url.startswith(f"{base}/konto/anmelden/")


def test_admin_without_device_enrols_with_the_qr_page(live_server, page):
    base = live_server.url
    admin = UserFactory(kommune_admin=True, totp_device=False)
    fill_login(page, base, admin)
    page.wait_for_url(f"{base}/konto/anmelden/einrichten/")
    expect(page.get_by_role("img", name="QR-Code zum Einrichten der Authenticator-App")).to_be_visible()
    assert_no_axe_violations(page)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    page.get_by_label("Sicherheitscode").fill(current_code(device))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base}/verwaltung/")
    assert TOTPDevice.objects.get(user=admin).confirmed


def test_land_operator_pages_and_lockout_page_are_accessible(live_server, page, settings):
    base = live_server.url
    operator = UserFactory(land_operator=True)
    AuthorityFactory(name="Bürgerbüro Völklingen")
    fill_login(page, base, operator)
    page.get_by_label("Sicherheitscode").fill(current_code(TOTPDevice.objects.get(user=operator)))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base}/verwaltung/")
    page.get_by_role("link", name="Behörden im Land").click()
    page.wait_for_url(f"{base}/verwaltung/behoerde/alle/")
    expect(page.locator("main")).to_contain_text("Bürgerbüro Völklingen")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Behörde anlegen").click()
    page.wait_for_url(f"{base}/verwaltung/behoerde/neu/")
    assert_no_axe_violations(page)

    settings.AXES_FAILURE_LIMIT = 1
    other = page.context.browser.new_context(locale="de-DE").new_page()
    other.goto(f"{base}/konto/anmelden/")
    other.get_by_label("Benutzername").fill("jemand")
    other.get_by_label("Passwort").fill("falsch")
    other.get_by_role("button", name="Anmelden").click()
    expect(other.locator("h1")).to_have_text("Anmeldung vorübergehend gesperrt")
    assert_no_axe_violations(other)
    other.context.close()
