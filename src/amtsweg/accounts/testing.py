"""Test helpers for staff pages in any app.

    from amtsweg.accounts.testing import login_staff
    admin = UserFactory(kommune_admin=True)
    login_staff(client, admin)          # logged in *and* TOTP-verified, like after the real login
    client.get("/verwaltung/")

`client.force_login(user)` alone leaves an administrator unverified, so every staff guard sends it to
the TOTP step. For browser tests use `browser_login(page, live_server.url, user)`, which goes through the
real login form and types the current TOTP code.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY

from amtsweg.accounts.otp import confirmed_device, current_code


def login_staff(client, user) -> None:
    """Log `user` in on a Django test client, marking the session as verified if it has a TOTP device."""
    client.force_login(user)
    device = confirmed_device(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def browser_login(page, base_url: str, user, password: str | None = None) -> None:
    """Log in through the real pages in a Playwright page (password, then the TOTP code if needed)."""
    from amtsweg.accounts.tests.factories import UserFactory

    page.goto(f"{base_url}/konto/anmelden/")
    page.get_by_label("Benutzername").fill(user.get_username())
    page.get_by_label("Passwort").fill(password or UserFactory.password_plain)
    page.get_by_role("button", name="Anmelden").click()
    device = confirmed_device(user)
    if device is not None:
        page.get_by_label("Sicherheitscode").fill(current_code(device))
        page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base_url}/verwaltung/**")
