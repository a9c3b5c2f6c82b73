"""Account and Authority management as plain functions (the views only call these).

Every function takes the acting user first and re-checks the scope through the tenancy layer, so a
caller cannot act outside it even if a view forgot a check. Log lines carry ids only.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from amtsweg.accounts import audit
from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.otp import reset_devices
from amtsweg.core import keyformats
from amtsweg.core.keyformats import ArsLevel
from amtsweg.core.tenancy import can_act_for
from amtsweg.geo.models import District, Municipality

log = logging.getLogger("amtsweg.accounts")

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")


def generate_password() -> str:
    """A random initial password (about 95 bits), shown once and stored only as a hash."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def staff_accounts_visible_to(actor) -> QuerySet[User]:
    """Staff accounts the actor may see (citizens are never listed here)."""
    return User.objects.visible_to(actor).filter(authority__isnull=False).select_related("authority")


def staff_accounts_manageable_by(actor) -> QuerySet[User]:
    """Staff accounts the actor may change; only superusers may touch superuser accounts."""
    qs = User.objects.editable_by(actor).filter(authority__isnull=False).select_related("authority")
    if not actor.is_superuser:
        qs = qs.exclude(is_superuser=True)
    return qs


def has_admin(authority: Authority) -> bool:
    """Does the Authority have an administrator account (active or not)?"""
    return User.objects.filter(authority=authority, role=User.Role.KOMMUNE_ADMIN).exists()


def assignable_roles(actor, authority: Authority) -> list[str]:
    """Roles the actor may give to a new account of `authority`; never more than the actor has.

    For an Authority the actor does not act for (a Land operator and a Kommune), the only account is the
    Kommune's first administrator, and only while it has none: from then on the Kommune manages its own
    accounts, and the Land cannot add an administrator it controls to a Kommune that already has one."""
    if not Authority.objects.editable_by(actor).filter(pk=authority.pk).exists():
        return []
    if not can_act_for(actor, authority):
        return [] if has_admin(authority) else [User.Role.KOMMUNE_ADMIN]
    roles = [User.Role.KOMMUNE_STAFF, User.Role.KOMMUNE_ADMIN]
    if authority.kind == Authority.Kind.LAND and (actor.is_superuser or actor.is_land_operator):
        roles.append(User.Role.LAND_OPERATOR)
    return roles


def authorities_for_new_accounts(actor) -> QuerySet[Authority]:
    """The Authorities the actor may create an account for (see `assignable_roles`)."""
    own = Authority.objects.acting_for(actor)
    if actor.is_superuser or not actor.is_land_operator:
        return own
    first_admin = (Authority.objects.editable_by(actor).exclude(kind=Authority.Kind.LAND)
                   .exclude(staff__role=User.Role.KOMMUNE_ADMIN))
    return (own | first_admin).distinct()


@transaction.atomic
def create_staff_account(
    actor, *, authority: Authority, username: str, role: str, first_name: str = "", last_name: str = "",
    email: str = "",
) -> tuple[User, str | None]:
    """Create a staff account with a generated initial password; returns (account, password).

    The password is None for a Kommune's first administrator created by the Land: that person gets a link
    to set it by e-mail (`send_activation_link`)."""
    # Lock the Authority: two first administrators created at the same moment would both see none.
    if not Authority.objects.editable_by(actor).select_for_update().filter(pk=authority.pk).exists():
        raise PermissionDenied
    if role not in assignable_roles(actor, authority):
        raise ValidationError(_("Diese Rolle dürfen Sie nicht vergeben."), code="role")
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationError(
            _("Der Benutzername darf nur Kleinbuchstaben, Ziffern, Punkt, Binde- und Unterstrich enthalten "
              "(3 bis 50 Zeichen)."),
            code="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Diesen Benutzernamen gibt es schon."), code="username_taken")
    # The Land creating a Kommune's first administrator must not know its password: whoever knows it could
    # log in first, enrol their own authenticator and read the Kommune's applications. The person sets it
    # through a link sent to the address given here (which the audit entry keeps for the Kommune to check).
    from_outside = not can_act_for(actor, authority)
    if from_outside and not email.strip():
        raise ValidationError(_("Für die erste Administration einer Kommune ist die dienstliche E-Mail-Adresse "
                                "nötig: dorthin geht der Link zum Setzen des Passworts."), code="email")
    password = None if from_outside else generate_password()
    account = User(
        username=username, role=role, authority=authority, first_name=first_name.strip(),
        last_name=last_name.strip(), email=email.strip(),
    )
    if password is None:
        account.set_unusable_password()
    else:
        account.set_password(password)
    account.save()
    details = {"username": username, "role": role}
    if from_outside:
        details["activation_link_to"] = account.email
        send_activation_link(account)
    audit.record(actor, authority, "account.created", account, details)
    log.info("staff account created", extra={"actor_id": actor.pk, "account_id": account.pk, "role": role})
    return account, password


