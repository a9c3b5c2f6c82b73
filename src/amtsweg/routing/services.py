"""Domain operations on destinations, keys and responsibilities. Views and commands call these.

Every operation validates fully before it writes, and writes inside one transaction. Scope (which
Authority a user may act for) is checked here too, so that the staff UI, the Land bulk load and the
CSV import share one rule set.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.jwk import KeySet

from amtsweg.accounts import audit
from amtsweg.accounts.models import Authority
from amtsweg.core import keyformats, platform_keys
from amtsweg.core.keyformats import ArsLevel
from amtsweg.core.tenancy import can_act_for, can_manage_area
from amtsweg.routing.keys import KeyValidationError, validate_public_jwk
from amtsweg.routing.models import (
    Destination,
    DestinationKey,
    Responsibility,
    ResponsibilityChange,
    new_callback_secret,
)
from amtsweg.routing.resolution import invalidate

logger = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 30
METADATA_VERSIONS = ["1.0.0"]


class RoutingError(ValueError):
    """A refused change, with a German message for the person who asked for it."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


# --- Scope --------------------------------------------------------------------------------------------


# `can_act_for(actor, authority)` and `can_manage_area(actor, area_ars)` (the tenancy layer) guard every write
# below: staff act for their own Authority, Land operators for the Land's own offices only, never for a
# Kommune. Every write takes the acting user as a required `actor` (SYSTEM for commands and imports).


# --- Destinations and keys --------------------------------------------------------------------------


@dataclass
class CreatedDestination:
    destination: Destination
    callback_secret: str  # shown once, right after creation


# Django's own messages for these checks are informal ("Gib eine gültige URL ein.") and name no field; a bulk
# import of many destinations then said neither what nor where (issue 16). Formal German, per field.
FIELD_MESSAGES = {
    ("callback_url", "invalid"): _("Bitte geben Sie eine gültige https-Adresse an, z. B. "
                                   "https://fachverfahren.example.de/eingang."),
    ("notification_email", "invalid"): _("Bitte geben Sie eine gültige E-Mail-Adresse an."),
}


def _check_destination(destination: Destination) -> None:
    """Model validation as one RoutingError that names the field (label) of each problem; `field` is the first."""
    try:
        destination.full_clean(exclude=["callback_secret", "signature"])
    except ValidationError as exc:
        messages, fields = [], []
        for name, errors in exc.error_dict.items():
            label = str(Destination._meta.get_field(name).verbose_name) if name != NON_FIELD_ERRORS else ""
            for error in errors:
                text = str(FIELD_MESSAGES.get((name, error.code), " ".join(error.messages)))
                messages.append(f"{label}: {text}" if label else text)
            fields.append(name)
        raise RoutingError(" ".join(messages), field=fields[0] if fields else None) from None


@transaction.atomic
def create_destination(
    authority: Authority,
    *,
    name: str,
    channels: list[str],
    encryption_jwk: dict,
    signature_jwk: dict | None = None,
    callback_url: str = "",
    notification_email: str = "",
    metadata_versions: list[str] | None = None,
    submission_schemas: list[dict] | None = None,
    status: str = Destination.Status.ACTIVE,
    actor: Any,
    destination_id: uuid.UUID | None = None,
) -> CreatedDestination:
    """Register a destination with its first encryption key (and optionally a signature key)."""
    if not can_act_for(actor, authority):
        raise RoutingError(_("Sie dürfen für diese Behörde keine Zustellpunkte anlegen."))
    encryption = validate_public_jwk(encryption_jwk, "encryption")
    signature = None
    if signature_jwk:
        signature = validate_public_jwk(signature_jwk, "signature", existing_kids=[encryption["kid"]])
    secret = new_callback_secret()
    destination = Destination(
        authority=authority,
        name=name.strip(),
        channels=list(dict.fromkeys(channels)),
        callback_url=callback_url,
        callback_secret=secret,
        notification_email=notification_email,
        metadata_versions=metadata_versions or list(METADATA_VERSIONS),
        submission_schemas=submission_schemas or [],
        status=status,
    )
    if destination_id:
        destination.id = destination_id
    _check_destination(destination)
    destination.save()
    now = timezone.now()
    keys = [DestinationKey.objects.create(
        destination=destination, kid=encryption["kid"], purpose="encryption", jwk=encryption, activated_at=now
    )]
    if signature:
        keys.append(DestinationKey.objects.create(
            destination=destination, kid=signature["kid"], purpose="signature", jwk=signature, activated_at=now
        ))
    refresh_signature(destination)
    audit.record(actor, authority, "destination.created", destination, _audited_values(destination))
    for key in keys:
        audit.record(actor, authority, "key.added", key, {"destination": str(destination.pk), "kid": key.kid,
                                                         "purpose": key.purpose})
    logger.info("destination created", extra={"destination": str(destination.pk), "authority": authority.pk})
    return CreatedDestination(destination, secret)


