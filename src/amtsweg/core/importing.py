"""Reusable machinery for CSV imports: read, validate, collect every error, then write all or nothing.

Every import of files into the database (reference data, routing responsibilities, shop onboarding …) has
the same needs, so they live here once:

- :func:`read_csv` reads a UTF-8 CSV file, checks its encoding and columns and yields :class:`CsvRow` objects
  that know their file and line. Problems go into an :class:`ErrorCollector` instead of stopping at the first.
- :class:`ErrorCollector` gathers :class:`RowError` (file, line, reason) for a whole run;
  :meth:`ErrorCollector.raise_if_any` turns them into one :class:`ImportFailed` before anything is written.
- :func:`synchronise` makes one table match the rows of a file by natural key in bulk (preloaded dict,
  ``bulk_create``/``bulk_update`` in batches, no per-row query). Rows are never deleted: a key missing from
  the file gets ``ended_on``; a key that comes back is un-ended. It returns :class:`EntityChanges`.
- :func:`synchronise_links` does the same for a many-to-many through table.
- :class:`ImportReport` lists the changes per entity; :class:`Progress` reports progress on stderr (only on a
  terminal, so logs and CI output stay quiet).

Typical use::

    errors = ErrorCollector()
    rows = read_csv(path, errors, required=["key", "name"], display_name="x/keys.csv")
    parsed = {}
    for row in rows:
        if not row["key"].isdigit():
            row.error(errors, f"Schlüssel ist keine Zahl / key is not a number: {row['key']!r}")
            continue
        parsed[row["key"]] = {"name": row["name"]}
    errors.raise_if_any()                      # nothing written yet
    with transaction.atomic():
        changes = synchronise(Thing, key="key", rows=parsed, fields=["name"], today=timezone.localdate())

Messages are German first, English second: the importers run on operators' terminals and in CI logs.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.db import models

BATCH_SIZE = 1000
MAX_ERRORS_SHOWN_PER_FILE = 100


# --- Errors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an input file. ``line`` is the physical line where the record starts (header = 1);
    ``None`` for problems of the whole file (missing file)."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, Zeile/line {self.line}"
        return f"{where}: {self.reason}"


class ImportFailed(Exception):
    """Raised when input files are malformed; the import wrote nothing (or rolled everything back)."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.errors)
        files = len({e.file for e in self.errors})
        return (
            f"Import abgebrochen: {n} Fehler in {files} Datei(en), nichts wurde übernommen. / "
            f"Import aborted: {n} error(s) in {files} file(s), nothing was imported."
        )

    def details(self, max_per_file: int = MAX_ERRORS_SHOWN_PER_FILE) -> list[str]:
        """One line per error, at most ``max_per_file`` per file plus a line saying how many were left out."""
        lines: list[str] = []
        by_file: dict[str, list[RowError]] = {}
        for error in self.errors:
            by_file.setdefault(error.file, []).append(error)
        for file, errors in by_file.items():
            lines.extend(str(e) for e in errors[:max_per_file])
            if len(errors) > max_per_file:
                more = len(errors) - max_per_file
                lines.append(f"{file}: … {more} weitere Fehler / {more} more error(s)")
        return lines


class ErrorCollector:
    """Collects every :class:`RowError` of a run, so that one run shows all problems of all files."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, file: str, line: int | None, reason: str) -> None:
        self.errors.append(RowError(file, line, reason))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)


# --- Reading CSV -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    """One record of a CSV file with its origin, for error messages."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)

    def error(self, errors: ErrorCollector, reason: str) -> None:
        errors.add(self.file, self.line, reason)


