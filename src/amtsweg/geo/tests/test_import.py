"""The geo part of the reference import, on small files written to tmp_path (real rows, trimmed)."""

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from amtsweg.core.importing import ErrorCollector, ImportFailed, ImportReport
from amtsweg.geo import importer
from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality, PostcodeArea
from amtsweg.geo.tests.files import (
    ARS_FILE,
    ARS_NAME,
    DESTATIS_FILE,
    DESTATIS_HEADER,
    PLZ_FILE,
    ars_row,
    base_files,
    write_csv,
    write_geo_files,
)


def run_geo(source: Path, today: date = date(2026, 7, 1)) -> ImportReport:
    errors = ErrorCollector()
    data = importer.read_geo(source, errors)
    errors.raise_if_any()
    report = ImportReport()
    with transaction.atomic():
        importer.write_geo(data, report, today)
    return report


def snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Land, District, MunicipalAssociation, Municipality, PostcodeArea)
    ]


pytestmark = pytest.mark.django_db


def test_import_loads_the_hierarchy_population_and_postcodes(tmp_path):
    report = run_geo(write_geo_files(tmp_path))

    assert report["Länder"].created == 2
    assert report["Kreise"].created == 2
    assert report["Gemeindeverbände"].created == 4
    assert report["Gemeinden"].created == 4
    assert report["Postleitzahlgebiete (ODbL)"].created == 4
    saarbruecken = Municipality.objects.get(ars="100410100100")
    assert saarbruecken.ags == "10041100"
    assert saarbruecken.name_folded == "saarbruecken, landeshauptstadt"
    assert saarbruecken.land.name == "Saarland"
    assert saarbruecken.district.name == "Regionalverband Saarbrücken"
    assert saarbruecken.association.name == "Saarbrücken, Landeshauptstadt"
    assert saarbruecken.population == 180_374
    assert saarbruecken.population_date == date(2019, 12, 31)
    assert not saarbruecken.is_city_district
    friedrichsthal = Municipality.objects.get(ars="100410511511")
    assert friedrichsthal.population is None and friedrichsthal.population_date is None
    assert friedrichsthal.association.name == ""  # no satzart-50 row for its Verband
    altstadt = Municipality.objects.get(ars="021010101101")
    assert altstadt.is_city_district and altstadt.note == importer.CITY_DISTRICT_NOTE
    assert altstadt.population == 2_547
    assert any("1 Gemeinden" in note and "1 extract rows" in note for note in report.notes)


def test_postcode_spanning_several_gemeinden_and_unknown_ags(tmp_path):
    run_geo(write_geo_files(tmp_path))

    areas = PostcodeArea.objects.filter(postcode="66333").select_related("municipality")
    assert sorted(a.municipality.name for a in areas) == ["Friedrichsthal, Stadt", "Völklingen, Stadt"]
    orphan = PostcodeArea.objects.get(postcode="66999")
    assert orphan.municipality is None and orphan.ags == "10041999" and orphan.osm_id is None
    assert PostcodeArea.objects.get(postcode="66111").osm_id == 1187159


def test_second_run_changes_nothing(tmp_path):
    source = write_geo_files(tmp_path)
    run_geo(source)
    before = snapshot()

    report = run_geo(source)

    assert report.total_changes == 0
    assert report["Gemeinden"].unchanged == 4
    assert snapshot() == before


def test_newer_file_renames_ends_vanished_keys_and_restores_returning_ones(tmp_path):
    source = write_geo_files(tmp_path)
    run_geo(source, today=date(2026, 7, 1))
    newer = base_files()
    newer[ARS_NAME][0]["name"] = "Saarbrücken, Landeshauptstadt (neu)"
    del newer[ARS_NAME][2]  # Friedrichsthal vanishes, and with it its Verband
    newer[ARS_NAME].append(ars_row("100410512512", "Großrosseln"))
    newer["zuordnung_plz_ort.csv"].pop(2)
    (source / "gemeinden" / ARS_NAME).unlink()
    write_csv(source / "gemeinden" / "gemeinden_ars_2027-01-01.csv", newer.pop(ARS_NAME))
    write_geo_files(source, newer)

    report = run_geo(source, today=date(2027, 1, 2))

    assert (report["Gemeinden"].created, report["Gemeinden"].updated, report["Gemeinden"].ended) == (1, 1, 0 + 1)
    assert report["Gemeindeverbände"].ended == 1
    assert report["Postleitzahlgebiete (ODbL)"].ended == 1
    renamed = Municipality.objects.get(ars="100410100100")
    assert renamed.name == "Saarbrücken, Landeshauptstadt (neu)"
    assert renamed.name_folded == "saarbruecken, landeshauptstadt (neu)"
    gone = Municipality.objects.get(ars="100410511511")  # never deleted
    assert gone.ended_on == date(2027, 1, 2)
    assert Municipality.objects.current().filter(ars="100410511511").count() == 0
    assert MunicipalAssociation.objects.get(code="100410511").ended_on == date(2027, 1, 2)

    # It comes back in an even newer file: un-ended.
    newest = base_files()
    write_csv(source / "gemeinden" / "gemeinden_ars_2027-07-01.csv", newest.pop(ARS_NAME))
    write_geo_files(source, newest)
    report = run_geo(source, today=date(2027, 7, 2))

    assert report["Gemeinden"].restored == 1
    assert report["Gemeinden"].ended == 1  # Großrosseln is not in this file
    assert Municipality.objects.get(ars="100410511511").ended_on is None
    assert MunicipalAssociation.objects.get(code="100410511").ended_on is None
    assert PostcodeArea.objects.get(postcode="66333", ags="10041511").ended_on is None
    assert Municipality.objects.get(ars="100410100100").name == "Saarbrücken, Landeshauptstadt"