@transaction.atomic
def update_destination(destination: Destination, *, actor: Any, **changes: Any) -> Destination:
    """Change name, channels, callback URL, e-mail, status or metadata versions."""
    if not can_act_for(actor, destination.authority):
        raise RoutingError(_("Sie dürfen diesen Zustellpunkt nicht ändern."))
    allowed = {"name", "channels", "callback_url", "notification_email", "status", "metadata_versions",
               "submission_schemas"}
    unknown = set(changes) - allowed
    if unknown:
        raise RoutingError(_("Nicht änderbar: %s") % ", ".join(sorted(unknown)))
    before = _audited_values(destination)
    for name, value in changes.items():
        setattr(destination, name, value)
    _check_destination(destination)
    destination.save()
    refresh_signature(destination)
    after = _audited_values(destination)
    changed = {name: {"from": before[name], "to": after[name]} for name in after if before[name] != after[name]}
    if changed:
        audit.record(actor, destination.authority, "destination.changed", destination, changed)
    return destination


def _audited_values(destination: Destination) -> dict:
    """The destination's settings as the audit trail shows them (never the callback secret)."""
    return {
        "name": destination.name, "channels": list(destination.channels), "callback_url": destination.callback_url,
        "notification_email": destination.notification_email, "status": destination.status,
        "metadata_versions": list(destination.metadata_versions or []),
        "submission_schemas": len(destination.submission_schemas or []),
    }


@transaction.atomic
def regenerate_callback_secret(destination: Destination, *, actor: Any) -> str:
    """A new HMAC secret for callbacks; the old one stops working at once. Returned once, never shown again."""
    if not can_act_for(actor, destination.authority):
        raise RoutingError(_("Sie dürfen diesen Zustellpunkt nicht ändern."))
    secret = new_callback_secret()
    Destination.objects.filter(pk=destination.pk).update(callback_secret=secret, updated_at=timezone.now())
    destination.callback_secret = secret
    audit.record(actor, destination.authority, "destination.secret_regenerated", destination)
    return secret


@transaction.atomic
def add_key(
    destination: Destination,
    jwk: dict,
    purpose: str,
    *,
    grace_days: int = DEFAULT_GRACE_DAYS,
    actor: Any,
    now: dt.datetime | None = None,
    require_chain: bool | None = None,
) -> DestinationKey:
    """Rotate: the new key becomes active at once; the previous active key of the same purpose is retired
    but stays valid for decryption until the end of the grace period (submissions already encrypted for it
    may still arrive)."""
    if not can_act_for(actor, destination.authority):
        raise RoutingError(_("Sie dürfen diesen Zustellpunkt nicht ändern."))
    if not 0 <= grace_days <= 365:
        raise RoutingError(_("Die Übergangsfrist muss zwischen 0 und 365 Tagen liegen."), field="grace_days")
    existing = list(DestinationKey.objects.filter(destination=destination).values_list("kid", flat=True))
    public = validate_public_jwk(jwk, purpose, existing_kids=existing, require_chain=require_chain)
    now = now or timezone.now()
    previous = DestinationKey.objects.select_for_update().filter(
        destination=destination, purpose=purpose, retired_at__isnull=True, activated_at__isnull=False
    )
    for old in previous:
        old.retired_at = now
        old.valid_until = now + dt.timedelta(days=grace_days)
        old.save(update_fields=["retired_at", "valid_until"])
        audit.record(actor, destination.authority, "key.retired", old, {
            "destination": str(destination.pk), "kid": old.kid, "purpose": purpose,
            "valid_until": old.valid_until.isoformat()})
    key = DestinationKey.objects.create(
        destination=destination, kid=public["kid"], purpose=purpose, jwk=public, activated_at=now
    )
    refresh_signature(destination)
    audit.record(actor, destination.authority, "key.added", key, {
        "destination": str(destination.pk), "kid": key.kid, "purpose": purpose, "grace_days": grace_days})
    logger.info("destination key rotated", extra={"destination": str(destination.pk), "purpose": purpose})
    return key


