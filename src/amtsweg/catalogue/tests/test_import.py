"""The OZG catalogue import and the whole `import-reference` run (geo + catalogue, one transaction)."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from amtsweg.catalogue.importer import NO_KEY, import_reference
from amtsweg.catalogue.models import LifeSituation, OzgService, PublicService, Topic
from amtsweg.core.importing import ImportFailed
from amtsweg.geo.models import Land, Municipality, PostcodeArea
from amtsweg.geo.tests.files import ARS_FILE, base_files, write_geo_files

pytestmark = pytest.mark.django_db

HUND, BAU, MELDE = "99102013000000", "99012008001000", "99115004001005"


def leika(key, name, ozg_id, typ="4", law="", law_short=""):
    return {"leistungsschluessel": key, "leistung": name, "leika_typ": typ, "ozg_id": str(ozg_id),
            "ozg_leistung": "", "rechtsgrundlage": "", "gesetz": law, "gesetz_kurz": law_short,
            "relevanz1": "1", "relevanz2": "0"}


def catalogue_files() -> dict[str, list[dict]]:
    return {
        "themenfelder.csv": [
            {"themenfeld_id": "2", "themenfeld": "Bauen & Wohnen"},
            {"themenfeld_id": "8", "themenfeld": "Recht & Ordnung"},
            {"themenfeld_id": "13", "themenfeld": "Umwelt"},
        ],
        "lebenslagen.csv": [
            {"lebenslage_id": "10", "lebenslage": "Bauen & Immobilien", "themenfeld_id": "2", "themenfeld": ""},
            {"lebenslage_id": "20", "lebenslage": "Tierhaltung", "themenfeld_id": "13", "themenfeld": ""},
            {"lebenslage_id": "30", "lebenslage": "Umzug", "themenfeld_id": "8", "themenfeld": ""},
        ],
        "ozg_leistungen.csv": [
            {"ozg_id": "10519", "ozg_leistung": "Bauvorbescheid und Baugenehmigung", "lebenslage_id": "10",
             "themenfeld_id": "2"},
            {"ozg_id": "10160", "ozg_leistung": "Hundehaltung", "lebenslage_id": "20", "themenfeld_id": "13"},
            {"ozg_id": "10559", "ozg_leistung": "Meldebescheinigung und -registerauskunft", "lebenslage_id": "30",
             "themenfeld_id": "8"},
        ],
        "leika_leistungen.csv": [
            leika(BAU, "Baugenehmigung Erteilung", 10519),
            leika(HUND, "Hundesteuer", 10160),
            leika(HUND, "Hundesteuer", 10559),  # one key under two OZG-Leistungen
            leika(MELDE, "Melderegisterauskunft - Erteilung Selbstauskunft", 10559, "2/3", "Bundesmeldegesetz", "BMG"),
            leika("99089003000000", "Anzeige", ""),  # a key without OZG-Leistung
            leika(NO_KEY, "Hundeführerschein", 10160, "1"),
            leika(NO_KEY, "Hundeführerschein", 10160, "1"),  # repeated upstream: one link
            leika(NO_KEY, "Hundeführerschein", 10519, "1"),
        ],
    }


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header or list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_source(source: Path, catalogue=None, geo=None) -> Path:
    write_geo_files(source, geo)
    for name, rows in (catalogue or catalogue_files()).items():
        write_csv(source / "ozg-katalog" / name, rows)
    return source


def snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Topic, LifeSituation, OzgService, PublicService, PublicService.ozg_services.through, Land,
                      Municipality, PostcodeArea)
    ]


def test_catalogue_counts_links_and_services_without_key(tmp_path):
    report = import_reference(write_source(tmp_path))

    assert (Topic.objects.count(), LifeSituation.objects.count(), OzgService.objects.count()) == (3, 3, 3)
    assert PublicService.objects.exclude(key="").count() == 4
    hundesteuer = PublicService.objects.get(key=HUND)
    assert sorted(hundesteuer.ozg_services.values_list("ozg_id", flat=True)) == [10160, 10559]
    assert hundesteuer.urn == f"urn:de:fim:leika:leistung:{HUND}"
    assert hundesteuer.name_folded == "hundesteuer"
    melde = PublicService.objects.get(key=MELDE)
    assert (melde.leika_type, melde.law, melde.law_short) == ("2/3", "Bundesmeldegesetz", "BMG")
    assert not PublicService.objects.get(key="99089003000000").ozg_services.exists()
    keyless = PublicService.objects.get(key="")
    assert keyless.name == "Hundeführerschein" and keyless.name_folded == "hundefuehrerschein"
    assert sorted(keyless.ozg_services.values_list("ozg_id", flat=True)) == [10160, 10519]
    ozg = OzgService.objects.get(ozg_id=10559)
    assert (ozg.topic.number, ozg.life_situation.number, ozg.name_folded) == (
        8, 30, "meldebescheinigung und -registerauskunft")
    assert LifeSituation.objects.get(number=20).topic.name == "Umwelt"
    assert report["LeiKa-Leistungen"].created == 5
    assert report["LeiKa↔OZG-Zuordnungen"].created == 6
    assert any("3 Zeilen 'nicht im LeiKa' als 1 Leistungen ohne Schlüssel" in n for n in report.notes)


def test_second_run_reports_no_changes(tmp_path):
    source = write_source(tmp_path)
    import_reference(source)
    before = snapshot()

    report = import_reference(source)

    assert report.total_changes == 0
    assert snapshot() == before


def test_renames_vanished_keys_and_links_and_their_return(tmp_path):
    source = write_source(tmp_path)
    import_reference(source, today=date(2026, 7, 1))
    changed = catalogue_files()
    changed["themenfelder.csv"][0]["themenfeld"] = "Bauen, Wohnen & Umwelt"
    changed["ozg_leistungen.csv"][1]["ozg_leistung"] = "Hundehaltung und Hundesteuer"
    leika_rows = changed["leika_leistungen.csv"]
    leika_rows[0]["leistung"] = "Baugenehmigung - Erteilung"
    del leika_rows[2]  # Hundesteuer no longer under 10559
    del leika_rows[2]  # Melderegisterauskunft vanishes
    write_source(source, changed)

    report = import_reference(source, today=date(2027, 1, 2))

    assert report["Themenfelder"].updated == 1
    assert report["OZG-Leistungen"].updated == 1
    assert (report["LeiKa-Leistungen"].updated, report["LeiKa-Leistungen"].ended) == (1, 1)
    assert report["LeiKa↔OZG-Zuordnungen"].ended == 1  # only the Hundesteuer↔10559 link; Melde's stays
    assert Topic.objects.get(number=2).name == "Bauen, Wohnen & Umwelt"
    assert OzgService.objects.get(ozg_id=10160).name_folded == "hundehaltung und hundesteuer"
    assert PublicService.objects.get(key=BAU).name_folded == "baugenehmigung - erteilung"
    melde = PublicService.objects.get(key=MELDE)
    assert melde.ended_on == date(2027, 1, 2)
    assert list(melde.ozg_services.values_list("ozg_id", flat=True)) == [10559]  # history kept
    assert list(PublicService.objects.get(key=HUND).ozg_services.values_list("ozg_id", flat=True)) == [10160]

    write_source(source)  # the key and the link come back
    report = import_reference(source, today=date(2027, 7, 1))

    assert report["LeiKa-Leistungen"].restored == 1
    assert report["LeiKa↔OZG-Zuordnungen"].created == 1
    assert PublicService.objects.get(key=MELDE).ended_on is None
    assert PublicService.objects.current().count() == 5


def _leika(index, **values):
    def change(files):
        files["leika_leistungen.csv"][index].update(values)
    return change


LEIKA_FILE = "ozg-katalog/leika_leistungen.csv"
MALFORMED = {
    "key too short": (_leika(0, leistungsschluessel="9901200800100"), LEIKA_FILE, 2, "14 digits"),
    "key with letters": (_leika(1, leistungsschluessel="9910201300000A"), LEIKA_FILE, 3, "14 Ziffern"),
    # 14 digits, but routing (FIT-Connect: ^99\d{12}$) would never route it; the import took it before
    "key without 99": (_leika(1, leistungsschluessel="10102013000000"), LEIKA_FILE, 3, "beginning with 99"),
    "key with Arabic-Indic digits": (_leika(1, leistungsschluessel="99١٠٢٠١٣٠٠٠٠٠٠"), LEIKA_FILE, 3, "14 digits"),
    "unknown OZG-ID": (_leika(3, ozg_id="99999"), LEIKA_FILE, 5, "unknown OZG-Leistung"),
    "empty name": (_leika(4, leistung=""), LEIKA_FILE, 6, "column leistung is empty"),
    "contradicting details": (_leika(2, leika_typ="1"), LEIKA_FILE, 4, "contradict line 3"),
    "law too long": (_leika(0, gesetz="G" * 501), LEIKA_FILE, 2, "gesetz longer than 500"),
    "unknown Themenfeld": (
        lambda f: f["lebenslagen.csv"][1].update(themenfeld_id="77"), "ozg-katalog/lebenslagen.csv", 3,
        "unknown Themenfeld"),
    "unknown Lebenslage": (
        lambda f: f["ozg_leistungen.csv"][0].update(lebenslage_id="x"), "ozg-katalog/ozg_leistungen.csv", 2,
        "unknown Lebenslage"),
    "bad Themenfeld number": (
        lambda f: f["themenfelder.csv"][2].update(themenfeld_id="1 3"), "ozg-katalog/themenfelder.csv", 4,
        "not a positive number"),
    "duplicate OZG-ID": (
        lambda f: f["ozg_leistungen.csv"][2].update(ozg_id="10160"), "ozg-katalog/ozg_leistungen.csv", 4,
        "duplicate, first in line 3"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_catalogue_row_reported_and_nothing_changes(tmp_path, case):
    import_reference(write_source(tmp_path / "good"))
    before = snapshot()
    change, file, line, reason = MALFORMED[case]
    files = catalogue_files()
    change(files)

    with pytest.raises(ImportFailed) as failed:
        import_reference(write_source(tmp_path / "broken", files))

    errors = [(e.file, e.line) for e in failed.value.errors]
    assert (file, line) in errors, failed.value.details()
    assert any(reason in e.reason for e in failed.value.errors), failed.value.details()
    assert snapshot() == before


def test_an_error_in_one_file_keeps_every_other_file_out_too(tmp_path):
    geo = base_files()
    geo["zuordnung_plz_ort.csv"][0]["plz"] = "ABCDE"

    with pytest.raises(ImportFailed):
        import_reference(write_source(tmp_path, geo=geo))

    assert not Topic.objects.exists() and not Municipality.objects.exists() and not PublicService.objects.exists()


def test_command_reports_counts_and_second_run_zero_changes(tmp_path):
    source = write_source(tmp_path)
    out = io.StringIO()
    call_command("import_reference", source=source, stdout=out, stderr=io.StringIO())
    assert "Gemeinden" in out.getvalue() and "LeiKa-Leistungen" in out.getvalue()

    out = io.StringIO()
    call_command("import_reference", source=source, stdout=out, stderr=io.StringIO())
    assert "0 Änderungen" in out.getvalue() and "0 changes" in out.getvalue()


def test_command_fails_with_file_line_and_reason(tmp_path):
    geo = base_files()
    geo[ARS_FILE.split("/")[1]][1]["ars"] = "123"
    source = write_source(tmp_path, geo=geo)
    err = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_reference", source=source, stdout=io.StringIO(), stderr=err)

    assert "nichts wurde übernommen" in str(failed.value) and "nothing was imported" in str(failed.value)
    assert f"{ARS_FILE}, Zeile/line 3: ARS muss 12 Ziffern haben / ARS must be 12 digits: '123'" in err.getvalue()
    assert not Municipality.objects.exists()

    with pytest.raises(CommandError, match="folder not found"):
        call_command("import_reference", source=tmp_path / "nowhere", stdout=io.StringIO())


def test_the_shipped_reference_files_import_completely():
    report = import_reference()

    assert Land.objects.count() == 16
    assert Municipality.objects.filter(is_city_district=False).count() == 10_944
    assert Municipality.objects.filter(is_city_district=True).count() == 283
    assert Municipality.objects.filter(population__isnull=False).count() == 11_227 - 325
    assert Municipality.objects.get(ars="100410100100").population == 180_374
    assert PostcodeArea.objects.count() == 12_871
    assert PostcodeArea.objects.filter(municipality__isnull=True).count() == 49
    assert Topic.objects.count() == 14
    assert LifeSituation.objects.count() == 55
    assert OzgService.objects.count() == 557
    assert PublicService.objects.exclude(key="").count() == 4_813
    assert PublicService.objects.filter(key="").count() == 434
    for key in (HUND, MELDE, BAU):
        assert PublicService.objects.get(key=key).ozg_services.exists()
    assert report.total_changes > 0
