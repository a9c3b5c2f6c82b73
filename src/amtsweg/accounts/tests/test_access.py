"""The guards other apps use, as decorator and as mixin."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from amtsweg.accounts.access import (
    AdminRequiredMixin,
    LandOperatorRequiredMixin,
    admin_required,
    land_operator_required,
    staff_required,
)
from amtsweg.accounts.tests.factories import UserFactory


def ok_view(request):
    return HttpResponse("ok")


class OkAdminView(AdminRequiredMixin, View):
    def get(self, request):
        return HttpResponse("ok")


class OkLandView(LandOperatorRequiredMixin, View):
    def get(self, request):
        return HttpResponse("ok")


def request_as(user, verified=True):
    request = RequestFactory().get("/verwaltung/etwas/?x=1")
    request.user = user
    if not isinstance(user, AnonymousUser):
        user.is_verified = lambda: verified
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "verified", "staff", "admin", "land"),
    [
        ("staff", False, 200, 403, 403),  # staff without a device need no second factor
        ("admin", True, 200, 200, 403),
        ("admin", False, 302, 302, 302),
        ("operator", True, 200, 403, 200),
        ("citizen", True, 403, 403, 403),
    ],
)
def test_guards_by_role(who, verified, staff, admin, land):
    user = {
        "staff": lambda: UserFactory(),
        "admin": lambda: UserFactory(kommune_admin=True),
        "operator": lambda: UserFactory(land_operator=True),
        "citizen": lambda: UserFactory(citizen=True),
    }[who]()
    assert staff_required(ok_view)(request_as(user, verified)).status_code == staff
    assert admin_required(ok_view)(request_as(user, verified)).status_code == admin
    assert OkAdminView.as_view()(request_as(user, verified)).status_code == admin
    assert land_operator_required(ok_view)(request_as(user, verified)).status_code == land
    assert OkLandView.as_view()(request_as(user, verified)).status_code == land


@pytest.mark.django_db
def test_unverified_admin_goes_to_code_entry_or_enrolment():
    admin = UserFactory(kommune_admin=True)
    response = staff_required(ok_view)(request_as(admin, verified=False))
    assert response["Location"] == "/konto/anmelden/code/?next=%2Fverwaltung%2Fetwas%2F%3Fx%3D1"
    new_admin = UserFactory(kommune_admin=True, totp_device=False)
    response = staff_required(ok_view)(request_as(new_admin, verified=False))
    assert response["Location"].startswith("/konto/anmelden/einrichten/")


def test_anonymous_goes_to_login():
    response = staff_required(ok_view)(request_as(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=")


@pytest.fixture
def enrolled_staff(db):
    """Kommune staff need no second factor, but this one enrolled an authenticator: it must be asked for."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory()
    TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/verwaltung/zustellung/", "/verwaltung/", "/land/angebote/", "/konto/profil/",
                                  "/verwaltung/gibt-es-nicht/"])
def test_an_enrolled_second_factor_is_asked_for_on_every_staff_path(client, enrolled_staff, path):
    """Issue 12.3: /verwaltung/zustellung/ had its own guard that skipped an enrolled, unverified factor."""
    client.force_login(enrolled_staff)  # password step done, TOTP not
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/code/?next=")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_middleware_answers_the_staff_api_with_a_problem(client, enrolled_staff):
    client.force_login(enrolled_staff)
    response = client.get("/verwaltung/zustellpunkte/api/")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "zweite Faktor" in response.json()["detail"]


@pytest.mark.django_db
def test_the_middleware_leaves_login_and_public_pages_alone(client, enrolled_staff):
    client.force_login(enrolled_staff)
    assert client.get("/konto/anmelden/code/").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_after_the_code_every_staff_path_opens(client, enrolled_staff):
    from amtsweg.accounts.testing import login_staff

    login_staff(client, enrolled_staff)
    assert client.get("/verwaltung/zustellung/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("routing_index_as_in_production")
def test_a_staff_page_asks_for_the_second_factor_once(client):
    """The middleware checks login, staff account and second factor; the view's guard then only checks its
    role (issue 14, benchmarks/backoffice.py: the devices were looked up twice on every staff page). A
    verified session is not asked at all; the guard alone (no middleware) still checks everything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amtsweg.accounts.testing import login_staff

    staff = UserFactory()  # no device: not verified, so the device lookup is needed, once
    login_staff(client, staff)
    client.get("/verwaltung/zustellung/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/verwaltung/zustellung/").status_code == 200
    assert len([q for q in captured.captured_queries if "otp_totp_totpdevice" in q["sql"]]) == 1

    admin = UserFactory(kommune_admin=True)
    login_staff(client, admin)  # verified: the session names its device, which django-otp loads
    client.get("/verwaltung/zustellung/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/verwaltung/zustellung/").status_code == 200
    assert len([q for q in captured.captured_queries if "otp_totp_totpdevice" in q["sql"]]) == 1

    # Without the middleware (a view outside the staff prefixes) the guard checks the second factor itself.
    assert staff_required(ok_view)(request_as(admin, verified=False)).status_code == 302
