"""Access guards for staff pages, for every app: `staff_required`, `admin_required`, `land_operator_required`.

    from amtsweg.accounts.access import staff_required, admin_required

    @staff_required
    def case_list(request): ...

    class DestinationEdit(AdminRequiredMixin, UpdateView): ...

Each guard enforces, in this order (and marks the page's response as not cacheable):

1. logged in, else redirect to the staff login (with `next`);
2. a staff account (citizens and accounts without an Authority get a 403 page that says why);
3. the second factor: an account that must use TOTP (`User.requires_totp`) or has enrolled a device must
   have verified it in this session, else it is sent to the code entry (or to enrolment if it has no device);
4. the role: `admin_required` lets Kommune administrators in, `land_operator_required` Land operators.
   Both need an Authority, so pages can rely on `request.user.authority`.

Steps 1 to 3 are also enforced for every path under `STAFF_URL_PREFIXES` by `StaffAccessMiddleware`, in
one place, before any view runs: a staff page that forgets its guard (or uses a home-made one) still never
opens for an account whose enrolled second factor was not verified in this session. The guards stay for
the role check and as a second line.

Guards check *who* may open a kind of page; the role rules themselves are in `core.tenancy` (one module for
every permission check). *Which rows* they see is the tenancy layer's job:
read through `Model.objects.visible_to(request.user)` and fetch rows to change through `editable_by`
(404 for rows outside the scope).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amtsweg.accounts.otp import has_confirmed_device
from amtsweg.core.problems import is_api_path, problem_response
from amtsweg.core.tenancy import is_kommune_admin, is_land_operator


def is_staff_account(user) -> bool:
    """Works for an Authority, or is a platform superuser. Never true for citizens."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "role", None) == "citizen":
        return False
    return bool(user.is_superuser or user.is_staff_member)


def needs_second_factor(user) -> bool:
    return bool(user.requires_totp or has_confirmed_device(user))


def is_otp_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"


# Set on the request by `StaffAccessMiddleware` once login, staff account and second factor passed, so that the
# view's own guard (`staff_required` and friends, kept for views outside the staff prefixes) checks only its role
# instead of asking the database for the second factor again: one query less on every staff page.
CHECKED_ATTRIBUTE = "amtsweg_staff_access_checked"


def check_staff_access(request: HttpRequest, role_check: Callable | None = None) -> HttpResponse | None:
    """None if the request may proceed, else the response that sends the user where they belong."""
    user = request.user
    if not getattr(request, CHECKED_ATTRIBUTE, False):
        denied = _check_account(request, user)
        if denied is not None:
            return denied
    if role_check is not None and not role_check(user):
        return render(request, "accounts/forbidden.html", {"reason": "role"}, status=403)
    return None


def _check_account(request: HttpRequest, user) -> HttpResponse | None:
    """Login, staff account and second factor. A verified session needs no look at the devices (the
    verification is the proof), so only an unverified one asks whether a device exists."""
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    if not is_staff_account(user):
        return render(request, "accounts/forbidden.html", {"reason": "not_staff"}, status=403)
    if not is_otp_verified(user) and needs_second_factor(user):
        if has_confirmed_device(user):
            return redirect(_with_next("accounts:totp", request))
        return redirect(_with_next("accounts:totp_enrol", request))
    return None


# Every staff page and the staff JSON API live under these paths (the permission matrix test checks that
# every staff route does). The login pages (/konto/anmelden/...) and the logout are deliberately outside.
STAFF_URL_PREFIXES = ("/verwaltung/", "/land/", "/konto/profil/")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_URL_PREFIXES)


class StaffAccessMiddleware:
    """Login, staff account and the second factor for every path under `STAFF_URL_PREFIXES`.

    Must come after `AuthenticationMiddleware` and django-otp's `OTPMiddleware` (which sets `is_verified`).
    Pages get the redirect to the login, the code entry or the enrolment; API paths (`core.problems`) get a
    problem document instead of a redirect a machine cannot follow.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_path(request.path_info):
            denied = check_staff_access(request)
            if denied is not None:
                if is_api_path(request.path_info):
                    return _private(problem_response(403, detail=_api_reason(request.user)))
                return _private(denied)
            setattr(request, CHECKED_ATTRIBUTE, True)
        return self.get_response(request)


def _api_reason(user) -> str:
    if not user.is_authenticated:
        return _("Bitte melden Sie sich an.")
    if not is_staff_account(user):
        return _("Dieses Konto ist kein Verwaltungskonto.")
    return _("Der zweite Faktor dieser Sitzung ist noch nicht bestätigt.")


def _private(response: HttpResponse) -> HttpResponse:
    """Staff pages show tenant data: no browser or proxy may keep a copy (unless the view decided itself)."""
    if not response.has_header("Cache-Control"):
        add_never_cache_headers(response)
    return response


def role_required(role_check: Callable | None):
    """A staff guard with your own role check, e.g. `role_required(lambda u: u.is_kommune_admin)`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            denied = check_staff_access(request, role_check)
            if denied is not None:
                return denied
            return _private(view(request, *args, **kwargs))

        return wrapper

    return decorator


staff_required = role_required(None)
staff_required.__doc__ = "Any staff account (Kommune staff or admin, Land operator, superuser) with verified TOTP."
admin_required = role_required(is_kommune_admin)
admin_required.__doc__ = "Kommune administrators of an Authority (with verified TOTP)."
land_operator_required = role_required(is_land_operator)
land_operator_required.__doc__ = "Land operators (with verified TOTP)."


class StaffRequiredMixin:
    """Class-based twin of `staff_required`; subclasses narrow `role_check`."""

    role_check: Callable | None = None

    def dispatch(self, request, *args, **kwargs):
        check = type(self).role_check
        denied = check_staff_access(request, check)
        if denied is not None:
            return denied
        return _private(super().dispatch(request, *args, **kwargs))


class AdminRequiredMixin(StaffRequiredMixin):
    role_check = staticmethod(is_kommune_admin)


class LandOperatorRequiredMixin(StaffRequiredMixin):
    role_check = staticmethod(is_land_operator)
