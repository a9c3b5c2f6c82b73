"""FIM data types and input hints map to the right field types: identifiers stay text, limits carry over."""

from pathlib import Path

import pytest

from amtsweg.assistants.definition import FormSpec, check_definition
from amtsweg.assistants.engine import validate_step
from amtsweg.assistants.fim import parse_fim, to_definition

V2 = Path(__file__).resolve().parent / "fim" / "xdatenfelder-beispiele" / "v2"
WBK = Path(__file__).resolve().parents[1] / "data" / "fim" / "S00000036_Waffenbesitzkarte_xdf1.xml"
SIMPLE = (V2 / "simple.xml").read_text(encoding="utf-8")


def _field(name: str, datentyp: str, praezisierung: str = "") -> dict:
    """The v2 example with its one Datenfeld renamed and retyped."""
    xml = SIMPLE.replace("<xdf:name>Familienname</xdf:name>", f"<xdf:name>{name}</xdf:name>", 1)
    xml = xml.replace("<xdf:bezeichnungEingabe>Familienname</xdf:bezeichnungEingabe>",
                      f"<xdf:bezeichnungEingabe>{name}</xdf:bezeichnungEingabe>", 1)
    xml = xml.replace("<code>text</code>", f"<code>{datentyp}</code>", 1)
    xml = xml.replace('{"minLength":"1","maxLength":"120"}', praezisierung)
    definition = to_definition(parse_fim(xml.encode()))
    check_definition(definition)
    return definition


def _only(definition: dict) -> dict:
    return definition["steps"][0]["fieldsets"][0]["fields"][0]


@pytest.mark.parametrize("name", ["Urkundennummer", "Postleitzahl", "Steuer-ID", "Kfz-Kennzeichen", "Telefon",
                                  "Aktenzeichen", "Nr. der Urkunde"])
@pytest.mark.parametrize("datentyp", ["num", "num_int"])
def test_identifiers_are_text_never_numbers(name, datentyp):
    definition = _field(name, datentyp)
    field = _only(definition)
    assert field["type"] == "text"
    spec = FormSpec(definition)
    step = spec.steps[0]["id"]
    assert validate_step(spec, step, {field["id"]: "01067"}).cleaned[field["id"]] == "01067"


@pytest.mark.parametrize(("datentyp", "kind", "raw", "value"), [
    ("num_int", "number", "3", 3),
    ("num", "number", "2,5", 2.5),
    ("num_currency", "amount", "12,50", 1250),
    ("date", "date", "24.12.1990", "1990-12-24"),
    ("bool", "yesno", "ja", True),
    ("text", "text", "Anna", "Anna"),
])
def test_quantities_dates_amounts_and_yes_no_as_declared(datentyp, kind, raw, value):
    definition = _field("Anzahl" if datentyp.startswith("num") else "Angabe", datentyp)
    field = _only(definition)
    assert field["type"] == kind
    spec = FormSpec(definition)
    assert validate_step(spec, spec.steps[0]["id"], {field["id"]: raw}).cleaned[field["id"]] == value


def test_time_is_checked_as_hh_mm():
    definition = _field("Beginn", "time")
    field = _only(definition)
    spec = FormSpec(definition)
    assert validate_step(spec, spec.steps[0]["id"], {field["id"]: "09:30"}).is_valid
    result = validate_step(spec, spec.steps[0]["id"], {field["id"]: "25:99"})
    assert "HH:MM" in result.errors[0].message


@pytest.mark.parametrize(("max_length", "kind"), [(12, "text"), (250, "text"), (1000, "textarea")])
def test_maximum_lengths_are_carried_over(max_length, kind):
    definition = _field("Bemerkung", "text", f'{{"minLength":"1","maxLength":"{max_length}"}}')
    field = _only(definition)
    assert field["type"] == kind and field["validation"]["max_length"] == max_length
    spec = FormSpec(definition)
    result = validate_step(spec, spec.steps[0]["id"], {field["id"]: "x" * (max_length + 1)})
    assert f"höchstens {max_length} Zeichen" in result.errors[0].message


def test_an_identifier_keeps_its_maximum_length():
    field = _only(_field("Registernummer", "num_int", '{"maxLength":"8"}'))
    assert field["type"] == "text" and field["validation"]["max_length"] == 8


def test_waffenbesitzkarte_urkundennummer_is_text():
    definition = to_definition(parse_fim(WBK.read_bytes()))
    fields = {f["label"]["de"]: f for s in definition["steps"] for fs in s["fieldsets"] for f in fs["fields"]}
    assert fields["Urkundennummer"]["type"] == "text"
    assert fields["Urkundennummer"]["fim"]["datentyp"] == "num"


def test_date_bounds_are_carried_over():
    definition = _field("Geburtsdatum", "date", '{"minValue":"1900-01-01","maxValue":"2030-12-31"}')
    field = _only(definition)
    assert field["validation"] == {"min_date": "1900-01-01", "max_date": "2030-12-31"}
    spec = FormSpec(definition)
    assert not validate_step(spec, spec.steps[0]["id"], {field["id"]: "01.01.1850"}).is_valid
    assert validate_step(spec, spec.steps[0]["id"], {field["id"]: "01.01.1950"}).is_valid
