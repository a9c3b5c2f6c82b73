"""Staff access for the routing pages: the accounts app's guards (login, staff account, TOTP), plus the
check the session-authenticated staff API needs."""

from __future__ import annotations

from amtsweg.accounts.access import (
    is_otp_verified,
    is_staff_account,
    land_operator_required,
    needs_second_factor,
    staff_required,
)


def staff_api_allowed(user) -> bool:
    """A staff account that passed its second factor (where it needs one)."""
    return is_staff_account(user) and (not needs_second_factor(user) or is_otp_verified(user))


__all__ = ["land_operator_required", "staff_api_allowed", "staff_required"]
