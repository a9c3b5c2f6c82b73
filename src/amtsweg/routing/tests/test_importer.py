"""CSV import of responsibilities: a report with line and reason, and nothing stored unless all is well."""

import pytest

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.importer import import_responsibilities
from amtsweg.routing.models import Responsibility
from amtsweg.routing.resolution import resolve

pytestmark = pytest.mark.django_db
KEY = "99102013000000"


def test_valid_file_is_imported_and_resolvable(offices):
    text = (
        "leika_key,area_ars,destination_id\n"
        f"{KEY},10,{offices['land'].pk}\n"
        f"{KEY},100410100100,{offices['sb'].pk}\n"
    )
    result = import_responsibilities(text.encode(), actor=SYSTEM)
    assert result.ok and result.created == 2
    assert resolve(KEY, ars="100410100100").destination.pk == offices["sb"].pk
    assert resolve(KEY, ars="100420111111").destination.pk == offices["land"].pk


def test_semicolon_and_bom_are_accepted(offices):
    text = f"\ufeffleika_key;area_ars;destination_id\n{KEY};10041;{offices['kreis'].pk}\n"
    assert import_responsibilities(text.encode("utf-8"), actor=SYSTEM).created == 1


def test_errors_are_reported_per_line_and_nothing_is_stored(hundesteuer, offices):
    text = (
        "leika_key,area_ars,destination_id\n"
        f"99115004001005,100410100100,{offices['sb'].pk}\n"       # 2: fine
        f"123,100410100100,{offices['sb'].pk}\n"                  # 3: bad key
        f"99115004001005,1004,{offices['sb'].pk}\n"               # 4: bad area
        f"99115004001005,100419999999,{offices['sb'].pk}\n"       # 5: unknown area
        f"99115004001005,10041,not-a-uuid\n"                      # 6: bad destination id
        f"{KEY},10041,{offices['kreis'].pk}\n"                    # 7: conflict with the database
        f"99115004001005,100410100100,{offices['sb'].pk}\n"       # 8: duplicate of line 2
        f"99115004001005,10042\n"                                 # 9: too few fields
        f"99115004001005,10042,{offices['sb'].pk}\n"              # 10: fine (system import: any area of the Land)
        f"99١١٥٠٠٤٠٠١٠٠٥,10042,{offices['sb'].pk}\n"              # 11: bad key (\d{12} took other digits)
    )
    before = Responsibility.objects.count()
    result = import_responsibilities(text.encode(), actor=SYSTEM)
    lines = dict(result.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert "Leistungsschlüssel" in lines[3]
    assert "kein gültiges Gebiet (Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern)" in lines[4]
    assert "Leistungsschlüssel" in lines[11]
    assert "Gemeindeverzeichnis" in lines[5]
    assert "UUID" in lines[6]
    assert "schon eine Zuständigkeit" in lines[7]
    assert "Zeile 2" in lines[8]
    assert "Felder" in lines[9]
    assert Responsibility.objects.count() == before


def test_whole_file_problems(offices):
    assert import_responsibilities(b"", actor=SYSTEM).errors == [(None, "Die Datei ist leer.")]
    assert "Spalte(n) fehlen" in import_responsibilities(b"leika_key,ars\n1,2\n", actor=SYSTEM).errors[0][1]
    not_text = "leika_key,area_ars,destination_id\n\x01\x81".encode("latin-1")
    assert "Zeichenkodierung" in import_responsibilities(not_text, actor=SYSTEM).errors[0][1]
    assert "keine Zeilen" in import_responsibilities(b"leika_key,area_ars,destination_id\n", actor=SYSTEM).errors[0][1]


def test_staff_can_only_import_for_their_own_area_and_destinations(offices):
    staff = UserFactory(authority=offices["sb"].authority)
    text = (
        "leika_key,area_ars,destination_id\n"
        f"{KEY},100410519519,{offices['sb'].pk}\n"
        f"{KEY},100410100100,{offices['vk'].pk}\n"
    )
    result = import_responsibilities(text.encode(), actor=staff)
    lines = dict(result.errors)
    assert "dürfen Sie keine" in lines[2]
    assert "nicht gefunden" in lines[3]
    assert not Responsibility.objects.exists()


def test_errors_name_the_line_where_a_record_spanning_lines_starts_and_separator_rows_are_blank(offices):
    """The shared reader (core.importing.parse_csv): a quoted field with a line break makes the record span two
    lines; its error names the first (the old reader named the last). Excel's ";;" rows are blank lines."""
    text = (
        "leika_key;area_ars;destination_id\n"
        f'"12\n3";10041;{offices["sb"].pk}\n'       # lines 2-3
        ";;\n"                                       # line 4: blank
        f"{KEY};10041x;{offices['sb'].pk}\n"       # line 5
    )
    result = import_responsibilities(text.encode(), actor=SYSTEM)
    assert [line for line, _reason in result.errors] == [2, 5]


def test_an_excel_windows_1252_file_is_imported_and_the_conversion_is_told(offices):
    """German Excel's plain "CSV" is Windows-1252 with `;` (issue 16, item 12): it is read, not refused."""
    text = (f"leika_key;area_ars;destination_id;authority_id\r\n{KEY};10041;{offices['kreis'].pk};\r\n"
            f"{KEY};100410100100;{offices['sb'].pk};\r\n")
    raw = text.encode("cp1252") + "x;y;z;„Größe“\r\n".encode("cp1252")
    result = import_responsibilities(raw, actor=SYSTEM)
    assert result.errors == [(4, "„x“ ist kein gültiger Leistungsschlüssel (14 Ziffern, beginnend mit 99).")]
    assert "Windows-1252" in result.notes[0]
    result = import_responsibilities(text.encode("cp1252"), actor=SYSTEM)
    assert result.ok and result.created == 2


def test_the_template_opens_in_excel_and_reads_back_with_only_its_example_refused(client, offices):
    from amtsweg.accounts.testing import login_staff

    login_staff(client, UserFactory(authority=offices["sb"].authority))
    page = client.get("/verwaltung/zustaendigkeiten/import/")
    assert 'href="/verwaltung/zustaendigkeiten/import/vorlage.csv"' in page.text
    answer = client.get("/verwaltung/zustaendigkeiten/import/vorlage.csv")
    assert answer["Content-Type"] == "text/csv; charset=utf-8" and answer.content.startswith(b"\xef\xbb\xbf")
    assert answer.content.decode("utf-8-sig").splitlines() == [
        "leika_key;area_ars;destination_id;authority_id",
        "99102013000000;100410100100;3fa85f64-5717-4562-b3fc-2c963f66afa6;"]
    result = import_responsibilities(answer.content, actor=SYSTEM)
    assert [line for line, _reason in result.errors] == [2] and "nicht gefunden" in result.errors[0][1]
    assert result.notes == []