@transaction.atomic
def activation_path(account: User) -> str:
    """The one-time link (Django's password-reset token: void once a password is set) to set the password."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    return reverse("accounts:password_set", args=[uid, default_token_generator.make_token(account)])


def send_activation_link(account: User) -> None:
    link = settings.PUBLIC_BASE_URL + activation_path(account)
    send_mail(
        _("Ihr Amtsweg-Konto für %(authority)s") % {"authority": account.authority.name},
        _("Guten Tag,\n\nfür %(authority)s ist ein Administrationskonto bei Amtsweg angelegt (Benutzername: "
          "%(username)s). Bitte setzen Sie Ihr Passwort über diesen Link, der einmal und für %(days)s Tage gilt:"
          "\n\n%(link)s\n\nDanach melden Sie sich an und richten Ihre Authenticator-App ein. Wenn Sie kein "
          "Konto erwartet haben, melden Sie sich bitte beim Land-Betrieb.")
        % {"authority": account.authority.name, "username": account.username, "link": link,
           "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
        None, [account.email],
    )
    log.info("activation link sent", extra={"account_id": account.pk})


@transaction.atomic
def set_active(actor, account: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; a deactivated account's sessions stop working at once."""
    if not staff_accounts_manageable_by(actor).filter(pk=account.pk).exists():
        raise PermissionDenied
    if account.pk == actor.pk:
        raise ValidationError(_("Sie können Ihr eigenes Konto nicht deaktivieren."), code="self")
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit.record(actor, account.authority, "account.activated" if active else "account.deactivated", account)
    log.info("staff account %s", "activated" if active else "deactivated",
             extra={"actor_id": actor.pk, "account_id": account.pk})


@transaction.atomic
def reset_second_factor(actor, account: User) -> int:
    """Remove the account's TOTP devices (lost phone); it enrols again at its next login."""
    if not staff_accounts_manageable_by(actor).filter(pk=account.pk).exists():
        raise PermissionDenied
    if account.pk == actor.pk:
        raise ValidationError(
            _("Ihren eigenen zweiten Faktor setzt eine andere Administratorin oder ein anderer Administrator "
              "zurück."),
            code="self",
        )
    removed = reset_devices(account)
    audit.record(actor, account.authority, "account.second_factor_reset", account, {"devices": removed})
    log.info("totp reset", extra={"actor_id": actor.pk, "account_id": account.pk, "devices": removed})
    return removed


def area_for_key(actor, key: str) -> tuple[Authority.Kind, Municipality | None, District | None]:
    """Resolve an ARS (12 digits, Gemeinde) or Kreisschlüssel (5 digits) inside the actor's Land."""
    key = keyformats.compact(key)
    level = keyformats.ars_level(key)
    if level not in (ArsLevel.KREIS, ArsLevel.GEMEINDE):
        raise ValidationError(
            _("Bitte geben Sie den 12-stelligen Regionalschlüssel einer Gemeinde oder den 5-stelligen "
              "Kreisschlüssel an."),
            code="format",
        )
    if not actor.is_superuser and key[:ArsLevel.LAND] != actor.authority.land_code:
        raise ValidationError(_("Dieser Schlüssel gehört nicht zu Ihrem Land."), code="other_land")
    if level is ArsLevel.GEMEINDE:
        municipality = Municipality.objects.current().filter(ars=key).first()
        if municipality is None:
            raise ValidationError(_("Zu diesem Regionalschlüssel gibt es keine aktuelle Gemeinde."), code="unknown")
        return Authority.Kind.MUNICIPALITY, municipality, None
    district = District.objects.current().filter(code=key).first()
    if district is None:
        raise ValidationError(_("Zu diesem Kreisschlüssel gibt es keinen aktuellen Kreis."), code="unknown")
    return Authority.Kind.DISTRICT, None, district


@transaction.atomic
def update_contact(actor, authority: Authority, **contact) -> Authority:
    """Change an Authority's public contact data (its administrators, or the Land for its Kommunen)."""
    if not Authority.objects.editable_by(actor).filter(pk=authority.pk).exists():
        raise PermissionDenied
    stored = Authority.objects.get(pk=authority.pk)
    changed = {name: {"from": getattr(stored, name), "to": value} for name, value in contact.items()
               if getattr(stored, name) != value}
    for name, value in contact.items():
        setattr(authority, name, value)
    authority.save()
    if changed:
        audit.record(actor, authority, "authority.changed", authority, changed)
    return authority


@transaction.atomic
def create_authority(actor, *, key: str, name: str, **contact) -> Authority:
    """A Land operator creates the Authority of a Kommune or Kreis of their Land."""
    if not (actor.is_superuser or actor.is_land_operator):
        raise PermissionDenied
    kind, municipality, district = area_for_key(actor, key)
    authority = Authority(
        name=name.strip(), kind=kind, area_ars=(municipality.ars if municipality else district.code),
        municipality=municipality, district=district, **contact,
    )
    authority.land_code = authority.area_ars[:2]
    authority.full_clean()
    authority.save()
    audit.record(actor, authority, "authority.created", authority, {"area_ars": authority.area_ars})
    log.info("authority created", extra={"actor_id": actor.pk, "authority_id": authority.pk})
    return authority
