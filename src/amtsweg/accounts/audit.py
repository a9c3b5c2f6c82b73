"""The audit trail: `record(actor, authority, action, target, details)` for every change to destinations,
keys, API clients (and their tokens), staff accounts and Authorities.

    from amtsweg.accounts import audit

    @transaction.atomic
    def add_key(destination, jwk, purpose, *, actor):
        ...
        audit.record(actor, destination.authority, "key.added", key, {"kid": key.kid, "purpose": purpose})

Domain functions call it, not views: every way to change something (staff pages, the staff API, bulk
loads, commands) then leaves its entry, in the same transaction as the change. Staff read the trail of
their Authority at `/verwaltung/protokoll/` (`AuditEntry.objects.visible_to(user)`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import AuditEntry, Authority, User
from amtsweg.core.actors import is_system
from amtsweg.core.plugins import PluginRegistry
from amtsweg.core.tenancy import require_actor

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
    "casework.receiving_enabled": _("Amtsweg-Sachbearbeitung als Empfangssystem gewählt"),
    "casework.receiving_disabled": _("Zurück zum externen Fachverfahren"),
    "casework.team_created": _("Team der Sachbearbeitung angelegt"),
    "casework.team_changed": _("Team der Sachbearbeitung geändert"),
    "casework.service_settings_changed": _("Fristen und Team einer Leistung geändert"),
    "case.viewed": _("Vorgang angesehen"),
    "case.attachment_viewed": _("Anlage eines Vorgangs angesehen"),
    "case.state_changed": _("Status eines Vorgangs geändert"),
    "case.assigned": _("Vorgang zugewiesen"),
    "case.note_added": _("Interne Notiz angelegt"),
    "case.forwarded": _("Vorgang weitergeleitet"),
    "case.content_deleted": _("Inhalt eines Vorgangs nach Ablauf der Aufbewahrungsfrist gelöscht"),
    "case.data_exported": _("Auskunft nach Art. 15 DSGVO erstellt"),
    "case.archive_exported": _("Vorgang für die E-Akte exportiert"),
    "postfach.message_sent": _("Nachricht an den Antragsteller gesendet"),
    "maturity.declared": _("Online-Dienst außerhalb von Amtsweg erklärt"),
    "maturity.withdrawn": _("Erklärung eines Online-Dienstes zurückgezogen"),
    "postfach.inquiry_sent": _("Rückfrage an den Antragsteller gesendet"),
    "postfach.answer_received": _("Antwort des Antragstellers eingegangen"),
    "postfach.messages_viewed": _("Nachrichten eines Vorgangs angesehen"),
    "postfach.attachment_viewed": _("Anlage einer Nachricht angesehen"),
    "postfach.notice_sent": _("Bescheid zugestellt"),
    "postfach.template_changed": _("Bescheidvorlage geändert"),
}


# How the protocol page names the keys of `details`. The stored keys stay English and stable (they are data);
# only the page translates them. An unknown key is shown as it is rather than hidden.
DETAIL_LABELS = {
    "name": _("Name"),
    "channels": _("Zustellwege"),
    "callback_url": _("Callback-Adresse"),
    "notification_email": _("E-Mail für Benachrichtigungen"),
    "status": _("Status"),
    "metadata_versions": _("Metadaten-Versionen"),
    "submission_schemas": _("Antragsschemata"),
    "destination": _("Zustellpunkt"),
    "kid": _("Schlüssel-ID (kid)"),
    "purpose": _("Verwendung"),
    "valid_until": _("Zum Entschlüsseln gültig bis"),
    "grace_days": _("Übergangsfrist (Tage)"),
    "client_id": _("Client-ID"),
    "kind": _("Art"),
    "scopes": _("Berechtigungen (Scopes)"),
    "tokens_revoked": _("Widerrufene Tokens"),
    "username": _("Benutzername"),
    "role": _("Rolle"),
    "activation_link_to": _("Aktivierungslink an"),
    "devices": _("Entfernte Geräte"),
    "area_ars": _("Gebiet (ARS)"),
    "email": _("E-Mail"),
    "phone": _("Telefon"),
    "street": _("Straße und Hausnummer"),
    "postcode": _("Postleitzahl"),
    "city": _("Ort"),
    "website": _("Webseite"),
    "opening_hours": _("Öffnungszeiten"),
    "reference": _("Vorgangsnummer"),
    "state": _("Status"),
    "decision": _("Entscheidung"),
    "assignee": _("Zuständig"),
    "attachment": _("Anlage"),
    "entry": _("Eintrag"),
    "message": _("Nachricht"),
    "via": _("Zugang"),
    "notice": _("Bescheid"),
    "template": _("Vorlage"),
    "closed_on": _("Abgeschlossen am"),
    "retention_days": _("Aufbewahrungsfrist (Tage)"),
    "categories": _("Gelöschte Inhalte (Anzahl)"),
    "by": _("Durch"),
    "files": _("Dateien"),
    "leika_key": _("Leistungsschlüssel"),
    "processing_days": _("Bearbeitungsfrist (Tage)"),
    "members": _("Mitglieder"),
    "services": _("Leistungen"),
    "team": _("Team"),
    "from": _("vorher"),
    "to": _("nachher"),
}

# Stored code values the page names in German. The apps above accounts own most codes (a key's purpose, a
# destination's status, a case's state, what the retention job deleted); accounts may not import them
# (layers), and a copy here drifts from the original. So each app registers its own labels in its
# `AppConfig.ready()` — `audit.register_labels(retention.CATEGORIES)`, `audit.register_values(Case.State)` —
# and a code registered twice fails at start-up (`AlreadyRegistered`) instead of showing the wrong word.
detail_labels: PluginRegistry[Any] = PluginRegistry("audit detail label")
detail_values: PluginRegistry[Any] = PluginRegistry("audit detail value")


def register_labels(labels: dict[str, Any]) -> None:
    """Name detail keys (code → label) that an app records, e.g. its retention categories."""
    for name, label in labels.items():
        detail_labels.add(name, label)


def register_values(*choices: type[models.Choices]) -> None:
    """Name the stored values of an app's choices (a case's state) as the choices do."""
    for kind in choices:
        for value, label in kind.choices:
            detail_values.add(value, label)


register_labels(DETAIL_LABELS)
register_values(User.Role)

# Keys whose values are ISO timestamps (stored in UTC); shown in the site's time zone like the time column.
_DATETIME_KEYS = {"valid_until"}


def format_details(details: dict | None) -> list[tuple[str, str]]:
    """`details` of an entry as (German label, readable value) pairs for the protocol page.

    Only the display changes: the stored JSON keeps its stable English keys and raw values, so exports and
    later code can still rely on them.
    """
    return [(str(detail_labels.get(name) or name), _format_value(name, value))
            for name, value in (details or {}).items()]


def _format_value(name: str, value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_format_value(name, value['from'])} → {_format_value(name, value['to'])}"
    if isinstance(value, dict):
        return "; ".join(f"{label}: {text}" for label, text in format_details(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_format_value(name, item) for item in value) or "–"
    if isinstance(value, bool):
        return str(_("ja") if value else _("nein"))
    if value is None or value == "":
        return "–"
    if name in _DATETIME_KEYS and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            value = parsed
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return formats.date_format(timezone.localtime(value), "d.m.Y H:i:s")
    if isinstance(value, str) and value in detail_values:
        return str(detail_values[value])
    return str(value)


def record(actor: Any, authority: Authority, action: str, target: models.Model,
           details: dict | None = None) -> AuditEntry:
    """Write one entry. `actor` is the acting user, or `SYSTEM` (a management command, a job): then the entry
    has no actor and a blank username, which the protocol page shows as "System". None raises TypeError."""
    require_actor(actor)
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    person = None if is_system(actor) else actor
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


def record_many(actor: Any, entries: list[tuple[Authority, str, models.Model, dict | None]]) -> list[AuditEntry]:
    """Write several entries of one actor with one INSERT: (authority, action, target, details) each, checked
    like `record` (a batch job, e.g. the retention job's deletion of a batch of cases)."""
    require_actor(actor)
    person = None if is_system(actor) else actor
    rows = []
    for authority, action, target, details in entries:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action: {action}")
        rows.append(AuditEntry(actor=person, actor_username=person.get_username() if person else "",
                               authority=authority, action=action, target_type=target._meta.label_lower,
                               target_id=str(target.pk), target_label=str(target)[:200], details=details or {}))
    return AuditEntry.objects.bulk_create(rows)


def label(action: str) -> str:
    return str(ACTIONS.get(action, action))