@transaction.atomic
def end_grace_period(key: DestinationKey, *, actor: Any) -> DestinationKey:
    """Stop accepting a retired key for decryption now (e.g. after it was compromised)."""
    if not can_act_for(actor, key.destination.authority):
        raise RoutingError(_("Sie dürfen diesen Zustellpunkt nicht ändern."))
    if key.retired_at is None:
        raise RoutingError(_("Der aktive Schlüssel kann nur durch einen neuen Schlüssel abgelöst werden."))
    key.valid_until = timezone.now()
    key.save(update_fields=["valid_until"])
    audit.record(actor, key.destination.authority, "key.grace_ended", key, {
        "destination": str(key.destination_id), "kid": key.kid, "purpose": key.purpose})
    return key


# --- Destination parameters and their signature -------------------------------------------------------


def submission_url() -> str:
    return settings.PUBLIC_BASE_URL + "/v1"


def destination_parameters(destination: Destination, encryption_key: DestinationKey | None) -> dict:
    """The parameters a sender needs, as FIT-Connect's routes carry them (`destinationParameters`)."""
    params: dict[str, Any] = {
        "status": destination.status,
        "submissionUrl": submission_url(),
        "metadataVersions": list(destination.metadata_versions or METADATA_VERSIONS),
        "submissionSchemas": list(destination.submission_schemas or []),
        "replyChannels": {},
        "deliveryChannels": list(destination.channels),
        "publicKeys": {"keys": [encryption_key.jwk] if encryption_key else []},
    }
    if encryption_key:
        params["encryptionKid"] = encryption_key.kid
    return params


def sign_parameters(destination_id: str, params: dict) -> str:
    """Compact JWS (PS512, platform key) whose payload carries the destination id and its parameters."""
    key = platform_keys.signing_key()
    payload = {
        "iss": settings.PUBLIC_BASE_URL,
        "iat": int(timezone.now().timestamp()),
        "jti": str(uuid.uuid4()),
        "destinationId": str(destination_id),
        "submissionHost": settings.PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0],
        "destinationParameters": params,
    }
    header = {"alg": platform_keys.ALGORITHM, "kid": key.kid, "typ": "JWT"}
    return jws.serialize_compact(header, json.dumps(payload, separators=(",", ":")), key,
                                 algorithms=[platform_keys.ALGORITHM])


def signature_payload(token: str) -> dict | None:
    """The payload of a stored signature (no verification: only to see whether it is still current)."""
    try:
        obj = jws.extract_compact(token.encode())
        return json.loads(obj.payload)
    except Exception:  # noqa: BLE001 - a damaged stored value just gets re-signed
        return None


def current_signature(destination: Destination, params: dict) -> str:
    """The stored signature if it still covers exactly these parameters with the current platform key;
    otherwise a fresh one (stored without touching `updated_at` or the index counter)."""
    token = destination.signature
    if token:
        payload = signature_payload(token)
        try:
            header = jws.extract_compact(token.encode()).protected
        except Exception:  # noqa: BLE001
            header = {}
        if (
            payload
            and payload.get("destinationParameters") == params
            and payload.get("iss") == settings.PUBLIC_BASE_URL
            and header.get("kid") == platform_keys.signing_key().kid
        ):
            return token
    token = sign_parameters(str(destination.pk), params)
    Destination.objects.filter(pk=destination.pk).update(signature=token)
    destination.signature = token
    return token


def refresh_signature(destination: Destination) -> str:
    params = destination_parameters(destination, destination.active_encryption_key())
    return current_signature(destination, params)


def verify_route_signature(token: str, jwks: dict) -> dict:
    """Client-side check (also used by the reference client): verify a route's JWS against a JWKS and
    return its payload. Raises joserfc errors when the signature does not verify."""
    obj = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=[platform_keys.ALGORITHM])
    return json.loads(obj.payload)


# --- Responsibilities --------------------------------------------------------------------------------


def known_area(area_ars: str) -> bool:
    from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality

    level = keyformats.ars_level(area_ars)
    if level is ArsLevel.LAND:
        return Land.objects.filter(code=area_ars).exists()
    if level is ArsLevel.REGIERUNGSBEZIRK:
        return Municipality.objects.filter(ars__startswith=area_ars).exists()
    if level is ArsLevel.KREIS:
        return District.objects.filter(code=area_ars).exists()
    if level is ArsLevel.GEMEINDEVERBAND:
        return (
            MunicipalAssociation.objects.filter(code=area_ars).exists()
            or Municipality.objects.filter(ars__startswith=area_ars).exists()
        )
    return Municipality.objects.filter(ars=area_ars).exists()


