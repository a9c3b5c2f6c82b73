"""Administration of the back office by the Authority's administrator: teams (name, members, the services
they handle) and the per-service settings (team, Bearbeitungsfrist, Aufbewahrungsfrist) — plain functions.

Every function takes the acting person (`actor`, required) and checks `core.tenancy.can_act_for` for the
team's or the settings' Authority, so a view cannot forget it; every change writes an audit entry in the
same transaction. Errors are `AdministrationError` with a German message that says what to change.

Which services an Authority has: those it is responsible for or receives at its destinations (routing's
responsibilities), and those it has settings for already. Their names come from the LeiKa catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from amtsweg.accounts import audit
from amtsweg.accounts.models import Authority
from amtsweg.casework.models import DEFAULT_PROCESSING_DAYS, DEFAULT_RETENTION_DAYS, ServiceDeadline, Team
from amtsweg.core.tenancy import can_act_for

MAX_TEAM_NAME = 100
MIN_PROCESSING_DAYS, MAX_PROCESSING_DAYS = 1, 730
# At least a month and a half: a Widerspruch may come up to a month after the Bekanntgabe, and its file must
# still be there. At most a hundred years (a typing error of a zero too many is caught anyway).
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 45, 36500


class AdministrationError(Exception):
    """A change that cannot be made as asked; the message is German and says what to change."""


def _check(actor: Any, authority: Authority) -> None:
    if not can_act_for(actor, authority):
        raise PermissionError


# --- services -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    """One service of an Authority with its settings (the defaults where it has no row)."""

    leika_key: str
    name: str
    processing_days: int
    retention_days: int
    team_id: int | None
    team_name: str
    customised: bool


def service_keys(authority: Authority) -> list[str]:
    """The LeiKa keys of the services the Authority handles (responsibilities and existing settings)."""
    from amtsweg.routing.models import Responsibility

    keys = set(Responsibility.objects.filter(Q(authority=authority) | Q(destination__authority=authority))
               .values_list("leika_key", flat=True).distinct())
    keys |= set(ServiceDeadline.objects.filter(authority=authority).values_list("leika_key", flat=True))
    return sorted(keys)


def services_of(authority: Authority) -> list[Service]:
    """The Authority's services with their settings, by name (three queries, however many services)."""
    from amtsweg.catalogue.models import PublicService

    keys = service_keys(authority)
    names = dict(PublicService.objects.filter(key__in=keys).values_list("key", "name"))
    rows = {row.leika_key: row for row in ServiceDeadline.objects.filter(authority=authority, leika_key__in=keys)
            .select_related("team")}
    services = []
    for key in keys:
        row = rows.get(key)
        services.append(Service(
            leika_key=key, name=names.get(key) or _("Leistung %(key)s") % {"key": key},
            processing_days=row.processing_days if row else DEFAULT_PROCESSING_DAYS,
            retention_days=row.retention_days if row else DEFAULT_RETENTION_DAYS,
            team_id=row.team_id if row else None, team_name=row.team.name if row and row.team else "",
            customised=row is not None))
    return sorted(services, key=lambda s: (s.name.casefold(), s.leika_key))


def service_of(authority: Authority, leika_key: str) -> Service | None:
    """One of the Authority's services (None: not one it handles)."""
    return next((s for s in services_of(authority) if s.leika_key == leika_key), None)


