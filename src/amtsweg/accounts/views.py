"""Staff login (password, then TOTP), logout, password set and change, and the own profile.

The staff administration (staff home, Authorities, accounts, audit trail) is in `staff_views`.

The login is two-step. After a correct password the account is *not* logged in yet: the session only
remembers a pending login for a few minutes. Accounts that need a second factor (`needs_second_factor`)
then enter their TOTP code, or enrol an authenticator first if they must have one. Only after the last
step `django.contrib.auth.login` runs (which rotates the session key) together with `django_otp.login`.
Wrong passwords and wrong codes both count towards django-axes' lockout of username + IP address.
"""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from amtsweg.accounts import otp
from amtsweg.accounts.access import (
    check_staff_access,
    is_otp_verified,
    is_staff_account,
    needs_second_factor,
    staff_required,
)
from amtsweg.accounts.forms import (
    KernFormMixin,
    StaffLoginForm,
    TokenForm,
)

PENDING_USER = "_amtsweg_pending_user"
PENDING_BACKEND = "_amtsweg_pending_backend"
PENDING_SINCE = "_amtsweg_pending_since"
PENDING_NEXT = "_amtsweg_pending_next"
PENDING_SECONDS = 5 * 60


# --- login flow helpers -----------------------------------------------------------------------------


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:home")


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, PENDING_NEXT):
        request.session.pop(key, None)


def _start_pending(request: HttpRequest, user, next_url: str) -> None:
    request.session.cycle_key()  # a new session id for the half-authenticated state as well
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = user.backend
    request.session[PENDING_SINCE] = int(time.time())
    request.session[PENDING_NEXT] = next_url


def _pending_user(request: HttpRequest):
    """The account in the middle of logging in: a pending login, or a logged-in but unverified account."""
    user = request.user
    if user.is_authenticated:
        if is_staff_account(user) and needs_second_factor(user) and not is_otp_verified(user):
            return user
        return None
    pk = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if pk is None or time.time() - since > PENDING_SECONDS:
        _clear_pending(request)
        return None
    account = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if account is None or not is_staff_account(account):
        _clear_pending(request)
        return None
    return account


def _finish_login(request: HttpRequest, user, device) -> HttpResponse:
    next_url = request.session.get(PENDING_NEXT) or request.GET.get("next")
    if request.user.is_authenticated:
        request.session.cycle_key()
    else:
        auth_login(request, user, backend=request.session.get(PENDING_BACKEND))
    _clear_pending(request)
    if device is not None:
        otp_login(request, device)
    return redirect(_safe_next(request, next_url))