def check_responsibility(
    leika_key: str, area_ars: str, authority: Authority, destination: Destination, *, actor: Any
) -> None:
    """All rules for one responsibility except the conflict check (which needs the database state)."""
    if not keyformats.is_leika_key(leika_key):
        raise RoutingError(_("„%(key)s“ ist kein gültiger Leistungsschlüssel (14 Ziffern, beginnend mit 99).")
                           % {"key": (leika_key or "")[:40]}, field="leika_key")
    if not keyformats.is_ars(area_ars):
        raise RoutingError(_("„%(ars)s“ ist kein gültiges Gebiet (Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern).")
                           % {"ars": (area_ars or "")[:40]}, field="area_ars")
    if not known_area(area_ars):
        raise RoutingError(_("Das Gebiet %(ars)s gibt es im Gemeindeverzeichnis nicht.") % {"ars": area_ars},
                           field="area_ars")
    if not can_manage_area(actor, area_ars):
        raise RoutingError(_("Für das Gebiet %(ars)s dürfen Sie keine Zuständigkeiten eintragen.")
                           % {"ars": area_ars}, field="area_ars")
    if not can_act_for(actor, authority):
        raise RoutingError(_("Sie dürfen für diese Behörde keine Zuständigkeiten eintragen."), field="authority")
    if authority.land_code != area_ars[:2]:
        raise RoutingError(_("Die Behörde %(authority)s liegt nicht im Land des Gebiets %(ars)s.")
                           % {"authority": authority.name, "ars": area_ars}, field="authority")
    if not destination_serves(destination, authority):
        raise RoutingError(_("Der Zustellpunkt „%(dest)s“ gehört nicht zu %(authority)s.")
                           % {"dest": destination.name, "authority": authority.name}, field="destination")


def destination_serves(destination: Destination, authority: Authority) -> bool:
    """A destination takes applications for its own Authority, or (a Land's central one) for its Land."""
    owner = destination.authority
    return owner.pk == authority.pk or (owner.kind == Authority.Kind.LAND and owner.land_code == authority.land_code)


def conflict_message(leika_key: str, area_ars: str, existing: Responsibility | None = None) -> str:
    who = f" ({existing.authority.name})" if existing is not None else ""
    return _("Für Leistung %(key)s und Gebiet %(ars)s ist schon eine Zuständigkeit eingetragen%(who)s. "
             "Bitte ändern Sie den bestehenden Eintrag, statt einen zweiten anzulegen.") % {
        "key": leika_key, "ars": area_ars, "who": who}


def add_responsibility(
    leika_key: str, area_ars: str, authority: Authority, destination: Destination, *, actor: Any
) -> Responsibility:
    """Register (LeiKa key, area) → authority + destination; a second entry for the same pair is refused."""
    leika_key, area_ars = (leika_key or "").strip(), (area_ars or "").strip()
    check_responsibility(leika_key, area_ars, authority, destination, actor=actor)
    existing = Responsibility.objects.filter(leika_key=leika_key, area_ars=area_ars).select_related("authority").first()
    if existing is not None:
        raise RoutingError(conflict_message(leika_key, area_ars, existing))
    try:
        with transaction.atomic():
            responsibility = Responsibility.objects.create(
                leika_key=leika_key, area_ars=area_ars, authority=authority, destination=destination
            )
            ResponsibilityChange.record(ResponsibilityChange.Action.CREATED, responsibility, actor)
    except IntegrityError:
        raise RoutingError(conflict_message(leika_key, area_ars)) from None
    logger.info("responsibility created", extra={"responsibility": responsibility.pk, "authority": authority.pk})
    return responsibility


@transaction.atomic
def change_responsibility(responsibility: Responsibility, *, destination: Destination, actor: Any) -> Responsibility:
    check_responsibility(
        responsibility.leika_key, responsibility.area_ars, responsibility.authority, destination, actor=actor
    )
    responsibility.destination = destination
    responsibility.save(update_fields=["destination", "updated_at"])
    ResponsibilityChange.record(ResponsibilityChange.Action.CHANGED, responsibility, actor)
    return responsibility


