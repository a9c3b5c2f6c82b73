"""Staff login: password, then TOTP (or enrolment), throttling, session rotation, logout."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.otp import current_code
from amtsweg.accounts.tests.factories import UserFactory

PASSWORD = UserFactory.password_plain
LOGIN = "/konto/anmelden/"


def post_password(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.username, "password": password, **extra})


@pytest.mark.django_db
def test_staff_without_totp_logs_in_with_password_and_gets_a_new_session(client):
    staff = UserFactory()
    client.get(LOGIN)
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = post_password(client, staff)
    assert response.status_code == 302 and response["Location"] == "/verwaltung/"
    assert client.cookies["sessionid"].value != before
    assert client.get("/verwaltung/").status_code == 200


@pytest.mark.django_db
def test_admin_is_not_logged_in_before_the_code(client):
    admin = UserFactory(kommune_admin=True)
    response = post_password(client, admin)
    assert response["Location"] == reverse("accounts:totp")
    assert "_auth_user_id" not in client.session
    response = client.get("/verwaltung/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_admin_logs_in_with_totp_code_and_session_is_verified(client):
    admin = UserFactory(kommune_admin=True)
    device = TOTPDevice.objects.get(user=admin)
    post_password(client, admin, next="/verwaltung/konten/")
    pending_session = client.cookies["sessionid"].value
    response = client.post(reverse("accounts:totp"), {"otp_token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/verwaltung/konten/"
    assert client.cookies["sessionid"].value != pending_session
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/verwaltung/").status_code == 200


@pytest.mark.django_db
def test_wrong_code_is_rejected_with_a_clear_message(client):
    admin = UserFactory(kommune_admin=True)
    post_password(client, admin)
    response = client.post(reverse("accounts:totp"), {"otp_token": "000000"})
    assert response.status_code == 200
    assert "Der Code ist falsch oder abgelaufen" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:totp"), {"otp_token": "12ab"})
    assert "genau sechs Ziffern" in response.content.decode()


@pytest.mark.django_db
def test_one_wrong_code_does_not_block_the_correct_next_one(client):
    """Issue 16, item 10: django-otp's back-off refused the correct code right after a typo."""
    admin = UserFactory(kommune_admin=True)
    device = TOTPDevice.objects.get(user=admin)
    post_password(client, admin)
    client.post(reverse("accounts:totp"), {"otp_token": "000000"})
    response = client.post(reverse("accounts:totp"), {"otp_token": current_code(device)})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.django_db
