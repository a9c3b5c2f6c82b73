"""Staff home, Authority and account administration over the UI, including tenant isolation (404, not 403)."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts import services
from amtsweg.accounts.models import AuditEntry, Authority, User
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.geo.tests.factories import DistrictFactory, MunicipalityFactory

CONTACT = {
    "street": "Rathausplatz 1", "postcode": "66111", "city": "Saarbrücken", "phone": "0681 905-0",
    "email": "buergeramt@example.org", "website": "https://www.example.org", "opening_hours": "Mo–Fr 8–12 Uhr",
}


@pytest.fixture
def admin_a(kommune_a):
    return UserFactory(authority=kommune_a, kommune_admin=True)


@pytest.fixture
def staff_b(kommune_b):
    return UserFactory(authority=kommune_b)


@pytest.mark.django_db
def test_staff_home_shows_who_i_am_and_my_sections(client, admin_a):
    login_staff(client, admin_a)
    body = client.get("/verwaltung/").content.decode()
    assert admin_a.authority.name in body
    assert "Kommune: Administration" in body
    assert "Konten verwalten" in body and "Meine Behörde" in body
    assert "Behörden im Land" not in body  # Land operators only


@pytest.mark.django_db
def test_sections_registered_by_other_apps_appear_for_the_right_roles(client, admin_a, kommune_a):
    from amtsweg.accounts import navigation
    from amtsweg.core import tenancy

    navigation.register.add("test.cases", navigation.Section(
        title="Vorgänge", url_name="accounts:home", allowed=tenancy.is_admin_or_operator,
        description="Anträge bearbeiten"))
    navigation.register.add("test.broken", navigation.Section(title="Kaputt", url_name="does_not:exist"))
    try:
        login_staff(client, admin_a)
        body = client.get("/verwaltung/").content.decode()
        assert "Vorgänge" in body and "Kaputt" not in body
        staff = UserFactory(authority=kommune_a)
        login_staff(client, staff)
        assert "Vorgänge" not in client.get("/verwaltung/").content.decode()
    finally:
        navigation.register.remove("test.cases")
        navigation.register.remove("test.broken")


@pytest.mark.django_db
def test_citizens_never_reach_the_staff_area(client):
    citizen = UserFactory(citizen=True)
    client.force_login(citizen)
    for url in ("/verwaltung/", "/verwaltung/behoerde/", "/verwaltung/konten/", "/verwaltung/behoerde/alle/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "nur für Beschäftigte" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(client, kommune_a):
    response = client.get(f"/verwaltung/behoerde/{kommune_a.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/konto/anmelden/?next=/verwaltung/behoerde/{kommune_a.pk}/"


@pytest.mark.django_db
def test_admin_edits_own_authority_contact_data(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    response = client.post(f"/verwaltung/behoerde/{kommune_a.pk}/bearbeiten/", CONTACT)
    assert response.status_code == 302
    kommune_a.refresh_from_db()
    assert kommune_a.opening_hours == "Mo–Fr 8–12 Uhr" and kommune_a.phone == "0681 905-0"


@pytest.mark.django_db
def test_bad_contact_data_gets_specific_errors_and_keeps_the_input(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    data = {**CONTACT, "postcode": "661", "phone": "ruf mich an", "website": "keine-url"}
    response = client.post(f"/verwaltung/behoerde/{kommune_a.pk}/bearbeiten/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Eine Postleitzahl hat fünf Ziffern." in body
    assert "Bitte nur Ziffern" in body
    for postcode in ("٦٦١١١", "00111"):  # \d{5} took other scripts' digits and postcodes no one has
        response = client.post(f"/verwaltung/behoerde/{kommune_a.pk}/bearbeiten/", {**CONTACT, "postcode": postcode})
        assert "Eine Postleitzahl hat fünf Ziffern." in response.content.decode(), postcode
    assert 'value="ruf mich an"' in body
    assert 'aria-describedby="id_postcode_error"' in body


@pytest.mark.django_db
def test_staff_can_read_but_not_edit_own_authority(client, kommune_a):
    staff = UserFactory(authority=kommune_a)
    login_staff(client, staff)
    assert client.get(f"/verwaltung/behoerde/{kommune_a.pk}/").status_code == 200
    assert client.get(f"/verwaltung/behoerde/{kommune_a.pk}/bearbeiten/").status_code == 404
    assert client.post(f"/verwaltung/behoerde/{kommune_a.pk}/bearbeiten/", CONTACT).status_code == 404
    assert client.get("/verwaltung/konten/").status_code == 403


@pytest.mark.django_db
def test_kommune_a_cannot_read_or_change_kommune_b(client, admin_a, kommune_b, staff_b):
    login_staff(client, admin_a)
    before = Authority.objects.get(pk=kommune_b.pk).phone
    assert client.get(f"/verwaltung/behoerde/{kommune_b.pk}/").status_code == 404
    assert client.get(f"/verwaltung/behoerde/{kommune_b.pk}/bearbeiten/").status_code == 404
    assert client.post(f"/verwaltung/behoerde/{kommune_b.pk}/bearbeiten/", CONTACT).status_code == 404
    assert Authority.objects.get(pk=kommune_b.pk).phone == before
    assert client.get(f"/verwaltung/konten/{staff_b.pk}/").status_code == 404
    for action in ("deaktivieren", "zweiter-faktor-zuruecksetzen"):
        assert client.post(f"/verwaltung/konten/{staff_b.pk}/{action}/").status_code == 404
    staff_b.refresh_from_db()
    assert staff_b.is_active
    assert staff_b.username not in client.get("/verwaltung/konten/").content.decode()
    # Nor can an account be created in Kommune B by posting its id.
    response = client.post("/verwaltung/konten/neu/", {
        "username": "eingeschleust", "first_name": "X", "last_name": "Y", "role": "kommune_admin",
        "authority": kommune_b.pk,
    })
    assert response.status_code == 200
    assert not User.objects.filter(username="eingeschleust").exists()


@pytest.mark.django_db
def test_admin_creates_a_staff_account_and_sees_the_password_once(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    response = client.post("/verwaltung/konten/neu/", {
        "username": "Max.Muster", "first_name": "Max", "last_name": "Muster", "email": "max@example.org",
        "role": "kommune_staff", "authority": kommune_a.pk,
    })
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    account = User.objects.get(username="max.muster")
    assert account.authority == kommune_a and account.role == "kommune_staff"
    password = response.context["password"]
    assert password in response.content.decode()
    assert account.check_password(password)
    assert password not in client.get(f"/verwaltung/konten/{account.pk}/").content.decode()


@pytest.mark.django_db
def test_account_creation_errors(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    data = {"username": admin_a.username, "first_name": "A", "last_name": "B", "role": "kommune_staff",
            "authority": kommune_a.pk}
    assert "Diesen Benutzernamen gibt es schon." in client.post("/verwaltung/konten/neu/", data).content.decode()
    data["username"] = "Leer Zeichen"
    assert "nur Kleinbuchstaben" in client.post("/verwaltung/konten/neu/", data).content.decode()
    data.update(username="betrieb", role="land_operator")
    response = client.post("/verwaltung/konten/neu/", data)
    assert response.status_code == 200
    assert not User.objects.filter(username="betrieb").exists()


@pytest.mark.django_db
def test_admin_deactivates_and_reactivates_an_account(client, admin_a, kommune_a):
    colleague = UserFactory(authority=kommune_a)
    other = client.__class__()
    login_staff(other, colleague)
    assert other.get("/verwaltung/").status_code == 200
    login_staff(client, admin_a)
    assert client.get("/verwaltung/konten/neu/").status_code == 200
    client.post(f"/verwaltung/konten/{colleague.pk}/deaktivieren/")
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert other.get("/verwaltung/").status_code == 302  # the running session ends at once
    client.post(f"/verwaltung/konten/{colleague.pk}/aktivieren/")
    colleague.refresh_from_db()
    assert colleague.is_active


@pytest.mark.django_db
def test_admin_cannot_deactivate_itself(client, admin_a):
    login_staff(client, admin_a)
    response = client.post(f"/verwaltung/konten/{admin_a.pk}/deaktivieren/", follow=True)
    assert "nicht deaktivieren" in response.content.decode()
    admin_a.refresh_from_db()
    assert admin_a.is_active


@pytest.mark.django_db
def test_admin_resets_a_colleagues_totp(client, admin_a, kommune_a):
    colleague = UserFactory(authority=kommune_a, kommune_admin=True)
    assert TOTPDevice.objects.filter(user=colleague).exists()
    login_staff(client, admin_a)
    response = client.post(f"/verwaltung/konten/{colleague.pk}/zweiter-faktor-zuruecksetzen/", follow=True)
    assert "zurückgesetzt" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=colleague).exists()


@pytest.mark.django_db
def test_state_changes_need_post(client, admin_a, kommune_a):
    colleague = UserFactory(authority=kommune_a)
    login_staff(client, admin_a)
    assert client.get(f"/verwaltung/konten/{colleague.pk}/deaktivieren/").status_code == 405


@pytest.mark.django_db
def test_land_operator_lists_and_opens_authorities_of_its_land_only(client, kommune_a, other_land_kommune):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    body = client.get("/verwaltung/behoerde/alle/").content.decode()
    assert kommune_a.name in body and other_land_kommune.name not in body
    assert client.get(f"/verwaltung/behoerde/{kommune_a.pk}/").status_code == 200
    assert client.get(f"/verwaltung/behoerde/{other_land_kommune.pk}/").status_code == 404


@pytest.mark.django_db
def test_land_operator_creates_authority_for_a_kommune_of_its_land(client, other_land_kommune):
    operator = UserFactory(land_operator=True)
    municipality = MunicipalityFactory(name="Völklingen")
    login_staff(client, operator)
    response = client.post("/verwaltung/behoerde/neu/", {"key": municipality.ars, "name": "Bürgeramt Völklingen",
                                                        **CONTACT})
    authority = Authority.objects.get(name="Bürgeramt Völklingen")
    assert response["Location"] == f"/verwaltung/behoerde/{authority.pk}/"
    assert authority.kind == "municipality" and authority.area_ars == municipality.ars
    assert authority.land_code == "10"
    district = DistrictFactory()
    client.post("/verwaltung/behoerde/neu/", {"key": district.code, "name": "Kreisverwaltung", **CONTACT})
    assert Authority.objects.get(name="Kreisverwaltung").kind == "district"
    # Another Land, an unknown key and a malformed key are refused with a reason.
    for key, reason in (
        (other_land_kommune.area_ars, "nicht zu Ihrem Land"),
        ("100419999999", "keine aktuelle Gemeinde"),
        ("12ab", "12-stelligen Regionalschlüssel"),
    ):
        response = client.post("/verwaltung/behoerde/neu/", {"key": key, "name": "Neu", **CONTACT})
        assert response.status_code == 200 and reason in response.content.decode(), key
    assert not Authority.objects.filter(name="Neu").exists()


@pytest.mark.django_db
def test_land_operator_creates_the_first_admin_of_a_new_authority(client, kommune_a, mailoutbox):
    """The Land never learns the first administrator's password: whoever knew it could log in first, enrol
    an authenticator and read the Kommune's applications. The person sets it through a mailed link."""
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    data = {"username": "erste.admin", "first_name": "Erste", "last_name": "Admin", "role": "kommune_admin",
            "authority": kommune_a.pk}
    refused = client.post("/verwaltung/konten/neu/", data)
    assert "dienstliche E-Mail-Adresse" in refused.content.decode()
    response = client.post("/verwaltung/konten/neu/", {**data, "email": "admin@kommune-a.example"})
    assert response.status_code == 200
    account = User.objects.get(username="erste.admin")
    assert account.authority == kommune_a and not account.has_usable_password()
    page = response.content.decode()
    assert "initial-password" not in page and "admin@kommune-a.example" in page
    [mail] = mailoutbox
    assert mail.to == ["admin@kommune-a.example"]
    link = next(line for line in mail.body.splitlines() if "/konto/passwort-setzen/" in line)
    path = link[link.index("/konto/"):]
    assert path.split("/")[-2] not in page  # the token is in the mail only
    entry = AuditEntry.objects.get(action="account.created")
    assert entry.actor == operator and entry.details["activation_link_to"] == "admin@kommune-a.example"
    # The person sets the password (the link works once), then logs in as usual.
    person = client.__class__()
    form = person.get(path, follow=True)
    assert form.status_code == 200
    password = "ein-Neues-Passwort-2026"
    done = person.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done["Location"] == "/konto/anmelden/"
    account.refresh_from_db()
    assert account.check_password(password)
    assert "Link bereits verwendet" in client.__class__().get(path, follow=True).content.decode()


