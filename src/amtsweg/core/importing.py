"""Reusable machinery for CSV imports: read, validate, collect every error, then write all or nothing.

Every import of files into the database (reference data, routing responsibilities, shop onboarding …) has
the same needs, so they live here once:

- :func:`parse_csv` is the one CSV reader of every import: it reads UTF-8 CSV bytes (BOM allowed, any other
  encoding refused with the line of the first bad byte), checks columns and field counts and returns
  :class:`CsvRow` objects that know their file and the line where their record starts. Problems go into an
  :class:`ErrorCollector` instead of stopping at the first. :func:`read_csv` reads a file on disk with it;
  uploads call it with ``messages=UPLOAD`` (German, translated) instead of the terminal's German / English.
  No other module reads CSV itself (``core/tests/test_importing.py`` checks).
- :class:`ErrorCollector` gathers :class:`RowError` (file, line, reason) for a whole run;
  :meth:`ErrorCollector.raise_if_any` turns them into one :class:`ImportFailed` before anything is written.
- :func:`synchronise` makes one table match the rows of a file by natural key in bulk (preloaded dict,
  ``core.inserts.insert_rows``/``bulk_update`` in batches, no per-row query). Rows are never deleted: a key
  missing from the file gets ``ended_on``; a key that comes back is un-ended. It returns :class:`EntityChanges`.
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
        parsed[row["key"]] = {"key": row["key"], "name": row["name"]}
    errors.raise_if_any()                      # nothing written yet
    with transaction.atomic():
        changes, ids = synchronise(Thing, key="key", rows=parsed, fields=["name"], today=timezone.localdate())

Messages are German first, English second: the importers run on operators' terminals and in CI logs.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import OutputWrapper
from django.db import models
from django.utils.translation import gettext_lazy

from amtsweg.core.inserts import insert_rows

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
        # Files in the order they were read, lines in file order (syntax errors are found before checks).
        file_order = {e.file: i for i, e in reversed(list(enumerate(errors)))}
        self.errors = sorted(errors, key=lambda e: (file_order[e.file], e.line or 0))
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
        self.notes: list[str] = []  # not errors, but worth telling who uploaded (e.g. a converted encoding)

    def add(self, file: str, line: int | None, reason: str) -> None:
        self.errors.append(RowError(file, line, reason))

    def note(self, text: str) -> None:
        self.notes.append(text)

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


@dataclass(frozen=True)
class CsvMessages:
    """The reader's texts, one set per audience, with ``%(name)s`` placeholders.

    :data:`TERMINAL` (German / English) is for operators' terminals and CI logs, :data:`UPLOAD` (German, through
    gettext, so the staff page's language applies) for files staff upload in the browser. The reader checks the
    same things for both; only the words differ.
    """

    not_utf8: str
    undecided_encoding: str
    converted: str  # %(encoding)s
    undecided_delimiter: str
    replacement_character: str
    nul_byte: str
    syntax_error: str  # %(error)s
    missing_columns: str  # %(columns)s
    field_count: str  # %(n)s, %(m)s
    empty: str


TERMINAL = CsvMessages(
    not_utf8="Datei ist kein gültiges UTF-8 (erstes falsches Byte in dieser Zeile; als „CSV UTF-8“ speichern) / "
             "file is not valid UTF-8 (first bad byte on this line; save it as UTF-8)",
    undecided_encoding="Zeichenkodierung nicht sicher erkennbar (weder UTF-8 noch Windows-1252; als „CSV UTF-8“ "
                       "speichern) / encoding not recognised for certain (neither UTF-8 nor Windows-1252; save it as "
                       "UTF-8)",
    converted="Datei war %(encoding)s-kodiert und wurde nach UTF-8 umgewandelt / file was %(encoding)s, "
              "converted to UTF-8",
    undecided_delimiter="Trennzeichen nicht erkennbar: die Kopfzeile muss die Spalten mit „;“ oder „,“ trennen / "
                        "separator not recognised: the header line must separate columns with ';' or ','",
    replacement_character="Zeichenkodierung kaputt (Ersatzzeichen U+FFFD) / "
                          "broken encoding (replacement character U+FFFD)",
    nul_byte="NUL-Byte in der Zeile (Binärdaten?) / NUL byte in the row (binary data?)",
    syntax_error="CSV-Syntaxfehler / CSV syntax error: %(error)s",
    missing_columns="Spalte(n) fehlen / missing column(s): %(columns)s",
    field_count="%(n)s Felder statt %(m)s / %(n)s fields instead of %(m)s",
    empty="Datei ist leer / file is empty",
)

UPLOAD = CsvMessages(
    not_utf8=gettext_lazy("Die Datei ist nicht UTF-8-kodiert (erstes falsches Zeichen in dieser Zeile), vermutlich "
                          "Windows-1252 oder Latin-1. Bitte in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ "
                          "speichern."),
    undecided_encoding=gettext_lazy("Die Zeichenkodierung der Datei ließ sich nicht sicher erkennen: Sie ist weder "
                                    "UTF-8 noch Windows-1252 (Excels „CSV (Trennzeichen-getrennt)“). Damit keine "
                                    "Umlaute falsch übernommen werden, wurde nichts gelesen. Bitte in Excel als "
                                    "„CSV UTF-8 (durch Trennzeichen getrennt)“ speichern und erneut hochladen."),
    converted=gettext_lazy("Die Datei war %(encoding)s-kodiert (Excels „CSV (Trennzeichen-getrennt)“) und wurde "
                           "nach UTF-8 umgewandelt. Bitte prüfen Sie Namen mit Umlauten im Ergebnis."),
    undecided_delimiter=gettext_lazy("Das Trennzeichen ließ sich nicht erkennen: Die Kopfzeile muss die Spalten mit "
                                     "Semikolon (;) oder Komma (,) trennen und die Spalten %(columns)s enthalten."),
    replacement_character=gettext_lazy("Zeichenkodierung kaputt: Die Zeile enthält das Ersatzzeichen „�“ aus "
                                       "einer früheren falschen Umwandlung."),
    nul_byte=gettext_lazy("Die Zeile enthält ein NUL-Byte (Binärdaten?)."),
    syntax_error=gettext_lazy("CSV-Syntaxfehler: %(error)s"),
    missing_columns=gettext_lazy("Spalte(n) fehlen: %(columns)s"),
    field_count=gettext_lazy("%(n)s Felder statt %(m)s."),
    empty=gettext_lazy("Die Datei ist leer."),
)

UTF8_BOM = b"\xef\xbb\xbf"


def read_csv(
    path: Path | str,
    errors: ErrorCollector,
    *,
    required: Iterable[str] = (),
    display_name: str | None = None,
    delimiter: str | None = ",",
    strip: bool = True,
) -> list[CsvRow]:
    """Read a CSV file on disk with :func:`parse_csv` (terminal messages); a missing or unreadable file is one
    error for the whole file."""
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
    return parse_csv(raw, errors, name=name, required=required, delimiter=delimiter, strip=strip)


def parse_csv(
    raw: bytes,
    errors: ErrorCollector,
    *,
    name: str,
    required: Iterable[str] = (),
    delimiter: str | None = ",",
    strip: bool = True,
    lowercase_header: bool = False,
    pad_short_rows: bool = False,
    messages: CsvMessages = TERMINAL,
    detect_encoding: bool = False,
) -> list[CsvRow]:
    """Read CSV bytes with a header line: the one CSV reader of every import (files and uploads).

    Encoding: UTF-8, with or without BOM. With ``detect_encoding`` (uploads and the responsibilities command:
    files that people saved from Excel) also Windows-1252, which is what German Excel writes as plain "CSV"
    (and a superset of Latin-1's letters), and UTF-16 with a BOM (Excel's "Unicode-Text"); see
    :func:`detect_encoding` for how it is decided and when it is refused. A converted file gets a note in
    ``errors.notes`` so that the person who uploaded it hears of it. Without ``detect_encoding`` (the reference
    data we ship, always UTF-8) bytes that are not UTF-8 are one error naming the line of the first bad byte,
    and no rows are returned. Valid UTF-8 that holds U+FFFD (the trace of an earlier broken conversion,
    "Baden-W\ufffdrttemberg") is an error for each record that holds it.

    Reported to ``errors`` (and the record skipped): the encoding problems above, NUL bytes, CSV syntax errors
    (strict quoting; one in the header line stops the file), missing ``required`` columns (then no rows),
    records with more fields than the header, or fewer unless ``pad_short_rows`` (then the missing trailing
    fields are empty). Records of only empty fields (blank lines, Excel's ``;;;``) are skipped. Every error and
    every :class:`CsvRow` carries the physical line where its record starts (header = 1), also after quoted
    fields that span lines. ``delimiter=None`` decides between ``;`` and ``,`` from the header line (see
    :func:`_find_delimiter`; Excel's ``sep=;`` first line is obeyed); when it cannot, one error and no rows.
    Header names are stripped (and lower-cased with ``lowercase_header``), values stripped unless
    ``strip=False``.
    """
    text = _decode(raw, errors, name, messages, detect_encoding)
    if text is None:
        return []
    first_line, _newline, rest = text.partition("\n")
    sep = _SEP_LINE.fullmatch(first_line.strip())
    if sep:  # Excel's own hint for the separator; the line stays counted so that line numbers still match
        delimiter, text = sep.group(1), "\n" + rest
    if delimiter is None and text.strip():
        delimiter = _find_delimiter(first_line, list(required), lowercase_header)
        if delimiter is None:
            errors.add(name, 1, messages.undecided_delimiter % {"columns": ", ".join(required)})
            return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",", strict=True)
    suspicious = "\ufffd" in text or "\x00" in text  # check records one by one only when needed
    header: list[str] | None = None
    rows: list[CsvRow] = []
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.add(name, reader.line_num, messages.syntax_error % {"error": exc})
            if header is None:
                return []
            previous_end = reader.line_num
            continue
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(value.strip() for value in record):
            continue
        if suspicious and any("\ufffd" in value for value in record):
            errors.add(name, line, str(messages.replacement_character))
            if header is None:
                return []
            continue
        if suspicious and any("\x00" in value for value in record):
            errors.add(name, line, str(messages.nul_byte))
            continue
        if header is None:
            header = [h.strip().lower() if lowercase_header else h.strip() for h in record]
            missing = [c for c in required if c not in header]
            if missing:
                errors.add(name, line, messages.missing_columns % {"columns": ", ".join(missing)})
                return []
            continue
        if len(record) > len(header) or (len(record) < len(header) and not pad_short_rows):
            errors.add(name, line, messages.field_count % {"n": len(record), "m": len(header)})
            continue
        values = dict.fromkeys(header, "")
        values.update(zip(header, (v.strip() for v in record) if strip else record, strict=False))
        rows.append(CsvRow(name, line, values))
    if header is None:
        errors.add(name, None, str(messages.empty))
    return rows


_SEP_LINE = re.compile(r"sep=([;,\t|])")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SINGLE_BYTE = "cp1252"
# Other single-byte encodings whose bytes can also pass for Windows-1252 text (DOS Excel/Lotus files, old
# Mac Excel): asked as well, so that a file that reads better in one of them is refused, not misread.
RIVALS = ("cp850", "mac_roman", "iso8859_2")
ENCODING_LABELS = {SINGLE_BYTE: "Windows-1252", "utf-16": "UTF-16"}


def detect_encoding(raw: bytes) -> str | None:
    """Windows-1252 if these non-UTF-8 bytes read as Windows-1252 text at least as well as in any rival
    encoding, else ``None`` (the caller refuses the file instead of guessing).

    Decided by charset-normalizer (the detector `requests` uses): it decodes samples in each candidate and
    measures their "chaos" (unlikely letter sequences, mixed scripts, symbols inside words). Short files are
    often equally plausible in several encodings; then Windows-1252 wins, because a German Excel that saved
    plain "CSV" wrote exactly that. A file that reads *better* in a rival (e.g. "Stra\xe1e" in DOS code page
    850) is refused, and so is one that would hold control characters. Latin-1 files decode the same way:
    Windows-1252 only adds printable characters where Latin-1 has unused control codes.
    """
    import charset_normalizer

    matches = charset_normalizer.from_bytes(raw, cp_isolation=[SINGLE_BYTE, *RIVALS])
    best = matches.best()
    ours = next((m for m in matches if SINGLE_BYTE in (m.encoding, *m.could_be_from_charset)), None)
    if best is None or ours is None or ours.chaos > best.chaos:
        return None
    text = raw.decode(SINGLE_BYTE)
    if any(ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0 for c in text):
        return None
    return SINGLE_BYTE


def _decode(raw: bytes, errors: ErrorCollector, name: str, messages: CsvMessages, detect: bool) -> str | None:
    """The file's text, or ``None`` after reporting why it cannot be read."""
    has_bom = raw.startswith(UTF8_BOM)
    if has_bom:
        raw = raw[len(UTF8_BOM):]
    elif detect and raw.startswith(UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            errors.add(name, None, str(messages.undecided_encoding))
            return None
        errors.note(messages.converted % {"encoding": ENCODING_LABELS["utf-16"]})
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not detect or has_bom:  # a BOM says UTF-8: bad bytes behind it are damage, not another encoding
            errors.add(name, raw.count(b"\n", 0, exc.start) + 1, str(messages.not_utf8))
            return None
    encoding = detect_encoding(raw)
    if encoding is None:
        errors.add(name, None, str(messages.undecided_encoding))
        return None
    errors.note(messages.converted % {"encoding": ENCODING_LABELS[encoding]})
    return raw.decode(encoding)


def _find_delimiter(header_line: str, required: list[str], lowercase: bool) -> str | None:
    """``;`` or ``,`` for this header line, or ``None`` when it cannot be told.

    The separator that yields every required column wins (a header may hold the other character inside a
    quoted name); else the one the line has more of (values may hold commas, the header line rarely does);
    a line with neither is one column, which is only right when at most one column is required.
    """
    def columns(delimiter: str) -> set[str]:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        return {n.strip().lower() if lowercase else n.strip() for n in names}

    candidates = [d for d in ";," if d in header_line]
    fitting = [d for d in candidates if required and set(required) <= columns(d)]
    if len(fitting) == 1:
        return fitting[0]
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if semicolons != commas:
        return ";" if semicolons > commas else ","
    if not candidates and len(required) <= 1:
        return ","
    return None


def parse_int(text: str) -> int | None:
    """Parse a whole number as Destatis writes it: spaces (also non-breaking) as thousands separators,
    e.g. ``" 90 164"`` → 90164. Empty → ``None``. Raises ``ValueError`` for anything else."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(text)
    return int(cleaned)


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
    key: str | Callable[[Mapping[str, Any]], Hashable],
    rows: Mapping[Hashable, Mapping[str, Any]],
    fields: Sequence[str],
    today: date,
    entity: str | None = None,
    key_fields: Sequence[str] = (),
    ended_field: str = "ended_on",
    batch_size: int = BATCH_SIZE,
) -> tuple[EntityChanges, dict[Hashable, Any]]:
    """Make ``model``'s table match ``rows`` (natural key → values by attribute name, e.g. ``land_id``).

    ``key`` is the natural-key field name, or a function computing the natural key from a row's values (a
    dict); list the fields it reads in ``key_fields``. ``rows`` values hold every field needed to create a row.
    Existing rows are loaded once as plain values (no model instances); only differences are written: new rows
    with :func:`insert_rows`, changed ones with ``bulk_update``, both in batches. Rows whose key is missing
    from ``rows`` get ``ended_field`` = ``today`` (never deleted); ended rows whose key is back are un-ended.
    Nothing calls ``save()``: compute derived fields (e.g. ``name_folded``) yourself.

    Returns the counts and a map natural key → primary key of every row in ``rows`` (for child tables).
    Call inside ``transaction.atomic()``.
    """
    key_of = (lambda values: values[key]) if isinstance(key, str) else key
    load = list(dict.fromkeys(["pk", ended_field, *fields, *([key] if isinstance(key, str) else key_fields)]))
    changes = EntityChanges(entity or str(model._meta.verbose_name_plural))
    manager = model._default_manager
    existing = {key_of(rec): rec for rec in (dict(zip(load, t, strict=True)) for t in manager.values_list(*load))}
    to_update: list[models.Model] = []
    to_create: list[Mapping[str, Any]] = []
    for natural_key, values in rows.items():
        rec = existing.get(natural_key)
        if rec is None:
            to_create.append(values)
            changes.created += 1
            continue
        dirty = any(rec[name] != values[name] for name in fields)
        if rec[ended_field] is not None:
            changes.restored += 1
        elif dirty:
            changes.updated += 1
        else:
            changes.unchanged += 1
            continue
        to_update.append(model(pk=rec["pk"], **{name: values[name] for name in fields}, **{ended_field: None}))
    ended = [rec["pk"] for k, rec in existing.items() if k not in rows and rec[ended_field] is None]
    changes.ended = len(ended)
    for start in range(0, len(ended), batch_size):
        manager.filter(pk__in=ended[start : start + batch_size]).update(**{ended_field: today})
    if to_update:
        manager.bulk_update(to_update, [*fields, ended_field], batch_size=batch_size)
    ids = {k: existing[k]["pk"] for k in rows if k in existing}
    if to_create:
        insert_rows(model, to_create, batch_size=batch_size)
        key_load = list(dict.fromkeys(["pk", *([key] if isinstance(key, str) else key_fields)]))
        for t in manager.values_list(*key_load):
            natural_key = key_of(dict(zip(key_load, t, strict=True)))
            if natural_key in rows and natural_key not in ids:
                ids[natural_key] = t[0]
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
        insert_rows(through, [{left: a, right: b} for a, b in sorted(missing)], batch_size=batch_size)
    return changes


# --- Progress --------------------------------------------------------------------------------------


def _unstyled(text: str) -> str:
    return text


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
        if not self.enabled:
            return
        line = f"[{time.monotonic() - self.started:5.1f}s] {text}\n"
        if isinstance(self.stream, OutputWrapper):
            # A management command's self.stderr would colour every line as an error: plain text.
            self.stream.write(line, style_func=_unstyled)
        else:
            self.stream.write(line)
        self.stream.flush()

    def file_read(self, name: str, rows: int) -> None:
        self._write(f"{name}: {rows:,} Zeilen gelesen / rows read".replace(",", "."))

    def step(self, text: str) -> None:
        self._write(text)

