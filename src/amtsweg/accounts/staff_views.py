"""The staff administration: staff home, Authorities (contact data, the Land's list and new Kommunen),
staff accounts (create, deactivate, reset the second factor) and the audit trail.

Every view reads through the tenancy query layer (`visible_to`/`editable_by`, `services.*_manageable_by`), so
rows outside the user's scope are 404; the login and the own account are in `views`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsweg.accounts import audit, navigation, otp, services
from amtsweg.accounts.access import land_operator_required, role_required, staff_required
from amtsweg.accounts.forms import AuthorityContactForm, AuthorityCreateForm, StaffAccountForm
from amtsweg.accounts.models import AuditEntry, Authority, User
from amtsweg.core.tenancy import can_act_for

# --- staff home ----------------------------------------------------------------------------------------


@staff_required
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"sections": navigation.sections_for(request.user)})


# --- Authorities -------------------------------------------------------------------------------------


@staff_required
def authority_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    authority = get_object_or_404(Authority.objects.visible_to(request.user), pk=pk)
    can_edit = Authority.objects.editable_by(request.user).filter(pk=pk).exists()
    accounts = services.staff_accounts_visible_to(request.user).filter(authority=authority).order_by("username")
    return render(request, "accounts/authority_detail.html", {
        "authority": authority, "can_edit": can_edit, "accounts": accounts,
        "can_manage_accounts": bool(services.assignable_roles(request.user, authority)),
        # A Land operator sees a Kommune's accounts no more; only whether its first administrator exists.
        "has_admin": services.has_admin(authority),
    })


@staff_required
def own_authority_view(request: HttpRequest) -> HttpResponse:
    if request.user.authority_id is None:
        return redirect("accounts:authority_list")
    return redirect("accounts:authority_detail", pk=request.user.authority_id)


@staff_required
def authority_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    authority = get_object_or_404(Authority.objects.editable_by(request.user), pk=pk)
    form = AuthorityContactForm(request.POST or None, instance=authority)
    if request.method == "POST" and form.is_valid():
        services.update_contact(request.user, authority,
                                **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Die Kontaktdaten sind gespeichert."))
        return redirect("accounts:authority_detail", pk=authority.pk)
    return render(request, "accounts/authority_form.html", {"form": form, "authority": authority})


@land_operator_required
def authority_list_view(request: HttpRequest) -> HttpResponse:
    authorities = Authority.objects.visible_to(request.user).select_related("municipality", "district")
    return render(request, "accounts/authority_list.html", {"authorities": authorities})


@land_operator_required
def authority_create_view(request: HttpRequest) -> HttpResponse:
    form = AuthorityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            authority = services.create_authority(request.user, key=data.pop("key"), name=data.pop("name"), **data)
        except ValidationError as error:
            form.add_error("key", error)
        else:
            messages.success(request, _("Die Behörde „%(name)s“ ist angelegt.") % {"name": authority.name})
            return redirect("accounts:authority_detail", pk=authority.pk)
    return render(request, "accounts/authority_create.html", {"form": form})


# --- staff accounts ----------------------------------------------------------------------------------


def _may_manage_accounts(user) -> bool:
    return bool(user.is_kommune_admin or user.is_land_operator)


account_manager_required = role_required(_may_manage_accounts)


@account_manager_required
def account_list_view(request: HttpRequest) -> HttpResponse:
    accounts = services.staff_accounts_manageable_by(request.user).order_by("authority__name", "username")
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@account_manager_required
def account_create_view(request: HttpRequest) -> HttpResponse:
    authorities = services.authorities_for_new_accounts(request.user)
    preset = request.GET.get("behoerde")
    roles = [User.Role.KOMMUNE_STAFF, User.Role.KOMMUNE_ADMIN]
    if request.user.is_land_operator:
        roles.append(User.Role.LAND_OPERATOR)
    initial = {"authority": preset} if preset and authorities.filter(pk=preset if preset.isdigit() else 0) else {}
    form = StaffAccountForm(request.POST or None, authorities=authorities, roles=roles, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.create_staff_account(
                request.user, authority=data["authority"], username=data["username"], role=data["role"],
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
            )
        except ValidationError as error:
            field = {"role": "role", "email": "email"}.get(error.code, "username")
            form.add_error(field, error)
        else:
            # The initial password is shown once, in this response only (never in a message or a log).
            response = render(request, "accounts/account_created.html", {"account": account, "password": password})
            response["Cache-Control"] = "no-store"
            return response
    # Whether the new account gets a password shown once (own Authority) or a mailed link to set it (a Kommune's
    # first administration created by the Land): the page must promise what will happen (issue 16).
    outside = [a for a in authorities if not can_act_for(request.user, a)]
    return render(request, "accounts/account_form.html", {
        "form": form, "any_own": len(outside) < len(authorities), "any_outside": bool(outside)})


@account_manager_required
def account_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(services.staff_accounts_manageable_by(request.user), pk=pk)
    return render(request, "accounts/account_detail.html", {
        "account": account, "has_device": otp.has_confirmed_device(account), "is_self": account.pk == request.user.pk,
    })


def _account_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    """Run a POST action on an account in the actor's scope (404 outside it) and report the outcome."""
    account = get_object_or_404(services.staff_accounts_manageable_by(request.user), pk=pk)
    try:
        text = action(account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, text)
    return redirect("accounts:account_detail", pk=account.pk)


@require_POST
@account_manager_required
def account_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        services.set_active(request.user, account, False)
        return _("Das Konto „%(username)s“ ist deaktiviert.") % {"username": account.username}

    return _account_action(request, pk, action)


@require_POST
@account_manager_required
def account_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        services.set_active(request.user, account, True)
        return _("Das Konto „%(username)s“ ist wieder aktiv.") % {"username": account.username}

    return _account_action(request, pk, action)


@account_manager_required
def audit_log_view(request: HttpRequest) -> HttpResponse:
    """The audit trail of the Authorities in the user's scope, newest first (read-only)."""
    entries = AuditEntry.objects.visible_to(request.user).select_related("authority")
    page = Paginator(entries, 50).get_page(request.GET.get("seite"))
    rows = [(entry, audit.label(entry.action), audit.format_details(entry.details)) for entry in page]
    return render(request, "accounts/audit_log.html", {"page": page, "rows": rows})


@require_POST
@account_manager_required
def account_reset_totp_view(request: HttpRequest, pk: int) -> HttpResponse:
    def action(account):
        services.reset_second_factor(request.user, account)
        return _("Der zweite Faktor von „%(username)s“ ist zurückgesetzt. Bei der nächsten Anmeldung richtet "
                 "die Person ihre Authenticator-App neu ein.") % {"username": account.username}

    return _account_action(request, pk, action)