@transaction.atomic
def remove_responsibility(responsibility: Responsibility, *, actor: Any) -> None:
    if not can_manage_area(actor, responsibility.area_ars) or not can_act_for(actor, responsibility.authority):
        raise RoutingError(_("Diese Zuständigkeit dürfen Sie nicht löschen."))
    logger.info("responsibility removed", extra={"responsibility": responsibility.pk})
    ResponsibilityChange.record(ResponsibilityChange.Action.DELETED, responsibility, actor)
    responsibility.delete()


# --- Land bulk load of destinations ------------------------------------------------------------------


@dataclass
class BulkLoadResult:
    created: list[CreatedDestination] = field(default_factory=list)
    # (entry number, reason): the reason starts with where – the line of the entry in the file (if known) and
    # the JSON field (if the problem has one).
    errors: list[tuple[int, str]] = field(default_factory=list)


# The model's fields under their names in the bulk file, to say which field of an entry is wrong.
JSON_FIELDS = {"callback_url": "callbackUrl", "notification_email": "notificationEmail", "name": "name",
               "channels": "channels", "metadata_versions": "metadataVersions", "status": "status"}


def entry_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON list starts ([] if `text` is not such a list)."""
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip())
    if not text.startswith("[", index):
        return []
    lines, index = [], index + 1
    try:
        while True:
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            if index >= len(text) or text[index] == "]":
                return lines
            lines.append(text.count("\n", 0, index) + 1)
            _value, index = decoder.raw_decode(text, index)
    except ValueError:
        return []


def bulk_load_destinations(entries: list[dict], *, actor: Any, lines: list[int] | None = None) -> BulkLoadResult:
    """Land bulk load: a JSON list of destinations (authority by id or ARS, name, channels, keys).

    All or nothing: every entry is checked; if any is wrong nothing is stored and every error is reported
    with the entry's number, its line in the file (`lines`, from `entry_lines`) and the JSON field.
    Private keys are refused without echoing them.
    """
    result = BulkLoadResult()
    if not isinstance(entries, list):
        result.errors.append((0, _("Erwartet wird eine JSON-Liste von Zustellpunkten.")))
        return result
    lines = lines if lines and len(lines) == len(entries) else []

    def where(number: int, json_field: str | None) -> str:
        parts = []
        if lines:
            parts.append(_("Zeile %(line)s") % {"line": lines[number - 1]})
        if json_field:
            parts.append(_("Feld „%(field)s“") % {"field": json_field})
        return f"{', '.join(parts)}: " if parts else ""

    try:
        with transaction.atomic():
            for number, entry in enumerate(entries, start=1):
                try:
                    result.created.append(_load_one(entry, actor=actor))
                except KeyValidationError as exc:
                    result.errors.append((number, where(number, None) + " ".join(exc.messages)))
                except RoutingError as exc:
                    json_field = JSON_FIELDS.get(exc.field or "", exc.field)
                    result.errors.append((number, where(number, json_field) + str(exc)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = []
    return result


class _Rollback(Exception):
    pass


def _load_one(entry: Any, *, actor: Any) -> CreatedDestination:
    if not isinstance(entry, dict):
        raise RoutingError(_("Eintrag ist kein JSON-Objekt."))
    authority = None
    if entry.get("authorityId") is not None:
        authority = Authority.objects.filter(pk=entry["authorityId"]).first()
    elif entry.get("authorityArs"):
        authority = Authority.objects.filter(area_ars=str(entry["authorityArs"])).order_by("pk").first()
    if authority is None:
        raise RoutingError(_("Behörde nicht gefunden (authorityId oder authorityArs angeben)."))
    if not can_act_for(actor, authority):
        raise RoutingError(_("Die Behörde %(name)s liegt nicht in Ihrem Zuständigkeitsbereich.")
                           % {"name": authority.name})
    if not entry.get("name"):
        raise RoutingError(_("Der Name des Zustellpunkts fehlt."))
    if not isinstance(entry.get("encryptionKey"), dict):
        raise RoutingError(_("Der Verschlüsselungsschlüssel (encryptionKey) fehlt."))
    return create_destination(
        authority,
        name=str(entry["name"]),
        channels=list(entry.get("channels") or ["pull"]),
        encryption_jwk=entry["encryptionKey"],
        signature_jwk=entry.get("signingKey"),
        callback_url=str(entry.get("callbackUrl") or ""),
        notification_email=str(entry.get("notificationEmail") or ""),
        metadata_versions=entry.get("metadataVersions"),
        actor=actor,
    )


def rebuild_index() -> None:
    """After bulk writes that bypass model signals."""
    invalidate()
