"""FIM rules in the standard phrasing become visible_if conditions; other rules are listed as author tasks."""

import pytest

from amtsweg.assistants.definition import FormSpec, check_definition
from amtsweg.assistants.engine import validate_step
from amtsweg.assistants.fim import parse_fim, to_definition

from .fimgen import Field, Group, Rule, document


def _person(rule_text: str, *, on_group: bool = True, version: str = "2.0") -> dict:
    rule = [Rule("R60000001", rule_text)]
    art = Field("F60000009", "Art der Person", feldart="select", datentyp="text",
                values=[("1", "natürliche Person"), ("2", "juristische Person")])
    group = Group("G60000001", "Antragsteller", children=[
        ("1:1", Field("F60000001", "Namensänderung", datentyp="bool")),
        ("1:1", Field("F60000002", "Geburtsname")),
        ("1:1", Field("F60000003", "Früherer Vorname")),
        ("0:1", art),
        ("0:1", Field("F60000004", "Firma")),
        ("0:1", Group("G60000002", "Anschrift Ausland", children=[("1:1", Field("F60000005", "Ort Ausland"))])),
    ], rules=rule if on_group else [])
    root = Group("S60000001", "Testschema", children=[("1:1", group)], rules=[] if on_group else rule)
    xml = document(root, version)
    if version == "2.0":  # 2.0 has no values in the document: use a 3.0 document for choices
        xml = document(root, "3.0")
    definition = to_definition(parse_fim(xml))
    check_definition(definition)
    return definition


def _fields(definition: dict) -> dict:
    return {f["fim"]["id"]: f for s in definition["steps"] for fs in s["fieldsets"] for f in fs["fields"]}


@pytest.mark.parametrize("on_group", [True, False])
def test_only_when_yes_becomes_a_condition(on_group):
    definition = _person("„Geburtsname“ ist nur dann zu befüllen, wenn „Namensänderung“ bejaht wurde.",
                         on_group=on_group)
    fields = _fields(definition)
    assert fields["F60000002"]["visible_if"] == {"field": fields["F60000001"]["id"], "equals": True}
    (rule,) = definition["source"]["rules"]
    assert rule["applied"] == "visible_if" and "task" not in rule


def test_several_fields_and_a_no_answer():
    definition = _person("„Geburtsname“ und „Früherer Vorname“ sind nur dann zu befüllen, wenn „Namensänderung“ "
                         "verneint wurde")
    fields = _fields(definition)
    for fid in ("F60000002", "F60000003"):
        assert fields[fid]["visible_if"] == {"field": fields["F60000001"]["id"], "equals": False}


def test_a_chosen_value_of_a_select_field():
    definition = _person("„Firma“ ist nur dann zu befüllen, wenn bei „Art der Person“ „juristische Person“ "
                         "ausgewählt wurde.")
    fields = _fields(definition)
    assert fields["F60000004"]["visible_if"] == {"field": fields["F60000009"]["id"], "equals": "2"}
    alone = _person("„Firma“ ist nur dann anzugeben, wenn „juristische Person“ ausgewählt wurde.")
    assert _fields(alone)["F60000004"]["visible_if"] == {"field": fields["F60000009"]["id"], "equals": "2"}


def test_a_group_target_hides_its_fieldsets():
    definition = _person("„Anschrift Ausland“ ist nur dann zu befüllen, wenn „Namensänderung“ bejaht wurde.")
    fieldset = next(fs for s in definition["steps"] for fs in s["fieldsets"] if fs["fim"]["id"] == "G60000002")
    assert fieldset["visible_if"]["equals"] is True


def test_the_condition_works_in_the_engine():
    definition = _person("„Geburtsname“ ist nur dann zu befüllen, wenn „Namensänderung“ bejaht wurde.")
    spec, fields = FormSpec(definition), _fields(definition)
    step = spec.steps[0]["id"]
    yes_no, name = fields["F60000001"]["id"], fields["F60000002"]["id"]
    other = {fields["F60000003"]["id"]: "Eva"}
    hidden = validate_step(spec, step, {yes_no: "nein", **other})
    assert hidden.is_valid and name not in hidden.cleaned
    shown = validate_step(spec, step, {yes_no: "ja", **other})
    assert [e.field_id for e in shown.errors] == [name]


@pytest.mark.parametrize(("text", "reason"), [
    ("Es muss mindestens eine Angabe gemacht werden.", "keine Standardformulierung"),
    ("„Geburtsname“ ist nur dann zu befüllen, wenn „Gibt es nicht“ bejaht wurde.", "nicht gefunden"),
    ("„Namensänderung“ ist nur dann zu befüllen, wenn „Geburtsname“ befüllt wurde.", "erst danach"),
    ("„Geburtsname“ ist nur dann zu befüllen, wenn „Früherer Vorname“ bejaht wurde.", "kein Ja/Nein-Feld"),
])
def test_other_rules_stay_author_tasks_with_the_reason(text, reason):
    definition = _person(text)
    (rule,) = definition["source"]["rules"]
    assert "applied" not in rule and reason in rule["task"]
    assert not any("visible_if" in f for f in _fields(definition).values())


def test_filled_condition():
    definition = _person("„Früherer Vorname“ ist nur dann zu befüllen, wenn „Geburtsname“ befüllt wurde.")
    fields = _fields(definition)
    assert fields["F60000003"]["visible_if"] == {"field": fields["F60000002"]["id"], "filled": True}
