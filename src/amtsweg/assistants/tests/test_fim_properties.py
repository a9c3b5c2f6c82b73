"""The FIM import beyond the samples: generated XDatenfelder 2.0 and 3.0 documents and every real document.

Generated documents have groups nested several levels deep, every Datentyp and Feldart, cardinalities from
0:1 to n:m, code lists (in the document, shipped in XRepository form, unknown) and rules in the standard
phrasing. For each: every Datenfeld the citizen is asked for appears in the form, the definition is valid,
and a filled-in application passes every step of the engine. Example counts are fixed and derandomized so
that CI time stays bounded and failures reproduce.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsweg.assistants.definition import FormSpec, check_definition
from amtsweg.assistants.engine import validate_step, visible_steps
from amtsweg.assistants.fim import parse_fim, to_definition

from .fimgen import Field, Group, Rule, document
from .flows import PDF

HERE = Path(__file__).resolve().parent
SHARED = Path("/work/shared/data/fim")
EXAMPLES = sorted((HERE / "fim" / "xdatenfelder-beispiele").rglob("*.xml"))
INVALID = {"duplicate-optional-value.xml", "duplicate-required-value.xml", "unknown-namespace.xml",
           "duplicate-id-node.xml", "empty-id-node.xml", "missing-id-node.xml", "invalid-freigabestatus.xml",
           "unexpected-node.xml"}
REAL = [p for p in EXAMPLES if p.name not in INVALID] + sorted((HERE.parent / "data" / "fim").glob("*.xml"))
if SHARED.exists():
    REAL += [p for p in sorted(SHARED.rglob("*.xml")) if p.name not in INVALID]

DATENTYPEN = ["text", "text_latin", "date", "time", "datetime", "bool", "num", "num_int", "num_currency", "file"]
CODELISTS = [("urn:de:dsmeld:schluesseltabelle:familienstand", "2"), ("urn:de:xoev:codeliste:erreichbarkeit", "4.1"),
             ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat", "2017-01-01"),
             ("urn:de:nirgends:codeliste:unbekannt", "1")]
CARDINALITIES = ["1:1", "0:1", "0:*", "1:*", "1:3", "2:4"]
PROFILE = settings(max_examples=25, derandomize=True, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- documents -------------------------------------------------------------------------------------
field_spec = st.fixed_dictionaries({
    "kind": st.just("field"),
    "datentyp": st.sampled_from(DATENTYPEN),
    "feldart": st.sampled_from(["input", "input", "input", "select", "label", "hidden"]),
    "identifier": st.booleans(),
    "values": st.booleans(),
    "codelist": st.sampled_from(CODELISTS),
    "max_length": st.sampled_from([None, 5, 40, 300]),
    "bounds": st.booleans(),
})
tree = st.recursive(
    field_spec,
    lambda children: st.fixed_dictionaries({
        "kind": st.just("group"),
        "children": st.lists(st.tuples(st.sampled_from(CARDINALITIES), children), min_size=1, max_size=4),
    }),
    max_leaves=12,
)


def _build(spec: dict, version: str, counter: itertools.count) -> Field | Group:
    n = next(counter)
    if spec["kind"] == "group":
        return Group(f"G6{n:07d}", f"Gruppe {n}",
                     children=[(card, _build(child, version, counter)) for card, child in spec["children"]])
    datentyp, feldart = spec["datentyp"], spec["feldart"]
    name = f"Nummer {n}" if spec["identifier"] and datentyp in {"num", "num_int"} else f"Angabe {n}"
    result = Field(f"F6{n:07d}", name, datentyp=datentyp, feldart=feldart)
    if feldart == "select":
        result.datentyp = "text"
        if spec["values"] and version == "3.0":
            result.values = [("A", "Erster Wert"), ("B", "Zweiter Wert")]
        else:
            result.codelist = spec["codelist"]
    elif datentyp in {"text", "text_latin"} and spec["max_length"]:
        result.praezisierung = f'{{"minLength":"1","maxLength":"{spec["max_length"]}"}}'
    elif datentyp in {"num", "num_int", "num_currency"} and spec["bounds"]:
        result.praezisierung = '{"minValue":"1","maxValue":"500"}'
    return result


def _fields(element: Field | Group) -> list[Field]:
    if isinstance(element, Field):
        return [element]
    return [f for _card, child in element.children for f in _fields(child)]


@st.composite
def documents(draw, version: str) -> tuple[bytes, Group]:
    children = draw(st.lists(st.tuples(st.sampled_from(CARDINALITIES), tree), min_size=1, max_size=4))
    counter = itertools.count(1)
    switch = [("1:1", Field("F60000000", "Schalter", datentyp="bool"))] if draw(st.booleans()) else []
    root = Group("S60000000", "Generiertes Schema",
                 children=switch + [(card, _build(child, version, counter)) for card, child in children])
    # rules in the standard phrasing: a later field only if an earlier yes/no field was answered "ja"
    fields = _fields(root)
    switches = [i for i, f in enumerate(fields) if f.datentyp == "bool" and f.feldart == "input"]
    for number, i in enumerate(switches[:2]):
        later = [f for f in fields[i + 1:] if f.feldart == "input"]
        if later and draw(st.booleans()):
            target = later[draw(st.integers(0, len(later) - 1))]
            verb = draw(st.sampled_from(["bejaht", "ausgewählt", "verneint"]))
            root.rules.append(Rule(f"R6{number:07d}", f"„{target.name}“ ist nur dann zu befüllen, wenn "
                                                      f"„{fields[i].name}“ {verb} wurde."))
    if draw(st.booleans()):
        root.rules.append(Rule("R69999999", "Mindestens eine Angabe ist zu machen."))
    return document(root, version), root


# --- filling in ------------------------------------------------------------------------------------
def _value(spec: FormSpec, fld: dict) -> str:
    rules = fld.get("validation", {})
    kind = fld["type"]
    if kind in {"text", "textarea"}:
        if "pattern" in rules:
            return rules["pattern"] if re.escape(rules["pattern"]) == rules["pattern"] else "09:30"
        return "x" * max(rules.get("min_length", 1), 1)
    return {
        "number": str(int(rules.get("min", 1))), "amount": "5,00", "date": "01.01.2000", "yesno": "ja",
        "email": "a@example.org", "phone": "0681 1", "iban": "DE02120300000000202051",
    }.get(kind) or (spec.codelist(fld["codelist"])[0]["code"] if kind in {"choice", "multichoice"} else "x")


def _fill(spec: FormSpec, step: dict) -> tuple[dict, dict]:
    data: dict[str, str] = {}
    files: dict[str, SimpleUploadedFile] = {}
    for fieldset in step["fieldsets"]:
        entries = fieldset.get("repeat")
        slots = list(range(max(entries.get("min", 0), 1))) if entries else [None]
        for fld in fieldset["fields"]:
            if fld["type"] == "note":
                continue
            repeat = fld.get("repeat")
            indexes = [i for i in slots] if entries else (
                list(range(max(repeat.get("min", 0), 1))) if repeat and fld["type"] not in {"yesno", "choice"}
                else [None])
            for index in indexes:
                name = fld["id"] if index is None else f"{fld['id']}-{index}"
                if fld["type"] == "file":
                    files[name] = SimpleUploadedFile("a.pdf", PDF, "application/pdf")
                elif fld["type"] == "address":
                    data.update({f"{name}-street": "Weg", f"{name}-house_number": "1", f"{name}-postcode": "66111",
                                 f"{name}-place": "Ort"})
                else:
                    data[name] = _value(spec, fld)
    return data, files


def _submit_everything(definition: dict) -> dict:
    """Fill in every step the answers lead to; every step must validate. Returns the answers."""
    spec = FormSpec(definition)
    answers: dict = {}
    done: list[str] = []
    while True:
        step = next((s for s in visible_steps(spec, answers) if s["id"] not in done), None)
        if step is None:
            return answers
        data, files = _fill(spec, step)
        result = validate_step(spec, step["id"], data, files, answers)
        assert result.is_valid, [(e.input_name, e.message) for e in result.errors]
        answers.update(result.cleaned)
        done.append(step["id"])


def _asked(root: Group) -> set[str]:
    return {f.id for f in _fields(root) if f.feldart not in {"hidden", "locked"}}


def _in_form(definition: dict) -> set[str]:
    return {f["fim"]["id"] for s in definition["steps"] for fs in s["fieldsets"] for f in fs["fields"] if "fim" in f}


def _asked_in_document(element) -> set[str]:
    """Every Datenfeld of a parsed document that the citizen is asked for (or shown, Feldart label)."""
    if element.kind == "field":
        return set() if element.feldart in {"hidden", "locked"} else {element.id}
    return {fim_id for _card, child in element.children for fim_id in _asked_in_document(child)}


def _optional_means_optional(definition: dict) -> None:
    """A field labelled optional (not required) never demands entries: the citizen would read „optional“ and
    then be told „mindestens 1 Angabe“ (FIM's Vorname 1:* inside an optional group did that)."""
    for step in definition["steps"]:
        for fieldset in step["fieldsets"]:
            for fld in fieldset["fields"]:
                if not fld.get("required"):
                    assert (fld.get("repeat") or {}).get("min", 0) == 0, fld


@pytest.mark.parametrize("version", ["2.0", "3.0"])
@PROFILE
@given(data=st.data())
def test_generated_documents_import_completely_and_a_filled_application_validates(version, data):
    xml, root = data.draw(documents(version))
    definition = to_definition(parse_fim(xml))
    check_definition(definition)
    assert _asked(root) <= _in_form(definition)
    _optional_means_optional(definition)
    for rule in definition["source"]["rules"]:
        assert rule.get("applied") or rule.get("task")
    _submit_everything(definition)


def test_a_generated_rule_becomes_a_condition():
    """The property test's rules really are turned into conditions (not only listed as tasks)."""
    root = Group("S60000000", "Schema", children=[
        ("1:1", Field("F60000001", "Angabe 1", datentyp="bool")),
        ("0:1", Group("G60000002", "Gruppe 2", children=[("1:1", Field("F60000003", "Angabe 3"))])),
    ], rules=[Rule("R60000001", "„Angabe 3“ ist nur dann zu befüllen, wenn „Angabe 1“ bejaht wurde.")])
    definition = to_definition(parse_fim(document(root, "2.0")))
    (rule,) = definition["source"]["rules"]
    assert rule["applied"] == "visible_if"
    answers = _submit_everything(definition)
    assert answers["F60000003"] == "x"


def test_the_shared_real_documents_are_read_in_ci():
    """Where CI is set (as for the FITKO conformance suite), the real schemas beside the checkout must be read."""
    if os.environ.get("CI"):
        assert SHARED.exists(), f"the real FIM documents are missing: {SHARED}"
        assert any(p.is_relative_to(SHARED) for p in REAL)


@pytest.mark.parametrize("path", REAL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_document_imports_and_a_filled_application_validates(path):
    document = parse_fim(path.read_bytes())
    definition = to_definition(document)
    check_definition(definition)
    assert _asked_in_document(document.root) <= _in_form(definition)  # every Datenfeld appears in the form
    _optional_means_optional(definition)
    _submit_everything(definition)
