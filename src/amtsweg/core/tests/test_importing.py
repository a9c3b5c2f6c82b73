"""`parse_csv`, the one CSV reader of every import: the rules uploads rely on, and that nothing else reads CSV.

The machinery as the reference import uses it (files on disk, synchronisation) is pinned in
`catalogue/tests/test_import_machinery.py`.
"""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from amtsweg.core.importing import TERMINAL, UPLOAD, ErrorCollector, parse_csv

SRC = Path(__file__).resolve().parents[3]
READERS = {"reader", "DictReader", "Sniffer"}


def _parse(text: str | bytes, **options):
    errors = ErrorCollector()
    rows = parse_csv(text.encode() if isinstance(text, str) else text, errors, name="u.csv", **options)
    return rows, [(e.line, e.reason) for e in errors.errors]


def test_lines_are_where_each_record_starts_across_quoted_line_breaks_and_blank_rows():
    rows, errors = _parse('a;b\r\n1;"x\r\ny\r\nz"\r\n;;\r\n\r\n2;w;zu viel\r\n3;v\r\n', delimiter=None)
    assert [(r.line, r["a"], r["b"]) for r in rows] == [(2, "1", "x\r\ny\r\nz"), (8, "3", "v")]
    assert errors == [(7, "3 Felder statt 2 / 3 fields instead of 2")]


@pytest.mark.parametrize(("text", "values"), [
    ("a;b\n1,5;Mo, Di, Mi, Do, Fr\n", {"a": "1,5", "b": "Mo, Di, Mi, Do, Fr"}),
    ("a,b\n1;2,3\n", {"a": "1;2", "b": "3"}),
])
def test_delimiter_comes_from_the_header_line_only(text, values):
    rows, errors = _parse(text, delimiter=None)
    assert errors == [] and rows[0].values == values


def test_header_is_stripped_and_optionally_lower_cased_and_short_rows_optionally_padded():
    rows, errors = _parse(" LEIKA_Key ; Area \n1\n", delimiter=None, lowercase_header=True, pad_short_rows=True)
    assert errors == [] and rows[0].values == {"leika_key": "1", "area": ""}
    _rows, errors = _parse(" LEIKA_Key ; Area \n1\n", delimiter=None, required=["leika_key"])
    assert errors == [(1, "Spalte(n) fehlen / missing column(s): leika_key")]
    _rows, errors = _parse("a;b\n1\n", delimiter=None)
    assert errors == [(2, "1 Felder statt 2 / 1 fields instead of 2")]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_without_detection_a_windows_encoded_file_is_one_error_at_the_line_of_its_first_bad_byte(encoding):
    """The reference data we ship is UTF-8: there a Windows byte is damage, never converted."""
    text = "ars;name\n10;Saarland\n10041;Regionalverband Saarbrücken\n10042;Landkreis Merzig-Wadern, Größe\n"
    with translation.override("de"):
        rows, errors = _parse(text.encode(encoding), delimiter=None, messages=UPLOAD)
    assert rows == []
    [(line, reason)] = errors
    assert line == 3
    assert "nicht UTF-8-kodiert" in reason and "„CSV UTF-8 (durch Trennzeichen getrennt)“" in reason


# What German Excel writes for "CSV (Trennzeichen-getrennt)": Windows-1252, `;`, CRLF, typographic quotes,
# the euro sign and the en dash (all three exist only in Windows-1252, not in Latin-1).
EXCEL_ROWS = [["ars", "zustaendige_stelle", "oeffnungszeiten", "gebuehr_eur"],
              ["100410100100", "Bürgeramt „Rathaus“ Saarbrücken", "Mo–Fr 8–12 Uhr", "12,50 €"],
              ["100440115115", "Straßenverkehrsamt Überherrn", "Di, Do 14–18 Uhr", "7,00 €"]]


def _excel_bytes(rows, encoding="cp1252", delimiter=";") -> bytes:
    return "".join(delimiter.join(row) + "\r\n" for row in rows).encode(encoding)


