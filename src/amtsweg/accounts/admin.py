"""Django admin for Authorities and accounts, and the admin site's guard: superusers need their TOTP too.

The admin login is replaced by the staff login (password + TOTP), and the admin only opens for a session
that passed the second factor where it is required. Otherwise `/django-admin/login/` would be a way
around TOTP.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from amtsweg.accounts.access import is_otp_verified, needs_second_factor
from amtsweg.accounts.models import Authority, User


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area_ars", "city"]
    list_filter = ["kind", "land_code"]
    search_fields = ["name", "area_ars", "city"]
    raw_id_fields = ["municipality", "district", "land"]


@admin.register(User)
class AmtswegUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "authority", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    raw_id_fields = ["authority"]
    fieldsets = [*UserAdmin.fieldsets, ("Amtsweg", {"fields": ["role", "authority"]})]


_has_permission = admin.site.has_permission


def _has_permission_with_otp(request) -> bool:
    user = request.user
    return _has_permission(request) and (not needs_second_factor(user) or is_otp_verified(user))


def _login_via_staff_login(request, extra_context=None):
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


admin.site.has_permission = _has_permission_with_otp
admin.site.login = _login_via_staff_login
