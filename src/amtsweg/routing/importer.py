"""CSV import of responsibilities: validate every line, report (line, reason) for each problem, then
write all rows or none.

Columns (header line required; comma or semicolon separated; UTF-8 with or without BOM, or Windows-1252 as
Excel saves plain "CSV", detected), read by :func:`amtsweg.core.importing.parse_csv` like every import:

    leika_key,area_ars,destination_id[,authority_id]

`authority_id` defaults to the destination's Authority. A (leika_key, area_ars) pair that is already
registered, or that appears twice in the file, is a conflict and refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtsweg.accounts.models import Authority
from amtsweg.core import keyformats
from amtsweg.core.actors import is_system
from amtsweg.core.importing import UPLOAD, CsvRow, ErrorCollector, parse_csv
from amtsweg.core.tenancy import can_act_for, can_manage_area, require_actor
from amtsweg.routing.models import Destination, Responsibility, ResponsibilityChange
from amtsweg.routing.resolution import invalidate
from amtsweg.routing.services import destination_serves

REQUIRED = ("leika_key", "area_ars", "destination_id")
COLUMNS = (*REQUIRED, "authority_id")
# The template's example row: well-formed but never importable (no such destination), so an example left in
# the file is a line in the report, not a responsibility.
EXAMPLE = ("99102013000000", "100410100100", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason); None = whole file
    notes: list[str] = field(default_factory=list)  # e.g. the file was converted from Windows-1252

    @property
    def ok(self) -> bool:
        return not self.errors


def _known_areas() -> set[str]:
    from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality

    areas: set[str] = set()
    for ars in Municipality.objects.current().values_list("ars", flat=True):
        areas.update(keyformats.ars_prefixes(ars))
    for model in (Land, District, MunicipalAssociation):
        areas.update(model.objects.current().values_list("code", flat=True))
    return areas


def import_responsibilities(data: bytes | str, *, actor: Any, dry_run: bool = False) -> ImportResult:
    """Check and (unless `dry_run` or any error) store all rows in one transaction, as `actor` (a staff
    member on the import page, or SYSTEM for the `import_responsibilities` command)."""
    require_actor(actor)
    result = ImportResult()
    if isinstance(data, bytes) and len(data) > MAX_BYTES:
        result.errors.append((None, _("Die Datei ist größer als 5 MB.")))
        return result
    raw = data.encode() if isinstance(data, str) else data
    errors = ErrorCollector()
    rows = parse_csv(raw, errors, name="", required=REQUIRED, delimiter=None, lowercase_header=True,
                     messages=UPLOAD, detect_encoding=True)
    result.errors.extend((e.line, e.reason) for e in errors.errors)
    result.notes.extend(errors.notes)
    if not rows:
        if not result.errors:
            result.errors.append((None, _("Die Datei enthält keine Zeilen.")))
        return result

    areas = _known_areas()
    destinations = {str(d.pk): d for d in Destination.objects.select_related("authority")}
    authorities = {a.pk: a for a in Authority.objects.all()}
    existing = set(Responsibility.objects.values_list("leika_key", "area_ars"))
    seen: dict[tuple[str, str], int] = {}
    new: list[Responsibility] = []

    result.rows = len(rows)
    for row in rows:
        reason = _check_row(row, areas, destinations, authorities, existing, seen, actor)
        if isinstance(reason, str):
            result.errors.append((row.line, reason))
            continue
        seen[(row["leika_key"], row["area_ars"])] = row.line
        new.append(reason)
    result.errors.sort(key=lambda error: error[0] or 0)  # the reader's and the checks' errors in file order

    if result.errors or dry_run:
        return result
    with transaction.atomic():
        Responsibility.objects.bulk_create(new, batch_size=2000)
        who = None if is_system(actor) else actor
        ResponsibilityChange.objects.bulk_create(
            [ResponsibilityChange(action=ResponsibilityChange.Action.IMPORTED, leika_key=r.leika_key,
                                  area_ars=r.area_ars, authority=r.authority, destination_id=r.destination_id,
                                  user=who) for r in new],
            batch_size=2000,
        )
        invalidate()
    result.created = len(new)
    return result


def _check_row(row: CsvRow, areas, destinations, authorities, existing, seen, actor) -> Responsibility | str:
    key, area, dest_id = row["leika_key"], row["area_ars"], row["destination_id"]
    if not keyformats.is_leika_key(key):
        return _("„%(key)s“ ist kein gültiger Leistungsschlüssel (14 Ziffern, beginnend mit 99).") % {"key": key[:40]}
    if not keyformats.is_ars(area):
        return _("„%(ars)s“ ist kein gültiges Gebiet (Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern).") % {
            "ars": area[:40]}
    if area not in areas:
        return _("Das Gebiet %(ars)s gibt es im Gemeindeverzeichnis nicht.") % {"ars": area}
    if not can_manage_area(actor, area):
        return _("Für das Gebiet %(ars)s dürfen Sie keine Zuständigkeiten eintragen.") % {"ars": area}
    try:
        dest_key = str(uuid.UUID(dest_id))
    except ValueError:
        return _("„%(id)s“ ist keine gültige Zustellpunkt-ID (UUID).") % {"id": dest_id[:40]}
    destination = destinations.get(dest_key)
    if destination is None or not can_act_for(actor, destination.authority):
        return _("Zustellpunkt %(id)s nicht gefunden.") % {"id": dest_key}
    authority = destination.authority
    if row.get("authority_id"):
        try:
            authority = authorities.get(int(row["authority_id"]))
        except ValueError:
            authority = None
        if authority is None or not can_act_for(actor, authority):
            return _("Behörde %(id)s nicht gefunden.") % {"id": row["authority_id"][:20]}
        if not destination_serves(destination, authority):
            return _("Der Zustellpunkt gehört nicht zu dieser Behörde.")
    if authority.land_code != area[:2]:
        return _("Die Behörde %(name)s liegt nicht im Land des Gebiets %(ars)s.") % {
            "name": authority.name, "ars": area}
    if (key, area) in existing:
        return _("Für Leistung %(key)s und Gebiet %(ars)s ist schon eine Zuständigkeit eingetragen.") % {
            "key": key, "ars": area}
    if (key, area) in seen:
        return _("Leistung %(key)s und Gebiet %(ars)s stehen schon in Zeile %(line)s.") % {
            "key": key, "ars": area, "line": seen[(key, area)]}
    return Responsibility(leika_key=key, area_ars=area, authority=authority, destination=destination)
