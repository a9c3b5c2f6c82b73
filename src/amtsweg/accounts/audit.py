"""The audit trail: `record(actor, authority, action, target, details)` for every change to destinations,
keys, API clients (and their tokens), staff accounts and Authorities.

    from amtsweg.accounts import audit

    @transaction.atomic
    def add_key(destination, jwk, purpose, *, user=None):
        ...
        audit.record(user, destination.authority, "key.added", key, {"kid": key.kid, "purpose": purpose})

Domain functions call it, not views: every way to change something (staff pages, the staff API, bulk
loads, commands) then leaves its entry, in the same transaction as the change. Staff read the trail of
their Authority at `/verwaltung/protokoll/` (`AuditEntry.objects.visible_to(user)`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import AuditEntry, Authority

# Action codes and how the protocol page names them. Record only codes listed here (a test checks it).
ACTIONS = {
    "authority.created": _("Behörde angelegt"),
    "authority.changed": _("Kontaktdaten der Behörde geändert"),
    "account.created": _("Konto angelegt"),
    "account.activated": _("Konto aktiviert"),
    "account.deactivated": _("Konto deaktiviert"),
    "account.second_factor_reset": _("Zweiten Faktor zurückgesetzt"),
    "destination.created": _("Zustellpunkt angelegt"),
    "destination.changed": _("Zustellpunkt geändert"),
    "destination.secret_regenerated": _("Callback-Geheimnis neu erzeugt"),
    "key.added": _("Schlüssel aktiviert"),
    "key.retired": _("Schlüssel abgelöst"),
    "key.grace_ended": _("Übergangsfrist eines Schlüssels beendet"),
    "api_client.created": _("API-Zugang angelegt"),
    "api_client.revoked": _("API-Zugang gesperrt, Tokens widerrufen"),
}


def record(actor: Any, authority: Authority, action: str, target: models.Model,
           details: dict | None = None) -> AuditEntry:
    """Write one entry. `actor` is the acting user (None: the system, e.g. a management command)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    person = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=person,
        actor_username=person.get_username() if person else "",
        authority=authority,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        details=details or {},
    )


def label(action: str) -> str:
    return str(ACTIONS.get(action, action))
