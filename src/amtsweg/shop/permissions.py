"""Who may use which shop page. Uses the accounts app's staff decorators where they exist."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def _otp_ok(user) -> bool:
    if not getattr(user, "requires_totp", False):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated or not _otp_ok(user):
                return redirect_to_login(request.get_full_path())
            if not check(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


kommune_admin_required = _role_required(lambda u: bool(u.is_kommune_admin and u.authority_id))
land_operator_required = _role_required(lambda u: u.is_land_operator)