def save_service(authority: Authority, leika_key: str, *, actor: Any, processing_days: int, retention_days: int,
                 team: Team | None) -> ServiceDeadline:
    """Store the settings of one of the Authority's services."""
    _check(actor, authority)
    if leika_key not in service_keys(authority):
        raise AdministrationError(_("Ihre Behörde bearbeitet diese Leistung nicht."))
    if not MIN_PROCESSING_DAYS <= processing_days <= MAX_PROCESSING_DAYS:
        raise AdministrationError(_("Die Bearbeitungsfrist muss zwischen %(min)d und %(max)d Tagen liegen.")
                                  % {"min": MIN_PROCESSING_DAYS, "max": MAX_PROCESSING_DAYS})
    if not MIN_RETENTION_DAYS <= retention_days <= MAX_RETENTION_DAYS:
        raise AdministrationError(_("Die Aufbewahrungsfrist muss zwischen %(min)d und %(max)d Tagen liegen.")
                                  % {"min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS})
    if team is not None and team.authority_id != authority.pk:
        raise AdministrationError(_("Dieses Team gibt es in Ihrer Behörde nicht; bitte neu wählen."))
    with transaction.atomic():
        row, _created = ServiceDeadline.objects.select_for_update().get_or_create(
            authority=authority, leika_key=leika_key)
        before = {"processing_days": row.processing_days, "retention_days": row.retention_days,
                  "team": row.team_id}
        row.processing_days, row.retention_days, row.team = processing_days, retention_days, team
        row.save()
        after = {"processing_days": processing_days, "retention_days": retention_days,
                 "team": team.pk if team else None}
        audit.record(actor, authority, "casework.service_settings_changed", row,
                     {"leika_key": leika_key, "from": before, "to": after})
    return row


# --- teams ----------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise AdministrationError(_("Bitte geben Sie dem Team einen Namen."))
    if len(name) > MAX_TEAM_NAME:
        raise AdministrationError(_("Der Name eines Teams darf höchstens %(n)d Zeichen lang sein (jetzt %(m)d).")
                                  % {"n": MAX_TEAM_NAME, "m": len(name)})
    return name


def create_team(authority: Authority, name: str, *, actor: Any) -> Team:
    _check(actor, authority)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            team = Team.objects.create(authority=authority, name=name)
            audit.record(actor, authority, "casework.team_created", team, {"name": name})
    except IntegrityError:
        raise AdministrationError(_("Ein Team „%(name)s“ gibt es schon.") % {"name": name}) from None
    return team


def members_choosable(authority: Authority):
    """Who can be a member: the Authority's active staff (the people cases can be assigned to)."""
    from amtsweg.casework.services import assignable_users

    return assignable_users(authority)


def update_team(team: Team, *, actor: Any, name: str, member_ids: Iterable[int], leika_keys: Iterable[str]) -> Team:
    """Rename the team, set its members and the services it handles (a service moves from its previous team;
    a service taken off keeps its settings, without a team). All or nothing."""
    _check(actor, team.authority)
    name = _clean_name(name)
    member_ids = {int(pk) for pk in member_ids}
    allowed = set(members_choosable(team.authority).values_list("pk", flat=True))
    if member_ids - allowed:
        raise AdministrationError(_("Diese Person gibt es in Ihrer Behörde nicht; bitte neu wählen."))
    leika_keys = set(leika_keys)
    if leika_keys - set(service_keys(team.authority)):
        raise AdministrationError(_("Ihre Behörde bearbeitet diese Leistung nicht."))
    try:
        with transaction.atomic():
            locked = Team.objects.select_for_update().get(pk=team.pk)
            before = {"name": locked.name, "members": sorted(locked.members.values_list("pk", flat=True)),
                      "services": sorted(ServiceDeadline.objects.filter(team=locked)
                                         .values_list("leika_key", flat=True))}
            locked.name = name
            locked.save(update_fields=["name"])
            locked.members.set(member_ids)
            ServiceDeadline.objects.filter(team=locked).exclude(leika_key__in=leika_keys).update(team=None)
            for key in leika_keys:
                ServiceDeadline.objects.update_or_create(authority=locked.authority, leika_key=key,
                                                         defaults={"team": locked})
            after = {"name": name, "members": sorted(member_ids), "services": sorted(leika_keys)}
            if after != before:
                audit.record(actor, locked.authority, "casework.team_changed", locked,
                             {"from": before, "to": after})
    except IntegrityError:
        raise AdministrationError(_("Ein Team „%(name)s“ gibt es schon.") % {"name": name}) from None
    return locked