def test_excel_windows_1252_files_are_detected_and_read_with_their_umlauts():
    raw = _excel_bytes(EXCEL_ROWS)
    assert b"B\xfcrgeramt \x84Rathaus\x93" in raw  # really Windows-1252 bytes, not UTF-8
    errors = ErrorCollector()
    with translation.override("de"):
        rows = parse_csv(raw, errors, name="u.csv", delimiter=None, messages=UPLOAD, detect_encoding=True,
                         required=["ars", "zustaendige_stelle"])
    assert errors.errors == []
    assert [list(r.values.values()) for r in rows] == EXCEL_ROWS[1:]
    assert [r.line for r in rows] == [2, 3]
    [note] = errors.notes
    assert "Windows-1252" in note and "umgewandelt" in note


def test_latin_1_files_read_the_same_as_windows_1252():
    rows = [["ars", "name"], ["10044", "Gemeinde Großrosseln, Ortsteil Überherrn"], ["10045", "Völklingen"]]
    errors = ErrorCollector()
    parsed = parse_csv(_excel_bytes(rows, "latin-1"), errors, name="u.csv", delimiter=None, detect_encoding=True)
    assert errors.errors == [] and [list(r.values.values()) for r in parsed] == rows[1:]


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_utf8_excel_files_are_read_without_conversion(prefix):
    errors = ErrorCollector()
    rows = parse_csv(prefix + _excel_bytes(EXCEL_ROWS, "utf-8"), errors, name="u.csv", delimiter=None,
                     detect_encoding=True)
    assert errors.errors == [] and errors.notes == []
    assert [list(r.values.values()) for r in rows] == EXCEL_ROWS[1:]


def test_excel_unicode_text_utf16_with_bom_is_read():
    errors = ErrorCollector()
    rows = parse_csv(_excel_bytes(EXCEL_ROWS, "utf-16"), errors, name="u.csv", delimiter=None,
                     detect_encoding=True)
    assert errors.errors == [] and [list(r.values.values()) for r in rows] == EXCEL_ROWS[1:]
    assert "UTF-16" in errors.notes[0]


@pytest.mark.parametrize("raw", [
    # old Mac Excel (MacRoman): reads better in MacRoman than in Windows-1252, so it is not guessed
    _excel_bytes([["ars", "zustaendige_stelle", "email"],
                  ["10041100", "Bürgeramt Völklingen – Steueramt", "a@b.example"],
                  ["10041111", "Straßenverkehrsbehörde „Süd“", "x@y.example"]], "mac_roman"),
    # bytes Windows-1252 does not define, and control characters: not a text file of any kind we know
    b"ars;name\r\n10041;Saarbr\x81cken\x8d\r\n",
    b"ars;name\r\n10041;\x01\x02\xfc\x03\r\n",
], ids=["mac-roman", "undefined-bytes", "control-characters"])
def test_a_file_whose_encoding_cannot_be_decided_is_refused_with_a_german_explanation(raw):
    errors = ErrorCollector()
    with translation.override("de"):
        rows = parse_csv(raw, errors, name="u.csv", delimiter=None, messages=UPLOAD, detect_encoding=True)
    assert rows == []
    [error] = errors.errors
    assert error.line is None
    assert "Zeichenkodierung der Datei ließ sich nicht sicher erkennen" in error.reason
    assert "„CSV UTF-8 (durch Trennzeichen getrennt)“" in error.reason


def test_a_bom_says_utf_8_so_bad_bytes_behind_it_are_not_converted():
    errors = ErrorCollector()
    parse_csv(b"\xef\xbb\xbfars;name\n1;Saarbr\xfccken\n", errors, name="u.csv", detect_encoding=True)
    assert [(e.line, e.reason) for e in errors.errors] == [(2, TERMINAL.not_utf8)]


