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