@pytest.mark.django_db
def test_land_operator_creates_only_the_first_admin_and_then_stays_out(client, kommune_a):
    """Issue 12.1: the Land could add accounts to a Kommune (and so reach its applications) at any time."""
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    data = {"first_name": "Erste", "last_name": "Admin", "authority": kommune_a.pk, "email": "a@kommune.example"}
    staff = client.post("/verwaltung/konten/neu/", {**data, "username": "sachbearbeitung", "role": "kommune_staff"})
    assert staff.status_code == 200 and not User.objects.filter(username="sachbearbeitung").exists()
    client.post("/verwaltung/konten/neu/", {**data, "username": "erste.admin", "role": "kommune_admin"})
    first = User.objects.get(username="erste.admin")
    # From now on the Kommune manages its accounts: no second admin, no view of, or action on, its accounts.
    second = client.post("/verwaltung/konten/neu/", {**data, "username": "zweite.admin", "role": "kommune_admin"})
    assert second.status_code == 200 and not User.objects.filter(username="zweite.admin").exists()
    with pytest.raises(PermissionDenied):
        services.set_active(operator, first, False)
    for action in ("deaktivieren", "zweiter-faktor-zuruecksetzen"):
        assert client.post(f"/verwaltung/konten/{first.pk}/{action}/").status_code == 404
    assert client.get(f"/verwaltung/konten/{first.pk}/").status_code == 404
    page = client.get(f"/verwaltung/behoerde/{kommune_a.pk}/").content.decode()
    assert "erste.admin" not in page and "Konto anlegen" not in page
    first.refresh_from_db()
    assert first.is_active


