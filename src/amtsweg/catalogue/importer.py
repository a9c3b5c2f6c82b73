"""Import of the OZG catalogue, and the whole reference-data run (geo + catalogue in one transaction).

Files in ``<source>/ozg-katalog/`` (see its SOURCES.md): ``themenfelder.csv``, ``lebenslagen.csv``,
``ozg_leistungen.csv``, ``leika_leistungen.csv``.

LeiKa rows: one :class:`PublicService` per distinct key (14 digits beginning with 99), linked to every
OZG-Leistung it is listed under. Rows marked ``nicht im LeiKa`` have no key; they become PublicServices with
an empty key, identified by their exact name (so the OZG-Leistung pages stay complete), and can never be
routed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from amtsweg.catalogue import fulltext
from amtsweg.catalogue.models import LifeSituation, OzgService, PublicService, Topic
from amtsweg.core import keyformats
from amtsweg.core.importing import (
    CsvRow,
    ErrorCollector,
    ImportReport,
    Progress,
    read_csv,
    synchronise,
    synchronise_links,
)
from amtsweg.core.text import fold
from amtsweg.geo import importer as geo_importer

FOLDER = "ozg-katalog"
NO_KEY = "nicht im LeiKa"
LEIKA_FIELDS = ["name", "leika_type", "legal_basis", "law", "law_short"]


def default_source() -> Path:
    """``<repo>/data/reference``: the files shipped with the project."""
    from django.conf import settings

    return Path(settings.PROJECT_DIR) / "data" / "reference"


@dataclass
class CatalogueData:
    topics: dict[int, str] = field(default_factory=dict)
    life_situations: dict[int, tuple[str, int]] = field(default_factory=dict)  # number → (name, topic)
    ozg_services: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # ozg_id → (name, topic, ls)
    # natural key (the LeiKa key, or ("", name) for rows without key) → values
    public_services: dict[object, dict] = field(default_factory=dict)
    links: set[tuple[object, int]] = field(default_factory=set)  # (natural key, ozg_id)
    rows_without_key: int = 0


def _number(row: CsvRow, errors: ErrorCollector, column: str, what: str) -> int | None:
    value = row[column]
    if not (value.isascii() and value.isdigit()) or int(value) == 0:
        row.error(errors, f"{what} ist keine positive Zahl / {what} is not a positive number: {value!r}")
        return None
    return int(value)


def _text(row: CsvRow, errors: ErrorCollector, column: str, model, field_name: str, required: bool = True):
    value = row[column]
    limit = model._meta.get_field(field_name).max_length
    if required and not value:
        row.error(errors, f"Spalte {column} ist leer / column {column} is empty")
        return None
    if limit and len(value) > limit:
        row.error(errors, f"{column} länger als {limit} Zeichen / {column} longer than {limit} characters")
        return None
    return value


def _duplicate(row: CsvRow, errors: ErrorCollector, seen: dict, key, what: str) -> bool:
    if key in seen:
        row.error(errors, f"{what} {key} doppelt, zuerst in Zeile {seen[key]} / duplicate, first in line {seen[key]}")
        return True
    seen[key] = row.line
    return False


def read_catalogue(source: Path, errors: ErrorCollector, progress: Progress | None = None) -> CatalogueData:
    """Read and check the four catalogue files; parents must exist in the same files."""
    progress = progress or Progress(enabled=False)
    folder = Path(source) / FOLDER
    data = CatalogueData()

    def rows_of(file: str, columns: list[str]) -> list[CsvRow]:
        name = f"{FOLDER}/{file}"
        rows = read_csv(folder / file, errors, required=columns, display_name=name)
        progress.file_read(name, len(rows))
        return rows

    seen: dict = {}
    for row in rows_of("themenfelder.csv", ["themenfeld_id", "themenfeld"]):
        number = _number(row, errors, "themenfeld_id", "themenfeld_id")
        name = _text(row, errors, "themenfeld", Topic, "name")
        if number is not None and name is not None and not _duplicate(row, errors, seen, number, "Themenfeld"):
            data.topics[number] = name

    seen = {}
    for row in rows_of("lebenslagen.csv", ["lebenslage_id", "lebenslage", "themenfeld_id"]):
        number = _number(row, errors, "lebenslage_id", "lebenslage_id")
        name = _text(row, errors, "lebenslage", LifeSituation, "name")
        topic = _parent(row, errors, "themenfeld_id", data.topics, "Themenfeld")
        if None not in (number, name, topic) and not _duplicate(row, errors, seen, number, "Lebenslage"):
            data.life_situations[number] = (name, topic)

    seen = {}
    for row in rows_of("ozg_leistungen.csv", ["ozg_id", "ozg_leistung", "lebenslage_id", "themenfeld_id"]):
        ozg_id = _number(row, errors, "ozg_id", "ozg_id")
        name = _text(row, errors, "ozg_leistung", OzgService, "name")
        life_situation = _parent(row, errors, "lebenslage_id", data.life_situations, "Lebenslage")
        topic = _parent(row, errors, "themenfeld_id", data.topics, "Themenfeld")
        if None not in (ozg_id, name, life_situation, topic) and not _duplicate(row, errors, seen, ozg_id, "OZG-ID"):
            data.ozg_services[ozg_id] = (name, topic, life_situation)

    first_line: dict = {}
    columns = ["leistungsschluessel", "leistung", "leika_typ", "ozg_id", "rechtsgrundlage", "gesetz", "gesetz_kurz"]
    for row in rows_of("leika_leistungen.csv", columns):
        key = row["leistungsschluessel"]
        if key != NO_KEY and not keyformats.is_leika_key(key):
            row.error(errors, f"Leistungsschlüssel muss 14 Ziffern haben und mit 99 beginnen (oder {NO_KEY!r}) / "
                              f"LeiKa key must be 14 digits beginning with 99 (or {NO_KEY!r}): {key!r}")
            continue
        values = {
            "name": _text(row, errors, "leistung", PublicService, "name"),
            "leika_type": _text(row, errors, "leika_typ", PublicService, "leika_type", required=False),
            "legal_basis": row["rechtsgrundlage"],
            "law": _text(row, errors, "gesetz", PublicService, "law", required=False),
            "law_short": _text(row, errors, "gesetz_kurz", PublicService, "law_short", required=False),
        }
        ozg_id = None
        if row["ozg_id"]:
            ozg_id = _parent(row, errors, "ozg_id", data.ozg_services, "OZG-Leistung")
            if ozg_id is None:
                continue
        if None in values.values():
            continue
        natural_key = key if key != NO_KEY else ("", values["name"])
        if key == NO_KEY:
            data.rows_without_key += 1
        known = data.public_services.get(natural_key)
        if known is None:
            data.public_services[natural_key] = values
            first_line[natural_key] = row.line
        elif known != values:
            differing = ", ".join(f for f in LEIKA_FIELDS if known[f] != values[f])
            row.error(errors, f"Schlüssel {key}: Angaben ({differing}) widersprechen Zeile {first_line[natural_key]} / "
                              f"details contradict line {first_line[natural_key]}")
            continue
        if ozg_id is not None:
            if (natural_key, ozg_id) in data.links and key != NO_KEY:
                row.error(errors, f"Schlüssel {key} mit OZG-ID {ozg_id} doppelt / duplicate key and OZG-ID")
                continue
            data.links.add((natural_key, ozg_id))
    return data


def _parent(row: CsvRow, errors: ErrorCollector, column: str, known: dict, what: str) -> int | None:
    value = row[column]
    number = int(value) if value.isascii() and value.isdigit() else None
    if number is None or number not in known:
        row.error(errors, f"unbekannte {what} / unknown {what}: {column}={value!r}")
        return None
    return number


def write_catalogue(data: CatalogueData, report: ImportReport, today: date, progress: Progress | None = None) -> None:
    """Make the catalogue tables match ``data``. Call inside ``transaction.atomic()``."""
    progress = progress or Progress(enabled=False)
    changes, topic_ids = synchronise(
        Topic, key="number", rows={n: {"number": n, "name": name} for n, name in data.topics.items()},
        fields=["name"], today=today, entity="Themenfelder",
    )
    report.add(changes)
    changes, life_situation_ids = synchronise(
        LifeSituation, key="number",
        rows={n: {"number": n, "name": name, "topic_id": topic_ids[t]}
              for n, (name, t) in data.life_situations.items()},
        fields=["name", "topic_id"], today=today, entity="Lebenslagen",
    )
    report.add(changes)
    changes, ozg_ids = synchronise(
        OzgService, key="ozg_id",
        rows={n: {"ozg_id": n, "name": name, "name_folded": fold(name), "topic_id": topic_ids[t],
                  "life_situation_id": life_situation_ids[ls]}
              for n, (name, t, ls) in data.ozg_services.items()},
        fields=["name", "name_folded", "topic_id", "life_situation_id"], today=today, entity="OZG-Leistungen",
    )
    report.add(changes)
    progress.step(f"OZG-Leistungen: {len(data.ozg_services)} geschrieben / written")
    changes, service_ids = synchronise(
        PublicService, key=lambda s: s["key"] or ("", s["name"]), key_fields=["key", "name"],
        rows={k: {**v, "key": k if isinstance(k, str) else "", "name_folded": fold(v["name"])}
              for k, v in data.public_services.items()},
        fields=["key", *LEIKA_FIELDS, "name_folded"], today=today, entity="LeiKa-Leistungen",
    )
    report.add(changes)
    report.add(synchronise_links(
        PublicService.ozg_services.through, left="publicservice_id", right="ozgservice_id",
        pairs={(service_ids[k], ozg_ids[o]) for k, o in data.links},
        scope=set(service_ids.values()), entity="LeiKa↔OZG-Zuordnungen",
    ))
    progress.step(f"LeiKa-Leistungen: {len(data.public_services)} geschrieben / written")
    # The rows were written in bulk (no save()): their search documents, also when only the everyday words
    # changed. Derived data, so not counted as changes of the catalogue.
    refreshed = fulltext.refresh_documents()
    if refreshed:
        report.notes.append(
            f"Suchindex: {refreshed} Dokumente aktualisiert. / Search index: {refreshed} documents updated."
        )
    with_key = sum(1 for k in data.public_services if isinstance(k, str))
    report.notes.append(
        f"LeiKa: {with_key} Leistungsschlüssel; {data.rows_without_key} Zeilen '{NO_KEY}' als "
        f"{len(data.public_services) - with_key} Leistungen ohne Schlüssel (nicht routbar). / "
        f"{with_key} LeiKa keys; {data.rows_without_key} rows '{NO_KEY}' kept as "
        f"{len(data.public_services) - with_key} services without key (cannot be routed)."
    )


def import_reference(
    source: Path | str | None = None, *, progress: Progress | None = None, today: date | None = None
) -> ImportReport:
    """Import all reference data from ``source`` (default: the shipped files) in one transaction.

    Reads every file first; if any row is malformed, raises :class:`~amtsweg.core.importing.ImportFailed`
    listing all errors and writes nothing. Returns the changes per entity.
    """
    source = Path(source) if source else default_source()
    progress = progress or Progress(enabled=False)
    today = today or timezone.localdate()
    errors = ErrorCollector()
    geo = geo_importer.read_geo(source, errors, progress)
    catalogue = read_catalogue(source, errors, progress)
    errors.raise_if_any()
    report = ImportReport()
    with transaction.atomic():
        geo_importer.write_geo(geo, report, today, progress)
        write_catalogue(catalogue, report, today, progress)
    return report