def _set(file: str, index: int, **values):
    def change(files):
        files[file][index].update(values)
    return change


def _break_bytes(source: Path):
    path = source / ARS_FILE
    path.write_bytes(path.read_bytes().replace("Völklingen".encode(), "Völklingen".encode("latin-1")))


MALFORMED = {
    "ARS too short": (_set(ARS_NAME, 1, ars="10041051951"), ARS_FILE, 3, "ARS muss 12 Ziffern"),
    "ARS not digits": (_set(ARS_NAME, 2, ars="10041051151X"), ARS_FILE, 4, "ARS must be 12 digits"),
    "AGS not matching": (_set(ARS_NAME, 0, ags="10041101"), ARS_FILE, 2, "AGS does not match"),
    "unknown Land": (
        _set(ARS_NAME, 0, **ars_row("990410100100", "X", land_name="Nirgendwo")), ARS_FILE, 2, "unknown Land key"),
    "Kreis key not matching": (_set(ARS_NAME, 1, kreis_schluessel="10042"), ARS_FILE, 3, "does not match the ARS"),
    "empty name": (_set(ARS_NAME, 3, name=""), ARS_FILE, 5, "name missing"),
    "duplicate ARS": (_set(ARS_NAME, 2, ars="100410100100", ags="10041100"), ARS_FILE, 4, "duplicate ARS"),
    "contradicting Land name": (_set(ARS_NAME, 1, land_name="Saarland!"), ARS_FILE, 3, "contradicts line 2"),
    "bad population": (
        _set("destatis_gv_auszug_bevoelkerung.csv", 2, bevoelkerung=" 18x 374"), DESTATIS_FILE, 4, "not a number"),
    "bad Verband key": (_set("destatis_gv_auszug_bevoelkerung.csv", 1, vb="01"), DESTATIS_FILE, 3, "9 digits"),
    "bad postcode": (_set("zuordnung_plz_ort.csv", 1, plz="6633"), PLZ_FILE, 3, "postcode must be 5 digits"),
    "postcode 00…": (_set("zuordnung_plz_ort.csv", 1, plz="00333"), PLZ_FILE, 3, "not beginning with 00"),
    "bad OSM id": (_set("zuordnung_plz_ort.csv", 0, osm_id="r1187"), PLZ_FILE, 2, "OSM id is not a number"),
    "replacement character": (
        _set(ARS_NAME, 0, land_name="Saarl\ufffdnd"), ARS_FILE, 2, "replacement character"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_row_is_reported_with_file_line_reason_and_nothing_changes(tmp_path, case):
    run_geo(write_geo_files(tmp_path / "good"))
    before = snapshot()
    change, file, line, reason = MALFORMED[case]
    files = base_files()
    change(files)

    with pytest.raises(ImportFailed) as failed:
        run_geo(write_geo_files(tmp_path / "broken", files))

    assert [(e.file, e.line) for e in failed.value.errors] == [(file, line)]
    assert reason in failed.value.errors[0].reason
    assert snapshot() == before


def test_broken_encoding_missing_column_wrong_field_count_and_missing_file(tmp_path):
    source = write_geo_files(tmp_path)
    _break_bytes(source)
    plz = source / PLZ_FILE
    plz.write_text(plz.read_text(encoding="utf-8").replace("1184868,10041519,", "1184868,10041519,extra,"))
    destatis_rows = base_files()["destatis_gv_auszug_bevoelkerung.csv"]
    write_csv(source / DESTATIS_FILE, destatis_rows, header=[c for c in DESTATIS_HEADER if c != "bevoelkerung"])

    with pytest.raises(ImportFailed) as failed:
        run_geo(source)

    errors = {(e.file, e.line): e.reason for e in failed.value.errors}
    assert "not valid UTF-8" in errors[ARS_FILE, 3]  # one error for the file, at its first bad byte
    assert "missing column(s): bevoelkerung" in errors[DESTATIS_FILE, 1]
    assert "5 fields instead of 4" in errors[PLZ_FILE, 3]
    assert len(errors) == 3
    assert not Municipality.objects.exists()

    plz.unlink()
    with pytest.raises(ImportFailed) as failed:
        run_geo(source)
    assert (PLZ_FILE, None) in [(e.file, e.line) for e in failed.value.errors]


def test_all_errors_of_a_file_are_collected(tmp_path):
    files = base_files()
    files[ARS_NAME][0]["ars"] = "1"
    files[ARS_NAME][2]["ags"] = "x"
    files[ARS_NAME][3]["name"] = ""

    with pytest.raises(ImportFailed) as failed:
        run_geo(write_geo_files(tmp_path, files))

    assert [(e.file, e.line) for e in failed.value.errors] == [(ARS_FILE, 2), (ARS_FILE, 4), (ARS_FILE, 5)]
    assert "3 Fehler" in failed.value.summary() and "3 error(s)" in failed.value.summary()


def test_newest_ars_file_wins(tmp_path):
    folder = tmp_path / "gemeinden"
    folder.mkdir()
    for name in ("gemeinden_ars_2026-06-30.csv", "gemeinden_ars_2027-01-01.csv", "gemeinden_ars_2025-12-31.csv"):
        (folder / name).write_text("")
    assert importer.newest_ars_file(folder).name == "gemeinden_ars_2027-01-01.csv"