@pytest.mark.django_db
def test_kommune_admins_cannot_use_land_operator_pages(client, admin_a):
    login_staff(client, admin_a)
    assert client.get("/verwaltung/behoerde/alle/").status_code == 403
    assert client.get("/verwaltung/behoerde/neu/").status_code == 403


@pytest.mark.django_db
def test_own_authority_shortcut(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    assert client.get("/verwaltung/behoerde/")["Location"] == f"/verwaltung/behoerde/{kommune_a.pk}/"


@pytest.mark.django_db
def test_district_office_staff_is_scoped_to_its_district_authority(client):
    district_office = AuthorityFactory(district_office=True)
    kommune = AuthorityFactory()
    staff = UserFactory(authority=district_office)
    login_staff(client, staff)
    assert client.get(f"/verwaltung/behoerde/{district_office.pk}/").status_code == 200
    assert client.get(f"/verwaltung/behoerde/{kommune.pk}/").status_code == 404


@pytest.mark.django_db
def test_staff_pages_are_not_cached(client, admin_a):
    login_staff(client, admin_a)
    response = client.get("/verwaltung/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("form_class", ["AuthorityContactForm", "AuthorityCreateForm"])
def test_authority_opening_hours_have_a_server_side_limit(form_class):
    """Walk finding after issue 12: "Öffnungszeiten" accepted 240,000 characters."""
    from amtsweg.accounts import forms

    form = getattr(forms, form_class)({"opening_hours": "x" * 1001})
    assert not form.is_valid()
    assert "höchstens 1000 Zeichen" in form.errors["opening_hours"][0]
    assert 'maxlength="1000"' in str(form["opening_hours"])
    assert forms.AuthorityContactForm({"opening_hours": "x" * 1000}).errors.get("opening_hours") is None


# --- issue 16: what the demo walk found on the account and authority pages ---------------------------------
@pytest.mark.django_db
def test_new_authority_needs_an_https_website_and_its_page_shows_the_address_given(client):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    municipality = MunicipalityFactory(name="Perl")
    refused = client.post("/verwaltung/behoerde/neu/", {"key": municipality.ars, "name": "Gemeinde Perl",
                                                        **CONTACT, "website": "http://www.perl.de/"})
    assert refused.status_code == 200 and "mit https://" in refused.text
    assert not Authority.objects.filter(area_ars=municipality.ars).exists()
    created = client.post("/verwaltung/behoerde/neu/", {"key": municipality.ars, "name": "Gemeinde Perl",
                                                        **CONTACT, "street": "", "website": "www.perl.de"},
                          follow=True)
    authority = Authority.objects.get(area_ars=municipality.ars)
    assert authority.website == "https://www.perl.de"
    assert "66111 Saarbrücken" in created.text and ">–</dd>" not in created.text.split("Anschrift", 1)[1][:200]


@pytest.mark.django_db
def test_account_form_promises_what_happens_to_the_password(client, admin_a, kommune_a):
    login_staff(client, admin_a)
    own = client.get("/verwaltung/konten/neu/").text
    intro = own.split('id="main"', 1)[1].split("<form", 1)[0]
    assert "Anfangspasswort" in intro and "Link" not in intro
    operator = UserFactory(land_operator=True)
    fresh = AuthorityFactory()  # no administration yet: the Land creates the first one
    login_staff(client, operator)
    land = client.get(f"/verwaltung/konten/neu/?behoerde={fresh.pk}").text.split('id="main"', 1)[1].split("<form")[0]
    assert "einen Link, mit dem sie ihr Passwort selbst setzt" in land
    assert "Konten Ihrer eigenen Behörde erhalten ein zufälliges Anfangspasswort" in land


@pytest.mark.django_db
def test_password_set_link_errors_stand_at_the_password_and_a_used_link_says_so(client, kommune_a, mailoutbox):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    client.post("/verwaltung/konten/neu/", {"username": "erste.admin", "first_name": "Erste", "last_name": "Admin",
                                            "role": "kommune_admin", "authority": kommune_a.pk,
                                            "email": "admin@kommune-a.example"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/konto/passwort-setzen/" in line)
    person = client.__class__()
    form = person.get(link[link.index("/konto/"):], follow=True)
    url = form.redirect_chain[-1][0]

    too_short = person.post(url, {"new_password1": "kurz", "new_password2": "kurz"})
    html = too_short.text
    first, second = html.split('id="id_new_password1_error"'), html.split('id="id_new_password2_error"')
    assert len(first) == 2 and len(second) == 1  # the reason is under the password typed, not the confirmation
    mismatch = person.post(url, {"new_password1": "ein-Neues-Passwort-2026", "new_password2": "ein-anderes-2026"})
    assert 'id="id_new_password2_error"' in mismatch.text and 'id="id_new_password1_error"' not in mismatch.text

    done = person.post(url, {"new_password1": "ein-Neues-Passwort-2026", "new_password2": "ein-Neues-Passwort-2026"})
    assert done.status_code == 302
    used = client.__class__().get(link[link.index("/konto/"):], follow=True)
    assert used.status_code == 410
    assert "<h1" in used.text and "Link bereits verwendet" in used.text and "Passwort setzen</h1>" not in used.text


@pytest.mark.django_db
def test_the_selects_of_konto_anlegen_have_kerns_select_wrapper(client, land_operator):
    """Issue 16: the selects of "Konto anlegen" (role, authority) came without KERN's wrapper, so they lacked
    its arrow and width, unlike the selects of every other form."""
    login_staff(client, land_operator)
    page = client.get("/verwaltung/konten/neu/").content.decode()
    selects = re.findall(r"(.{0,60})<select[^>]*>", page, flags=re.DOTALL)
    assert len(selects) == 2  # role and authority
    for before in selects:
        assert before.rstrip().endswith('<div class="kern-form-input__select-wrapper">'), before
