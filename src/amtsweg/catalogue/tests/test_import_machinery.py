"""The reusable import machinery in amtsweg.core.importing (CSV reading, errors, synchronisation, progress)."""

import io
from datetime import date

import pytest

from amtsweg.catalogue.models import PublicService, Topic
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory, TopicFactory
from amtsweg.core.importing import (
    EntityChanges,
    ErrorCollector,
    ImportFailed,
    ImportReport,
    Progress,
    parse_int,
    read_csv,
    synchronise,
    synchronise_links,
)


def test_read_csv_reports_line_numbers_across_quoted_newlines_bom_and_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes('\ufeffkey,name\n1,"zwei\nZeilen"\n\n2, Straße \n3\n'.encode())
    errors = ErrorCollector()

    rows = read_csv(path, errors, required=["key", "name"], display_name="dir/x.csv")

    assert [(r.line, r["key"], r["name"]) for r in rows] == [(2, "1", "zwei\nZeilen"), (5, "2", "Straße")]
    assert [(e.file, e.line) for e in errors.errors] == [("dir/x.csv", 6)]
    assert "1 Felder statt 2" in errors.errors[0].reason


def test_read_csv_broken_encoding_missing_columns_nul_and_missing_file(tmp_path):
    errors = ErrorCollector()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("key,name\n1,Köln\n2,Bonn\n".encode("latin-1"))
    assert read_csv(latin, errors) == []  # not UTF-8: one error at the first bad byte's line, no rows
    columns = tmp_path / "columns.csv"
    columns.write_text("key\n1\n", encoding="utf-8")
    assert read_csv(columns, errors, required=["key", "name"]) == []
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"key,name\n1,a\x00b\n2,c\n")
    assert [r["key"] for r in read_csv(nul, errors)] == ["2"]
    assert read_csv(tmp_path / "missing.csv", errors) == []

    assert [(e.file, e.line) for e in errors.errors] == [
        ("latin.csv", 2), ("columns.csv", 1), ("nul.csv", 2), ("missing.csv", None)]
    assert "not valid UTF-8" in errors.errors[0].reason
    assert "missing column(s): name" in errors.errors[1].reason
    assert "NUL byte" in errors.errors[2].reason
    with pytest.raises(ImportFailed) as failed:
        errors.raise_if_any()
    assert failed.value.summary().startswith("Import abgebrochen: 4 Fehler in 4 Datei(en)")


def test_error_details_are_capped_per_file():
    collector = ErrorCollector()
    for line in range(2, 8):
        collector.add("a.csv", line, "kaputt / broken")
    failed = ImportFailed(collector.errors)

    details = failed.details(max_per_file=3)

    assert details == ["a.csv, Zeile/line 2: kaputt / broken", "a.csv, Zeile/line 3: kaputt / broken",
                       "a.csv, Zeile/line 4: kaputt / broken", "a.csv: … 3 weitere Fehler / 3 more error(s)"]


@pytest.mark.parametrize(("text", "number"), [
    (" 90 164", 90164), ("1 847 253", 1847253), ("  0", 0), ("", None), ("   ", None), ("12\u00a0345", 12345),
])
def test_parse_int_reads_destatis_numbers(text, number):
    assert parse_int(text) == number


@pytest.mark.parametrize("text", ["9x 164", "-5", "1,5", "53.02", "١٢"])
def test_parse_int_rejects_other_text(text):
    with pytest.raises(ValueError):
        parse_int(text)


def test_progress_writes_only_when_enabled():
    stream = io.StringIO()
    Progress(stream, enabled=True).file_read("gemeinden/x.csv", 11227)
    assert "gemeinden/x.csv: 11.227 Zeilen gelesen / rows read" in stream.getvalue()
    quiet = io.StringIO()
    Progress(quiet).file_read("x.csv", 1)  # StringIO is not a terminal
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_synchronise_with_computed_key_and_links():
    kept, gone = TopicFactory(number=1, name="Alt"), TopicFactory(number=2, name="Weg")
    rows = {1: {"number": 1, "name": "Neu"}, 3: {"number": 3, "name": "Dazu"}}

    changes, ids = synchronise(Topic, key="number", rows=rows, fields=["name"], today=date(2026, 1, 1))

    assert (changes.created, changes.updated, changes.ended, changes.unchanged) == (1, 1, 1, 0)
    assert ids[1] == kept.pk and Topic.objects.get(pk=ids[3]).name == "Dazu"
    gone.refresh_from_db()
    assert gone.ended_on == date(2026, 1, 1)

    ozg_a, ozg_b = OzgServiceFactory(), OzgServiceFactory()
    service = PublicServiceFactory(ozg_services=[ozg_a])
    through = PublicService.ozg_services.through
    links = synchronise_links(through, left="publicservice_id", right="ozgservice_id",
                              pairs={(service.pk, ozg_b.pk)}, entity="links")
    assert (links.created, links.ended, links.unchanged) == (1, 1, 0)
    assert list(service.ozg_services.all()) == [ozg_b]


def test_report_table_and_totals():
    report = ImportReport()
    report.add(EntityChanges("Gemeinden", created=11227, unchanged=3))
    assert report.total_changes == 11227
    table = report.as_table()
    assert "Gemeinden" in table and "11.227" in table and "neu/created" in table


def test_read_csv_reports_quote_errors_and_goes_on(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('key,name\n1,"a"b\n2,c\n3,"open\n', encoding="utf-8")
    errors = ErrorCollector()

    assert [r.line for r in read_csv(path, errors)] == [3]
    assert [(e.line, "CSV syntax error" in e.reason) for e in errors.errors] == [(2, True), (4, True)]


def test_errors_are_listed_in_file_order_then_line_order():
    collector = ErrorCollector()
    collector.add("b.csv", 9, "x")
    collector.add("a.csv", 5, "x")
    collector.add("b.csv", 3, "x")
    collector.add("a.csv", None, "x")

    failed = ImportFailed(collector.errors)

    assert [(e.file, e.line) for e in failed.errors] == [("b.csv", 3), ("b.csv", 9), ("a.csv", None), ("a.csv", 5)]
