"""The step engine: each field type with its German messages, conditions, repeats and cross-field rules."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from amtsweg.assistants.definition import FormSpec
from amtsweg.assistants.engine import PendingUpload, prune_answers, validate_step, visible_steps

from .factories import sample_definition

TODAY = date(2026, 6, 1)


@pytest.fixture
def spec():
    return FormSpec(sample_definition())


PERSON = {"given_name": " Erika ", "family_name": "Mustermann", "birth_date": "12.08.1964",
          "address-street": "Rathausplatz", "address-house_number": "1a", "address-postcode": "66111",
          "address-place": "Saarbrücken", "email": "Erika@Beispiel.DE", "phone": "0681 123456"}


def messages(result):
    return {e.input_name: e.message for e in result.errors}


def test_valid_person_step_is_cleaned(spec):
    result = validate_step(spec, "person", PERSON, today=TODAY)
    assert result.is_valid, result.errors
    assert result.cleaned == {
        "given_name": "Erika", "family_name": "Mustermann", "birth_date": "1964-08-12",
        "address": {"street": "Rathausplatz", "house_number": "1a", "postcode": "66111", "place": "Saarbrücken"},
        "email": "Erika@beispiel.de", "phone": "+49681123456",
    }


def test_required_fields_get_german_messages_at_the_input(spec):
    result = validate_step(spec, "person", {}, today=TODAY)
    assert messages(result) == {
        "given_name": "Bitte füllen Sie das Feld „Vorname“ aus.",
        "family_name": "Bitte füllen Sie das Feld „Familienname“ aus.",
        "birth_date": "Bitte füllen Sie das Feld „Geburtsdatum“ aus.",
        "address-street": "Bitte geben Sie die Anschrift an (Straße, Hausnummer, Postleitzahl, Ort).",
    }


def test_each_type_reports_its_own_error(spec):
    data = dict(PERSON, birth_date="01.01.2030", email="erika@", phone="12345",
                **{"address-postcode": "6611", "address-house_number": ""})
    result = validate_step(spec, "person", data, today=TODAY)
    assert messages(result) == {
        "birth_date": "Das Datum darf nicht in der Zukunft liegen.",
        "email": "Bitte geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein.",
        "phone": "Bitte geben Sie die Telefonnummer mit Vorwahl an, z. B. 0681 123456.",
        "address-postcode": "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, z. B. 66111.",
        "address-house_number": "Bitte geben Sie die Hausnummer an.",
    }


DETAILS = {"has_pet": "ja", "pet_name": "Bello", "colour": "blau", "extras": ["gruen", "rot"], "count": "3",
           "amount": "934,50", "start": "01.07.2026", "end": "02.07.2026", "iban": "DE02 1203 0000 0000 2020 51",
           "remarks": "Zeile 1\nZeile 2", "nicknames-0": "Bello", "nicknames-2": "Wuff"}


def test_details_step_types(spec):
    result = validate_step(spec, "details", QueryDict(mutable=True) | DETAILS, today=TODAY)
    assert result.is_valid, result.errors
    assert result.cleaned == {
        "has_pet": True, "pet_name": "Bello", "colour": "blau", "extras": ["rot", "gruen"], "count": 3,
        "amount": 93450, "start": "2026-07-01", "end": "2026-07-02", "iban": "DE02120300000000202051",
        "remarks": "Zeile 1\nZeile 2", "nicknames": ["Bello", "Wuff"],
    }


def test_details_errors(spec):
    data = dict(DETAILS, has_pet="vielleicht", colour="lila", extras=["gelb"], count="11", amount="2000",
                iban="DE02120300000000202052", remarks="x" * 501, **{"nicknames-1": "   "})
    result = validate_step(spec, "details", data, today=TODAY)
    assert messages(result) == {
        "has_pet": "Bitte wählen Sie Ja oder Nein.",
        "colour": "Bitte wählen Sie einen der angebotenen Einträge.",
        "extras": "Bitte wählen Sie nur angebotene Einträge.",
        "count": "Die Zahl darf höchstens 10 sein.",
        "amount": "Der Betrag darf höchstens 1.000,00 € betragen.",
        "iban": "Die IBAN ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie Ihre Eingabe.",
        "remarks": "Bitte geben Sie höchstens 500 Zeichen ein (jetzt: 501).",
    }


def test_hidden_conditional_field_is_neither_validated_nor_kept(spec):
    data = dict(DETAILS, has_pet="nein", pet_name="")
    result = validate_step(spec, "details", data, today=TODAY)
    assert result.is_valid and "pet_name" not in result.cleaned
    data = dict(DETAILS, has_pet="nein", pet_name="Bello")
    assert "pet_name" not in validate_step(spec, "details", data, today=TODAY).cleaned
    result = validate_step(spec, "details", dict(DETAILS, pet_name=""), today=TODAY)
    assert messages(result) == {"pet_name": "Bitte füllen Sie das Feld „Name des Tieres“ aus."}


def test_cross_field_rule_end_after_start(spec):
    result = validate_step(spec, "details", dict(DETAILS, end="01.07.2026"), today=TODAY)
    assert messages(result) == {"end": "Das Ende muss nach dem Beginn liegen."}
    result = validate_step(spec, "details", dict(DETAILS, end="01.07.2026"), language="en", today=TODAY)
    assert messages(result) == {"end": "The end must be after the start."}


def test_conditions_across_steps_and_pruning():
    definition = sample_definition()
    definition["steps"][2]["visible_if"] = {"field": "colour", "in": ["rot"]}
    spec = FormSpec(definition)
    answers = {"has_pet": False, "pet_name": "Bello", "colour": "blau", "document": {"name": "x"}}
    assert [s["id"] for s in visible_steps(spec, answers)] == ["person", "details"]
    assert prune_answers(spec, answers) == {"has_pet": False, "colour": "blau"}
    answers["colour"] = "rot"
    assert [s["id"] for s in visible_steps(spec, answers)] == ["person", "details", "evidence"]
    assert validate_step(spec, "evidence", {}, answers={"colour": "blau"}).cleaned == {}


def test_repeat_minimum(spec):
    definition = sample_definition()
    definition["steps"][1]["fieldsets"][0]["fields"][-1]["repeat"] = {"min": 2, "max": 3}
    result = validate_step(FormSpec(definition), "details", dict(DETAILS, **{"nicknames-2": ""}), today=TODAY)
    assert messages(result) == {"nicknames-0": "Bitte machen Sie mindestens 2 Angabe(n) bei „Weitere Namen“."}


def test_upload_is_checked_by_content_not_name(spec):
    fake = SimpleUploadedFile("nachweis.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    result = validate_step(spec, "evidence", {}, {"document": fake})
    assert messages(result) == {"document": "Diese Datei ist kein erlaubter Dateityp. Erlaubt sind: PDF, PNG, JPEG."}
    real = SimpleUploadedFile("scan.bin", b"\x89PNG\r\n\x1a\nimage", content_type="application/octet-stream")
    result = validate_step(spec, "evidence", {}, {"document": real})
    assert result.cleaned["document"] == PendingUpload("scan.bin", "image/png", b"\x89PNG\r\n\x1a\nimage")
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    assert messages(validate_step(spec, "evidence", {}, {"document": big})) == {
        "document": "Die Datei ist zu groß (1 MB). Erlaubt sind höchstens 1 MB."}


def test_earlier_upload_is_kept_when_no_new_file(spec):
    stored = {"file_id": "abc", "filename": "a.pdf"}
    assert validate_step(spec, "evidence", {}, {}, {"document": stored}).cleaned == {"document": stored}
def test_messages_in_english(spec):
    result = validate_step(spec, "person", {}, language="en", today=TODAY)
    assert messages(result)["given_name"] == "Please fill in “Given name”."
    result = validate_step(spec, "person", dict(PERSON, email="x"), language="en", today=TODAY)
    assert messages(result)["email"] == "Please enter an e-mail address like name@example.com."




def _single(field: dict, codelists: dict | None = None) -> FormSpec:
    return FormSpec({"schema_version": 1, "title": {"de": "T"}, "codelists": codelists or {},
                     "steps": [{"id": "s", "title": {"de": "S"}, "fieldsets": [{"id": "f", "fields": [field]}]}]})


@pytest.mark.parametrize(
    ("field", "data", "expected"),
    [
        ({"id": "chip", "type": "text", "label": {"de": "Chip"},
          "validation": {"pattern": "[0-9]{15}", "pattern_message": {"de": "Die Chipnummer hat 15 Ziffern."}}},
         {"chip": "12345"}, "Die Chipnummer hat 15 Ziffern."),
        ({"id": "code", "type": "text", "label": {"de": "Code"}, "validation": {"pattern": "[A-Z]+"}},
         {"code": "abc"}, "Die Eingabe hat nicht das erwartete Format."),
        ({"id": "name", "type": "text", "label": {"de": "Name"}, "validation": {"min_length": 3}},
         {"name": "ab"}, "Bitte geben Sie mindestens 3 Zeichen ein."),
        ({"id": "n", "type": "number", "label": {"de": "Zahl"}, "validation": {"decimals": 1}},
         {"n": "1,25"}, "Bitte geben Sie höchstens 1 Nachkommastellen ein."),
        ({"id": "n", "type": "number", "label": {"de": "Zahl"}}, {"n": "1,5"},
         "Bitte geben Sie eine ganze Zahl ohne Nachkommastellen ein."),
        ({"id": "n", "type": "number", "label": {"de": "Zahl"}, "validation": {"min": 2}}, {"n": "1"},
         "Die Zahl muss mindestens 2 sein."),
        ({"id": "a", "type": "amount", "label": {"de": "Betrag"}}, {"a": "1,234"},
         "Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen (Cent) ein."),
        ({"id": "d", "type": "date", "label": {"de": "Termin"}, "validation": {"min_date": "today"}},
         {"d": "31.05.2026"}, "Das Datum darf nicht in der Vergangenheit liegen."),
        ({"id": "d", "type": "date", "label": {"de": "Termin"}, "validation": {"max_date": "today+30d"}},
         {"d": "02.07.2026"}, "Das Datum darf nicht nach dem 01.07.2026 liegen."),
        ({"id": "m", "type": "multichoice", "codelist": "c", "label": {"de": "Mehr"}, "validation": {"min_items": 2}},
         {"m": ["x"]}, "Bitte wählen Sie mindestens 2 Einträge."),
        ({"id": "m", "type": "multichoice", "codelist": "c", "label": {"de": "Mehr"}, "required": True},
         {}, "Bitte wählen Sie bei „Mehr“ etwas aus."),
        ({"id": "y", "type": "yesno", "label": {"de": "Einverstanden?"}, "required": True}, {},
         "Bitte beantworten Sie die Frage „Einverstanden?“ mit Ja oder Nein."),
        ({"id": "f", "type": "file", "label": {"de": "Nachweis"}, "required": True}, {},
         "Bitte laden Sie eine Datei für „Nachweis“ hoch."),
        ({"id": "i", "type": "iban", "label": {"de": "IBAN"}}, {"i": "AT61 1904 3002 3457 3202"},
         "Die IBAN ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie Ihre Eingabe."),
        ({"id": "h", "type": "address", "label": {"de": "Anschrift"}},
         {"h-street": "Weg", "h-house_number": "Nr. 5", "h-postcode": "66111", "h-place": "Ort"},
         "Bitte geben Sie eine Hausnummer ein, z. B. 12 oder 12a."),
    ],
)
def test_field_type_messages(field, data, expected):
    spec = _single(field, {"c": [{"code": "x", "label": {"de": "X"}}, {"code": "y", "label": {"de": "Y"}}]})
    result = validate_step(spec, "s", data, {}, today=TODAY)
    assert [e.message for e in result.errors] == [expected]


def test_repeated_addresses_are_validated_one_by_one():
    spec = _single({"id": "h", "type": "address", "label": {"de": "Anschrift"}, "repeat": {"min": 1, "max": 2},
                    "required": True})
    data = {"h-0-street": "Weg", "h-0-house_number": "1", "h-0-postcode": "66111", "h-0-place": "Ort",
            "h-1-street": "Gasse", "h-1-house_number": "2", "h-1-postcode": "123", "h-1-place": "Dorf"}
    result = validate_step(spec, "s", data, today=TODAY)
    assert messages(result) == {"h-1-postcode": "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, z. B. 66111."}
    data["h-1-postcode"] = "66333"
    assert [a["place"] for a in validate_step(spec, "s", data, today=TODAY).cleaned["h"]] == ["Ort", "Dorf"]


# --- Length limits (issue 12: no anonymous request may cost seconds of CPU) -------------------------
@pytest.mark.parametrize(("data", "name", "limit"), [
    ({"given_name": "E" * 51}, "given_name", 50),  # the definition's (FIM's) max_length
    ({"family_name": "M" * 201}, "family_name", 200),  # text without one: the default
    ({"email": "e" * 250 + "@example.org"}, "email", 254),
    ({"phone": "0" * 31}, "phone", 30),
    ({"birth_date": "1" * 5_000_000}, "birth_date", 10),
    ({"address-street": "R" * 101}, "address-street", 100),
    ({"address-place": "S" * 101}, "address-place", 100),
    ({"address-house_number": "1" * 21}, "address-house_number", 20),
])
def test_every_typed_person_value_has_a_maximum_length(spec, data, name, limit):
    result = validate_step(spec, "person", dict(PERSON, **data), today=TODAY)
    actual = len(next(iter(data.values())))
    assert messages(result)[name] == f"Bitte geben Sie höchstens {limit} Zeichen ein (jetzt: {actual})."


@pytest.mark.parametrize(("data", "name", "limit"), [
    ({"remarks": "x" * 501}, "remarks", 500),
    ({"count": "1" * 31}, "count", 30),
    ({"amount": "1" * 31}, "amount", 30),
    ({"iban": "D" * 43}, "iban", 42),
    ({"nicknames-1": "n" * 201}, "nicknames-1", 200),
])
def test_every_typed_detail_value_has_a_maximum_length(spec, data, name, limit):
    result = validate_step(spec, "details", {"has_pet": "nein", "colour": "rot", **data}, today=TODAY)
    assert messages(result)[name].startswith(f"Bitte geben Sie höchstens {limit} Zeichen ein")


def test_textarea_line_breaks_count_once_as_the_browser_counts_them():
    definition = sample_definition()
    remarks = definition["steps"][1]["fieldsets"][0]["fields"][9]
    remarks["validation"] = {"max_length": 11}
    result = validate_step(FormSpec(definition), "details", {"has_pet": "nein", "colour": "rot",
                                                             "remarks": "1234\r\n5678\r\n9"}, today=TODAY)
    assert result.is_valid, result.errors
    assert result.cleaned["remarks"] == "1234\n5678\n9"


def test_an_overlong_value_is_refused_before_it_is_parsed(spec):
    """Five million characters for a date: refused by length at once, not fed to the date parser."""
    import time

    started = time.perf_counter()
    result = validate_step(spec, "details", {"has_pet": "nein", "colour": "rot", "start": "1." * 2_500_000,
                                             "amount": "1.000" * 1_000_000}, today=TODAY)
    assert time.perf_counter() - started < 0.5
    assert set(messages(result)) == {"start", "amount"}