@pytest.mark.parametrize(("text", "required", "values"), [
    # a comma inside a quoted column name: the separator that yields the required columns wins
    ('"name, kurz";ars\nSaarbrücken;10041\n', ["name, kurz", "ars"], {"name, kurz": "Saarbrücken", "ars": "10041"}),
    # Excel's own separator line
    ("sep=,\nars,name;kurz\n10041,x;y\n", ["ars"], {"ars": "10041", "name;kurz": "x;y"}),
    # one column needs no separator
    ("ars\n10041\n", ["ars"], {"ars": "10041"}),
])
def test_the_delimiter_is_found_from_the_header(text, required, values):
    rows, errors = _parse(text, delimiter=None, required=required)
    assert errors == [] and rows[0].values == values
    assert rows[0].line == (3 if text.startswith("sep=") else 2)


@pytest.mark.parametrize("text", [
    "ars\tname\temail\n10041\tx\ty\n",   # tab-separated ("Text (Tabstopp-getrennt)")
    "ars;name,email\n10041;x,y\n",          # as many semicolons as commas, and neither gives the columns
])
def test_a_delimiter_that_cannot_be_decided_is_one_german_error(text):
    with translation.override("de"):
        rows, errors = _parse(text, delimiter=None, required=["ars", "name", "email"], messages=UPLOAD)
    assert rows == []
    assert errors == [(1, "Das Trennzeichen ließ sich nicht erkennen: Die Kopfzeile muss die Spalten mit Semikolon "
                          "(;) oder Komma (,) trennen und die Spalten ars, name, email enthalten.")]


def test_utf8_with_and_without_bom_reads_the_same():
    text = "ars;name\n10041;Regionalverband Saarbrücken\n"
    assert _parse(text, delimiter=None) == _parse(b"\xef\xbb\xbf" + text.encode(), delimiter=None)
    rows, _errors = _parse(b"\xef\xbb\xbf" + text.encode(), delimiter=None)
    assert list(rows[0].values) == ["ars", "name"]  # the BOM is not part of the first column's name


def test_upload_messages_follow_the_page_language():
    with translation.override("de"):
        assert _parse(b"", messages=UPLOAD)[1] == [(None, "Die Datei ist leer.")]
        assert _parse("a,b\n1\n", messages=UPLOAD)[1] == [(2, "1 Felder statt 2.")]
    with translation.override("en"):
        assert _parse(b"", messages=UPLOAD)[1] == [(None, "The file is empty.")]
        assert _parse("a,b\n1\n", messages=UPLOAD)[1] == [(2, "1 fields instead of 2.")]
    assert _parse(b"")[1] == [(None, TERMINAL.empty)]


def test_a_syntax_error_in_the_header_stops_the_file_one_in_a_record_skips_only_that_record():
    rows, errors = _parse('"a"b,c\n1,2\n')
    assert rows == [] and [line for line, _reason in errors] == [1]
    rows, errors = _parse('a,b\n1,"2"x\n3,4\n')
    assert [r.line for r in rows] == [3] and [line for line, _reason in errors] == [2]


def test_replacement_characters_and_nul_bytes_are_reported_per_record():
    rows, errors = _parse("a,b\n1,Baden-W\ufffdrttemberg\n2,x\x00y\n3,z\n")
    assert [r["a"] for r in rows] == ["3"]
    assert [line for line, _reason in errors] == [2, 3]


def test_no_other_module_reads_csv_itself():
    """Every import reads CSV through core.importing.parse_csv (one set of rules for encoding, line numbers and
    field counts). Tests may read what they wrote."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "tests" in relative.parts or path.name == "conftest.py" or relative == Path("amtsweg/core/importing.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in READERS \
                    and isinstance(node.value, ast.Name) and node.value.id == "csv":
                offenders.append(f"{relative}:{node.lineno} csv.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "csv" and {a.name for a in node.names} & READERS:
                offenders.append(f"{relative}:{node.lineno} from csv import ...")
    assert offenders == []