def test_five_wrong_codes_pause_the_device_even_from_other_addresses(client, settings):
    """The documented policy: 5 failures, then a pause; counted per device, not only per username and IP."""
    settings.AXES_FAILURE_LIMIT = 5
    admin = UserFactory(kommune_admin=True)
    device = TOTPDevice.objects.get(user=admin)
    for n in range(4):
        client.post(LOGIN, {"username": admin.username, "password": PASSWORD}, REMOTE_ADDR=f"192.0.2.{n + 1}")
        response = client.post(reverse("accounts:totp"), {"otp_token": "000000"}, REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert "Der Code ist falsch" in response.content.decode()
    client.post(LOGIN, {"username": admin.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    client.post(reverse("accounts:totp"), {"otp_token": "000000"}, REMOTE_ADDR="192.0.2.10")
    client.post(LOGIN, {"username": admin.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.11")
    response = client.post(reverse("accounts:totp"), {"otp_token": current_code(device)}, REMOTE_ADDR="192.0.2.11")
    assert "Zu viele falsche Codes. Bitte warten Sie bis" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_axes_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = UserFactory(kommune_admin=True)
    device = TOTPDevice.objects.get(user=admin)
    post_password(client, admin)
    client.post(reverse("accounts:totp"), {"otp_token": "000000"})
    client.post(reverse("accounts:totp"), {"otp_token": "000001"})
    response = client.post(reverse("accounts:totp"), {"otp_token": "000002"})
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()
    # Locked: even the right password and code do not get in.
    response = post_password(client, admin)
    assert response.status_code == 429
    response = client.post(reverse("accounts:totp"), {"otp_token": current_code(device)})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_passwords_lock_out_with_a_german_page_not_a_bare_403(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    staff = UserFactory()
    for _ in range(2):
        response = post_password(client, staff, password="falsch")
        assert response.status_code == 200
        assert "Benutzername oder Passwort ist falsch" in response.content.decode()
    response = post_password(client, staff, password="falsch")
    assert response.status_code == 429
    body = response.content.decode()
    assert "zu viele fehlgeschlagene anmeldeversuche" in body.lower()
    assert "15 Minuten" in body
    assert '<html lang="de"' in body
    assert post_password(client, staff).status_code == 429  # the right password does not help now


@pytest.mark.django_db
def test_admin_without_device_must_enrol_before_anything_else(client):
    admin = UserFactory(kommune_admin=True, totp_device=False)
    response = post_password(client, admin)
    assert response["Location"] == reverse("accounts:totp_enrol")
    page = client.get(reverse("accounts:totp_enrol"))
    body = page.content.decode()
    assert "<svg" in body and 'role="img"' in body
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    from amtsweg.accounts.otp import secret_for_display

    assert secret_for_display(device) in body
    # Nothing else is reachable meanwhile.
    assert client.get("/verwaltung/").status_code == 302
    response = client.post(reverse("accounts:totp_enrol"), {"otp_token": "000000"})
    assert "Der Code passt nicht" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("accounts:totp_enrol"), {"otp_token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/verwaltung/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/verwaltung/").status_code == 200


@pytest.mark.django_db
def test_staff_can_enrol_optionally_and_then_needs_the_code(client):
    staff = UserFactory()
    post_password(client, staff)
    assert "noch keine Authenticator-App eingerichtet" in client.get("/konto/profil/").content.decode()
    client.get(reverse("accounts:totp_enrol"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("accounts:totp_enrol"), {"otp_token": current_code(device)})
    assert response["Location"] == "/konto/profil/"
    assert client.get("/verwaltung/").status_code == 200
    client.post("/konto/abmelden/")
    response = post_password(client, staff)
    assert response["Location"] == reverse("accounts:totp")


@pytest.mark.django_db
def test_force_logged_in_admin_without_verification_is_sent_to_the_code(client):
    admin = UserFactory(kommune_admin=True)
    client.force_login(admin)
    response = client.get("/verwaltung/konten/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp"))
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(response["Location"], {"otp_token": current_code(device)})
    assert response["Location"] == "/verwaltung/konten/"
    assert client.get("/verwaltung/konten/").status_code == 200


@pytest.mark.django_db
def test_pending_login_expires(client, monkeypatch):
    admin = UserFactory(kommune_admin=True)
    post_password(client, admin)
    session = client.session
    session["_amtsweg_pending_since"] -= 10 * 60
    session.save()
    response = client.get(reverse("accounts:totp"))
    assert response["Location"] == LOGIN


@pytest.mark.django_db
def test_next_must_stay_on_this_site(client):
    staff = UserFactory()
    response = post_password(client, staff, next="https://evil.example/")
    assert response["Location"] == "/verwaltung/"


@pytest.mark.django_db
def test_citizens_cannot_use_the_staff_login(client):
    citizen = UserFactory(citizen=True)
    response = post_password(client, citizen)
    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_deactivated_accounts_cannot_log_in(client):
    staff = UserFactory(is_active=False)
    response = post_password(client, staff)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_post_only(client):
    staff = UserFactory()
    post_password(client, staff)
    assert client.get("/konto/abmelden/").status_code == 405
    response = client.post("/konto/abmelden/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_superuser_must_pass_totp_for_django_admin(client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, authority=None, role="land_operator")
    response = client.get("/django-admin/")
    assert response["Location"].startswith("/django-admin/login/") or response["Location"].startswith(LOGIN)
    client.force_login(root)
    response = client.get("/django-admin/")
    assert response.status_code == 302  # not verified yet
    from amtsweg.accounts.testing import login_staff

    login_staff(client, root)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_login_pages_are_translated_to_english(client):
    body = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Staff login" in body and 'lang="en"' in body


@pytest.mark.django_db
def test_staff_changes_password(client):
    staff = UserFactory()
    post_password(client, staff)
    response = client.post("/konto/profil/passwort/", {
        "old_password": PASSWORD, "new_password1": "kurz", "new_password2": "kurz"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    response = client.post("/konto/profil/passwort/", {
        "old_password": PASSWORD, "new_password1": "Saarschleife-Mettlach-7",
        "new_password2": "Saarschleife-Mettlach-7"})
    assert response["Location"] == "/konto/profil/"
    staff.refresh_from_db()
    assert staff.check_password("Saarschleife-Mettlach-7")
    assert client.get("/verwaltung/").status_code == 200  # the session survives its own password change


@pytest.mark.django_db
def test_lockout_counts_the_client_behind_the_trusted_proxy_not_a_forged_header(settings):
    """One proxy in front: clients are told apart by the address it appended; no proxy: the header is ignored."""
    settings.AXES_FAILURE_LIMIT = 2
    settings.AMTSWEG_TRUSTED_PROXIES = 1
    staff = UserFactory()

    def attempt(user, password, forwarded, remote="10.0.0.1"):
        data = {"username": user.username, "password": password}
        return Client().post(LOGIN, data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert attempt(staff, "falsch", "6.6.6.6, 198.51.100.1") == 200
    assert attempt(staff, "falsch", "7.7.7.7, 198.51.100.1") == 429  # the forged left entry changes nothing
    assert attempt(staff, PASSWORD, "198.51.100.1") == 429
    # Another client behind the same proxy (same REMOTE_ADDR) is not locked out with the attacker.
    assert attempt(staff, PASSWORD, "198.51.100.2") == 302

    settings.AMTSWEG_TRUSTED_PROXIES = 0
    other = UserFactory()
    assert attempt(other, "falsch", "203.0.113.1", remote="127.0.0.1") == 200
    assert attempt(other, "falsch", "203.0.113.2", remote="127.0.0.1") == 429
    assert attempt(other, PASSWORD, "203.0.113.99", remote="127.0.0.1") == 429