def _record_failed_code(request: HttpRequest, user) -> None:
    """A wrong TOTP code counts like a wrong password for django-axes (username + IP address)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def _locked_out(request: HttpRequest, user) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a German page instead of a bare 403."""
    if hasattr(request, "session"):
        _clear_pending(request)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", 0.25)
    minutes = round(cooloff * 60) if isinstance(cooloff, int | float) else 15
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# --- login, TOTP, logout ----------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    user = request.user
    if user.is_authenticated and is_staff_account(user) and (not needs_second_factor(user) or is_otp_verified(user)):
        return redirect(_safe_next(request, next_url))
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.get_user()
        if needs_second_factor(account):
            _start_pending(request, account, next_url)
            target = "accounts:totp" if otp.has_confirmed_device(account) else "accounts:totp_enrol"
            return redirect(target)
        auth_login(request, account)
        return redirect(_safe_next(request, next_url))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def totp_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Bitte melden Sie sich zuerst mit Benutzername und Passwort an."))
        return redirect("accounts:login")
    device = otp.confirmed_device(user)
    if device is None:
        return redirect("accounts:totp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if _locked_out(request, user):
            return lockout_response(request)
        if form.is_valid():
            allowed, until = otp.code_attempt_allowed(device)
            if not allowed:
                form.add_error("otp_token", _wait_message(until))
            elif device.verify_token(form.cleaned_data["otp_token"]):
                return _finish_login(request, user, device)
            else:
                _record_failed_code(request, user)
                form.add_error("otp_token", _("Der Code ist falsch oder abgelaufen. Bitte geben Sie den aktuellen "
                                              "Code aus Ihrer App ein."))
    return render(request, "accounts/totp.html", {"form": form, "account": user})


def _wait_message(until) -> str:
    if until:
        return _("Zu viele falsche Codes. Bitte warten Sie bis %(time)s Uhr und versuchen Sie es dann erneut.") % {
            "time": time_format(timezone.localtime(until), "H:i")
        }
    return _("Zu viele falsche Codes. Bitte warten Sie einen Moment.")


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: during login (required accounts) or from the profile (optional for staff)."""
    user = _pending_user(request)
    from_profile = False
    if user is None and request.user.is_authenticated and is_staff_account(request.user):
        user, from_profile = request.user, True
        if otp.has_confirmed_device(user):
            messages.info(request, _("Für Ihr Konto ist bereits eine Authenticator-App eingerichtet."))
            return redirect("accounts:profile")
    if user is None:
        messages.info(request, _("Bitte melden Sie sich zuerst mit Benutzername und Passwort an."))
        return redirect("accounts:login")
    if otp.has_confirmed_device(user):
        return redirect("accounts:totp")
    device = otp.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if not from_profile and _locked_out(request, user):
            return lockout_response(request)
        if form.is_valid():
            allowed, until = otp.code_attempt_allowed(device)
            if not allowed:
                form.add_error("otp_token", _wait_message(until))
            elif otp.confirm_device(device, form.cleaned_data["otp_token"]):
                if from_profile:
                    request.session.cycle_key()
                    otp_login(request, device)
                    messages.success(request, _("Die Authenticator-App ist eingerichtet. Ab jetzt fragen wir bei "
                                                "der Anmeldung nach dem Code."))
                    return redirect("accounts:profile")
                return _finish_login(request, user, device)
            else:
                if not from_profile:
                    _record_failed_code(request, user)
                form.add_error("otp_token", _("Der Code passt nicht. Prüfen Sie, ob die Uhrzeit Ihres Geräts "
                                              "stimmt, und geben Sie den aktuellen Code ein."))
    context = {
        "form": form,
        "account": user,
        "from_profile": from_profile,
        "qr_svg": otp.qr_svg(device, _("QR-Code zum Einrichten der Authenticator-App")),
        "secret": otp.secret_for_display(device),
        "required": user.requires_totp,
    }
    return render(request, "accounts/totp_enrol.html", context)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    next_page = reverse_lazy("accounts:login")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Sie sind abgemeldet."))
        return response


@staff_required
def profile_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"has_device": otp.has_confirmed_device(request.user)})


class NewPasswordErrorsMixin:
    """Django reports a too short or too common new password under the confirmation field; people look for it
    under the field where they typed the password (issue 16). A mismatch stays with the confirmation."""

    def validate_password_for_user(self, user, *_field, **_named):
        super().validate_password_for_user(user, "new_password1")


class KernPasswordChangeForm(NewPasswordErrorsMixin, KernFormMixin, PasswordChangeForm):
    pass


class KernSetPasswordForm(NewPasswordErrorsMixin, KernFormMixin, SetPasswordForm):
    pass


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A first administrator created by the Land sets the password here (link from `send_activation_link`).

    A link that no longer works answers 410 with a page of its own: "Link bereits verwendet" when the person
    has set a password (the token is void once the password changed), else expired (issue 16: a used link
    answered 200 with the form page's title)."""

    form_class = KernSetPasswordForm
    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:
            user = self.get_user(self.kwargs.get("uidb64", ""))
            context["link_used"] = user is not None and user.has_usable_password()
            response_kwargs["status"] = 410
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        messages.success(self.request, _("Ihr Passwort ist gesetzt. Bitte melden Sie sich an."))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = KernPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def dispatch(self, request, *args, **kwargs):
        denied = check_staff_access(request)
        if denied is not None:
            return denied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, _("Ihr Passwort ist geändert."))
        return super().form_valid(form)