def read_csv(
    path: Path | str,
    errors: ErrorCollector,
    *,
    required: Iterable[str] = (),
    display_name: str | None = None,
    delimiter: str = ",",
    strip: bool = True,
) -> list[CsvRow]:
    """Read a UTF-8 CSV file (a BOM is allowed) with a header line.

    Reported to ``errors`` (and the row skipped): a missing file, missing required columns (then no rows are
    returned), bytes that are not UTF-8 or U+FFFD replacement characters (the trace of an earlier broken
    conversion, e.g. "Baden-W�rttemberg"), records with more or fewer fields than the header, NUL bytes.
    Blank lines are skipped. Values are stripped of surrounding whitespace unless ``strip=False``.
    """
    path = Path(path)
    name = display_name or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.add(name, None, f"Datei fehlt / file missing: {path}")
        return []
    except OSError as exc:
        errors.add(name, None, f"Datei nicht lesbar / file not readable: {exc}")
        return []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    # Decode leniently so line numbers stay right; every record that then holds U+FFFD is reported.
    text = raw.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[CsvRow] = []
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.add(name, reader.line_num, f"CSV-Syntaxfehler / CSV syntax error: {exc}")
            previous_end = reader.line_num
            continue
        line = previous_end + 1
        previous_end = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if any("\ufffd" in value for value in record):
            errors.add(
                name,
                line,
                "Zeichenkodierung kaputt (kein gültiges UTF-8 oder Ersatzzeichen U+FFFD) / "
                "broken encoding (not valid UTF-8 or replacement character U+FFFD)",
            )
            if header is None:
                return []
            continue
        if any("\x00" in value for value in record):
            errors.add(name, line, "NUL-Byte in der Zeile (Binärdaten?) / NUL byte in the row (binary data?)")
            continue
        if header is None:
            header = [h.strip() for h in record]
            missing = [c for c in required if c not in header]
            if missing:
                errors.add(name, line, f"Spalte(n) fehlen / missing column(s): {', '.join(missing)}")
                return []
            continue
        if len(record) != len(header):
            errors.add(
                name,
                line,
                f"{len(record)} Felder statt {len(header)} / {len(record)} fields instead of {len(header)}",
            )
            continue
        values = dict(zip(header, (v.strip() for v in record) if strip else record, strict=True))
        rows.append(CsvRow(name, line, values))
    if header is None:
        errors.add(name, None, "Datei ist leer / file is empty")
    return rows


def parse_int(text: str) -> int | None:
    """Parse a whole number as Destatis writes it: spaces (also non-breaking) as thousands separators,
    e.g. ``" 90 164"`` → 90164. Empty → ``None``. Raises ``ValueError`` for anything else."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(text)
    return int(cleaned)


def is_digits(text: str, length: int) -> bool:
    """True for exactly ``length`` ASCII digits (keys such as ARS, AGS, LeiKa keys)."""
    return len(text) == length and text.isascii() and text.isdigit()


# --- Change counting and synchronisation -----------------------------------------------------------


@dataclass
class EntityChanges:
    """What one import did to one table."""

    entity: str
    created: int = 0
    updated: int = 0
    restored: int = 0  # keys that had ended and are back in the file (un-ended)
    ended: int = 0
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.restored + self.ended


@dataclass
class ImportReport:
    """The result of a run: changes per entity plus notes worth telling the operator."""

    entities: list[EntityChanges] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, changes: EntityChanges) -> EntityChanges:
        self.entities.append(changes)
        return changes

    def __getitem__(self, entity: str) -> EntityChanges:
        for changes in self.entities:
            if changes.entity == entity:
                return changes
        raise KeyError(entity)

    @property
    def total_changes(self) -> int:
        return sum(e.changes for e in self.entities)

    def as_table(self) -> str:
        headers = ("", "neu/created", "geändert/updated", "wieder gültig/restored", "beendet/ended",
                   "unverändert/unchanged")
        rows = [(e.entity, e.created, e.updated, e.restored, e.ended, e.unchanged) for e in self.entities]
        width0 = max([len(headers[0])] + [len(r[0]) for r in rows])
        widths = [width0] + [len(h) for h in headers[1:]]
        out = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths,
                                                                                             strict=True)))]
        for row in rows:
            out.append("  ".join(
                str(v).ljust(w) if i == 0 else f"{v:,}".replace(",", ".").rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ))
        return "\n".join(out)


def synchronise(
    model: type[models.Model],
    *,
    key: str | Callable[[models.Model], Hashable],
    rows: Mapping[Hashable, Mapping[str, Any]],
    fields: Sequence[str],
    today: date,
    entity: str | None = None,
    key_fields: Sequence[str] = (),
    ended_field: str = "ended_on",
    batch_size: int = BATCH_SIZE,
) -> tuple[EntityChanges, dict[Hashable, Any]]:
    """Make ``model``'s table match ``rows`` (natural key → values by attribute name, e.g. ``land_id``).

    ``key`` is the natural-key field name, or a function computing the natural key of an instance (then list
    the fields it reads in ``key_fields``; ``rows`` values must contain them so new rows can be created).
    Existing rows are loaded once; differences are written with ``bulk_create``/``bulk_update`` in batches.
    Rows whose key is missing from ``rows`` get ``ended_field`` = ``today`` (never deleted); ended rows whose
    key is back are un-ended. ``bulk_create`` does not call ``save()``: compute derived fields yourself.

    Returns the counts and a map natural key → primary key of every row in ``rows`` (for child tables).
    Call inside ``transaction.atomic()``.
    """
    key_of = (lambda obj: getattr(obj, key)) if isinstance(key, str) else key
    load = {"pk", ended_field, *fields, *([key] if isinstance(key, str) else key_fields)}
    changes = EntityChanges(entity or str(model._meta.verbose_name_plural))
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    only = [by_attname.get(f, f) for f in load if f != "pk"]
    existing = {key_of(obj): obj for obj in model._default_manager.only(*only)}
    to_update: list[models.Model] = []
    to_create: list[models.Model] = []
    for natural_key, values in rows.items():
        obj = existing.get(natural_key)
        if obj is None:
            to_create.append(model(**values))
            changes.created += 1
            continue
        dirty = False
        for name in fields:
            if getattr(obj, name) != values[name]:
                setattr(obj, name, values[name])
                dirty = True
        if getattr(obj, ended_field) is not None:
            setattr(obj, ended_field, None)
            changes.restored += 1
            to_update.append(obj)
        elif dirty:
            changes.updated += 1
            to_update.append(obj)
        else:
            changes.unchanged += 1
    for natural_key, obj in existing.items():
        if natural_key not in rows and getattr(obj, ended_field) is None:
            setattr(obj, ended_field, today)
            changes.ended += 1
            to_update.append(obj)
    if to_update:
        model._default_manager.bulk_update(to_update, [*fields, ended_field], batch_size=batch_size)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=batch_size)
    ids = {k: existing[k].pk for k in rows if k in existing}
    ids.update({key_of(obj): obj.pk for obj in to_create})
    return changes, ids


def synchronise_links(
    through: type[models.Model],
    *,
    left: str,
    right: str,
    pairs: set[tuple[Any, Any]],
    entity: str,
    scope: set[Any] | None = None,
    batch_size: int = BATCH_SIZE,
) -> EntityChanges:
    """Make a many-to-many through table hold exactly ``pairs`` of (``left``, ``right``) ids.

    Only links whose left id is in ``scope`` (default: every left id in ``pairs``) are removed when missing,
    so links of rows that have ended stay as history. Removed links are counted as ``ended``.
    """
    changes = EntityChanges(entity)
    if scope is None:
        scope = {a for a, _ in pairs}
    existing = set(through._default_manager.values_list(left, right))
    missing = pairs - existing
    extra = {p for p in existing - pairs if p[0] in scope}
    changes.created = len(missing)
    changes.ended = len(extra)
    changes.unchanged = len(pairs & existing)
    if extra:
        extra_by_left: dict[Any, list[Any]] = {}
        for a, b in extra:
            extra_by_left.setdefault(a, []).append(b)
        for a, bs in extra_by_left.items():
            through._default_manager.filter(**{left: a, f"{right}__in": bs}).delete()
    if missing:
        through._default_manager.bulk_create(
            [through(**{left: a, right: b}) for a, b in sorted(missing)], batch_size=batch_size
        )
    return changes


# --- Progress --------------------------------------------------------------------------------------


class Progress:
    """Progress lines on stderr for the operator; silent when the stream is not a terminal.

    ``file_read(name, rows)`` after each file, ``step(text)`` after each written table; each line shows
    the seconds since start.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()

    def _write(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"[{time.monotonic() - self.started:5.1f}s] {text}\n")
            self.stream.flush()

    def file_read(self, name: str, rows: int) -> None:
        self._write(f"{name}: {rows:,} Zeilen gelesen / rows read".replace(",", "."))

    def step(self, text: str) -> None:
        self._write(text)

