"""Repeatable fieldsets (FIM groups with 1:*, 0:n, n:m): entries of every field type, min/max, add and
remove without JavaScript, German errors, one list per field in the submitted data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amtsweg.assistants.definition import DefinitionError, FormSpec, check_definition
from amtsweg.assistants.engine import remove_entry, validate_step
from amtsweg.assistants.engine.display import summary_sections
from amtsweg.assistants.models import DraftFile

from .factories import FormVersionFactory, t
from .flows import PDF, start

KINDS = {
    "text": "Pistole", "textarea": "Zeile", "number": "3", "amount": "12,50", "date": "24.12.1990", "yesno": "ja",
    "choice": "b", "multichoice": "a", "email": "a@example.org", "phone": "0681 123", "iban": "DE02120300000000202051",
}
CLEANED = {"text": "Pistole", "textarea": "Zeile", "number": 3, "amount": 1250, "date": "1990-12-24", "yesno": True,
           "choice": "b", "multichoice": ["a"], "email": "a@example.org", "phone": "+49681123",
           "iban": "DE02120300000000202051"}
ADDRESS = {"street": "Rathausplatz", "house_number": "1", "postcode": "66111", "place": "Saarbrücken"}


def _definition(minimum: int = 1, maximum: int = 3) -> dict:
    fields = [{"id": f"w_{kind}", "type": kind, "label": t(f"Angabe {kind}"), "required": kind == "text",
               **({"codelist": "abc"} if kind in {"choice", "multichoice"} else {})} for kind in KINDS]
    fields += [{"id": "w_address", "type": "address", "label": t("Lagerort")},
               {"id": "w_file", "type": "file", "label": t("Nachweis")},
               {"id": "w_note", "type": "note", "label": t("Hinweis")}]
    return {"schema_version": 1, "title": t("Waffen"), "codelists": {"abc": [
        {"code": "a", "label": t("Eins")}, {"code": "b", "label": t("Zwei")}]},
        "steps": [{"id": "waffen", "title": t("Waffen"), "fieldsets": [
            {"id": "vorher", "fields": [{"id": "name", "type": "text", "label": t("Name"), "required": True}]},
            {"id": "waffe", "legend": t("Waffe"), "repeat": {"min": minimum, "max": maximum}, "fields": fields}]}]}


def _entry(index: int, **override) -> dict:
    data = {f"w_{kind}-{index}": value for kind, value in KINDS.items()}
    data.update({f"w_address-{index}-{part}": value for part, value in ADDRESS.items()})
    data.update(override)
    return data


def test_every_field_type_in_several_entries():
    spec = FormSpec(_definition())
    check_definition(spec.definition)
    files = {"w_file-1": SimpleUploadedFile("n.pdf", PDF, "application/pdf")}
    result = validate_step(spec, "waffen", {"name": "Erika", **_entry(0), **_entry(1, **{"w_text-1": "Revolver"})},
                           files)
    assert result.is_valid, result.errors
    for kind, value in CLEANED.items():
        expected = [value, "Revolver" if kind == "text" else value]
        assert result.cleaned[f"w_{kind}"] == expected
    assert result.cleaned["w_address"] == [ADDRESS, ADDRESS]
    assert result.cleaned["w_file"][0] is None and result.cleaned["w_file"][1].filename == "n.pdf"


def test_empty_entries_are_dropped_and_values_stay_together():
    spec = FormSpec(_definition(minimum=0))
    result = validate_step(spec, "waffen", {"name": "E", "w_text-0": "", "w_text-1": "Büchse", "w_number-1": "2"})
    assert result.is_valid and result.cleaned["w_text"] == ["Büchse"] and result.cleaned["w_number"] == [2]
    assert result.cleaned["w_date"] == [None]
    nothing = validate_step(spec, "waffen", {"name": "E"})
    assert nothing.is_valid and "w_text" not in nothing.cleaned


def test_errors_name_the_entry_in_german():
    spec = FormSpec(_definition())
    result = validate_step(spec, "waffen", {"name": "E", **_entry(0), "w_number-1": "zwei"})
    messages = {e.input_name: e.message for e in result.errors}
    assert messages["w_text-1"] == "Waffe, Eintrag 2: Bitte füllen Sie das Feld „Angabe text“ aus."
    assert "ganze Zahl" in messages["w_number-1"]
    assert not any(name.endswith("-0") for name in messages)
    none = validate_step(spec, "waffen", {"name": "E"})
    assert [e.message for e in none.errors] == ["Bitte machen Sie mindestens 1 Angabe(n) zu „Waffe“."]
    assert none.errors[0].input_name == "w_text-0"


def test_entries_beyond_the_maximum_are_not_read():
    spec = FormSpec(_definition(maximum=2))
    result = validate_step(spec, "waffen", {"name": "E", **_entry(0), **_entry(1), **_entry(2)})
    assert len(result.cleaned["w_text"]) == 2


def test_remove_entry_moves_the_later_entries_up():
    spec = FormSpec(_definition())
    fieldset = spec.steps[0]["fieldsets"][1]
    data = {"name": "E", "waffe-count": "3", "w_text-0": "A", "w_text-1": "B", "w_text-2": "C",
            "w_address-2-street": "Weg"}
    moved, answers = remove_entry(fieldset, data, {"w_text": ["A", "B", "C"], "name": "E"}, 1)
    assert moved["w_text-0"] == ["A"] and moved["w_text-1"] == ["C"] and "w_text-2" not in moved
    assert moved["w_address-1-street"] == ["Weg"] and moved["waffe-count"] == ["2"] and moved["name"] == ["E"]
    assert answers["w_text"] == ["A", "C"]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["steps"][0]["fieldsets"][1]["fields"][0].update(repeat={"max": 2}), "kann nicht selbst"),
    (lambda d: d["steps"][0]["fieldsets"][0]["fields"][0].update(visible_if={"field": "w_yesno", "equals": True}),
     "wiederholbaren Abschnitt"),
    (lambda d: d["steps"][0]["fieldsets"][1].update(repeat={"min": 4, "max": 3}), "min ist größer als max"),
])
def test_definition_checks(change, problem):
    definition = _definition()
    change(definition)
    with pytest.raises(DefinitionError, match=problem):
        check_definition(definition)


def test_summary_shows_each_entry_together():
    spec = FormSpec(_definition())
    (section,) = summary_sections(spec, {"name": "E", "w_text": ["A", "B"], "w_number": [1, None]})
    labels = [row["label"] for row in section["rows"]]
    assert labels[:3] == ["Name", "Waffe 1: Angabe text", "Waffe 1: Angabe textarea"]
    assert labels.index("Waffe 2: Angabe text") > labels.index("Waffe 1: Nachweis")
    assert "Waffe 2: Angabe text" in labels
    assert {row["label"]: row["value"] for row in section["rows"]}["Waffe 2: Angabe number"] == "–"


@pytest.mark.django_db
def test_add_and_remove_without_javascript_and_submit(client, postcode, test_intake):
    FormVersionFactory(published=True, form__slug="waffen", definition=_definition(minimum=1, maximum=3))
    place_url = start(client, "waffen")
    step = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    body = client.get(step).content.decode()
    assert 'name="w_text-0"' in body and 'name="w_text-1"' not in body
    assert "Weiteren Eintrag zu „Waffe“ hinzufügen" in body and "entfernen" not in body
    body = client.post(step, {"name": "E", "waffe-count": "1", "w_text-0": "A",
                              "action": "add:fieldset:waffe"}).content.decode()
    assert 'name="w_text-1"' in body and 'value="A"' in body and "Waffe – Eintrag 2 entfernen" in body
    body = client.post(step, {"name": "E", "waffe-count": "3", "w_text-0": "A", "w_text-1": "B", "w_text-2": "C",
                              "action": "remove:waffe:0"}).content.decode()
    assert 'name="w_text-2"' not in body and 'value="B"' in body and 'value="A"' not in body
    response = client.post(step, {"name": "E", "waffe-count": "2", "w_text-0": "B", "w_text-1": "C",
                                  "w_file-1": SimpleUploadedFile("n.pdf", PDF, "application/pdf"),
                                  "action": "next"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert DraftFile.objects.count() == 1
    summary = client.get(response["Location"]).content.decode()
    assert "Waffe 2: Angabe text" in summary
    client.post(response["Location"], {"declaration": "yes"})
    (payload,) = test_intake
    assert payload.data["w_text"] == ["B", "C"] and payload.data["w_file"][0] is None
    assert payload.data["w_file"][1] == {"filename": "n.pdf", "content_type": "application/pdf", "size": len(PDF)}
    assert [a.filename for a in payload.attachments] == ["n.pdf"]


@pytest.mark.parametrize(("cardinality", "expected"), [("1:*", {"min": 1, "max": 10}), ("0:*", {"min": 0, "max": 10}),
                                                       ("0:3", {"min": 0, "max": 3}), ("2:5", {"min": 2, "max": 5})])
def test_fim_groups_with_several_occurrences_become_repeatable_fieldsets(cardinality, expected):
    from amtsweg.assistants.fim import parse_fim, to_definition

    from .fimgen import Field, Group, document

    waffe = Group("G60000010", "Waffe", children=[
        ("1:1", Field("F60000010", "Waffenart")),
        ("0:*", Field("F60000011", "Seriennummer")),
        ("0:1", Group("G60000011", "Munition", children=[("1:1", Field("F60000012", "Kaliber")),
                                                         ("0:*", Group("G60000012", "Lager", children=[
                                                             ("1:1", Field("F60000013", "Ort"))]))])),
    ])
    root = Group("S60000010", "WBK", children=[("1:1", Field("F60000001", "Name")), (cardinality, waffe)])
    definition = to_definition(parse_fim(document(root, "3.0")))
    check_definition(definition)
    fieldset = next(fs for s in definition["steps"] for fs in s["fieldsets"] if fs.get("repeat"))
    assert fieldset["repeat"] == expected and fieldset["legend"] == {"de": "Waffe"}
    assert [f["label"]["de"] for f in fieldset["fields"]] == ["Waffenart", "Seriennummer", "Munition", "Kaliber",
                                                              "Lager", "Ort"]
    assert not any(f.get("repeat") for f in fieldset["fields"])
    by_label = {f["label"]["de"]: f for f in fieldset["fields"]}
    assert by_label["Waffenart"]["required"] and not by_label["Kaliber"]["required"]  # Munition is optional
    assert any("Seriennummer" in n and "einmal je Eintrag" in n for n in definition["source"]["notes"])
    spec = FormSpec(definition)
    step = next(s["id"] for s in definition["steps"] if fieldset in s["fieldsets"])
    ids = {f["label"]["de"]: f["id"] for f in fieldset["fields"]}
    data = {f"{ids['Waffenart']}-{i}": f"Art {i}" for i in range(expected["min"] or 1)}
    result = validate_step(spec, step, data)
    assert result.is_valid and result.cleaned[ids["Waffenart"]] == list(data.values())


@pytest.mark.parametrize("datentyp", ["bool", "file", "select"])
def test_a_repeated_choice_yes_no_or_file_field_is_asked_in_a_repeatable_fieldset(datentyp):
    """Several nationalities (Staatsangehörigkeit 1:*) were asked once."""
    from amtsweg.assistants.fim import parse_fim, to_definition

    from .fimgen import Field, Group, document

    repeated = Field("F60000002", "Staatsangehörigkeit", datentyp="text" if datentyp == "select" else datentyp,
                     feldart="select" if datentyp == "select" else "input",
                     codelist=("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit",
                               "2024-08-01") if datentyp == "select" else None)
    person = Group("G60000001", "Person", children=[("1:1", Field("F60000001", "Name")), ("1:*", repeated),
                                                    ("0:1", Field("F60000003", "Beruf"))])
    definition = to_definition(parse_fim(document(Group("S60000001", "Schema", children=[("1:1", person)]), "3.0")))
    check_definition(definition)
    (step,) = definition["steps"]
    assert [[f["fim"]["id"] for f in fs["fields"]] for fs in step["fieldsets"]] == [
        ["F60000001"], ["F60000002"], ["F60000003"]]
    assert step["fieldsets"][1]["repeat"] == {"min": 1, "max": 10}
    assert step["fieldsets"][0]["legend"] == {"de": "Person"} and "legend" not in step["fieldsets"][2]
    spec = FormSpec(definition)
    name, repeated_id = step["fieldsets"][0]["fields"][0]["id"], step["fieldsets"][1]["fields"][0]["id"]
    missing = validate_step(spec, step["id"], {name: "Eva"})
    assert "mindestens 1 Angabe" in missing.errors[0].message
    if datentyp == "select":
        result = validate_step(spec, step["id"], {name: "Eva", f"{repeated_id}-0": "000", f"{repeated_id}-1": "129"})
        assert result.is_valid and result.cleaned[repeated_id] == ["000", "129"]


@pytest.mark.parametrize("datentyp", ["text", "bool"])
def test_a_repeated_datenfeld_in_an_optional_group_may_be_left_empty(datentyp):
    """FIM's Waffenbesitzkarte (S00000036) has Vorname 1:* inside the 0:1 group „Vorname natürliche Person“:
    the field was labelled optional and then refused with „mindestens 1 Angabe“ when left empty."""
    from amtsweg.assistants.fim import parse_fim, to_definition

    from .fimgen import Field, Group, document

    vorname = Group("G60000039", "Vorname natürliche Person", children=[
        ("1:*", Field("F60000045", "Vorname", datentyp=datentyp)), ("0:1", Field("F60000076", "Rufname"))])
    root = Group("S60000001", "Schema", children=[("1:1", Field("F60000013", "Familienname")), ("0:1", vorname)])
    definition = to_definition(parse_fim(document(root, "2.0")))
    check_definition(definition)
    fields = {f["fim"]["id"]: (s["id"], fs, f) for s in definition["steps"] for fs in s["fieldsets"]
              for f in fs["fields"] if "fim" in f}
    step_id, fieldset, field = fields["F60000045"]
    entries = field.get("repeat") or fieldset.get("repeat")
    assert not field["required"] and entries["min"] == 0, (field, fieldset)
    spec = FormSpec(definition)
    for step in definition["steps"]:  # only the Familienname is required
        result = validate_step(spec, step["id"], {fields["F60000013"][2]["id"]: "Mustermann"})
        assert result.is_valid, [e.message for e in result.errors]


def _per_entry() -> dict:
    definition = _definition(minimum=0)
    fields = definition["steps"][0]["fieldsets"][1]["fields"]
    number = next(f for f in fields if f["id"] == "w_number")
    number.update(required=True, visible_if={"field": "w_yesno", "equals": True})
    fields.remove(number)
    fields.insert(fields.index(next(f for f in fields if f["id"] == "w_yesno")) + 1, number)
    return definition


def test_a_condition_on_an_earlier_field_of_the_same_entry_is_decided_per_entry():
    definition = _per_entry()
    check_definition(definition)
    spec = FormSpec(definition)
    data = {"name": "E", "w_text-0": "A", "w_yesno-0": "ja", "w_text-1": "B", "w_yesno-1": "nein", "w_number-1": "7"}
    result = validate_step(spec, "waffen", data)
    assert [e.input_name for e in result.errors] == ["w_number-0"]  # asked (and required) only in entry 1
    result = validate_step(spec, "waffen", {**data, "w_number-0": "3"})
    assert result.is_valid and result.cleaned["w_number"] == [3, None]  # entry 2 said no: its value is dropped
    (section,) = summary_sections(spec, {"name": "E", **result.cleaned})
    assert {r["label"]: r["value"] for r in section["rows"]}["Waffe 1: Angabe number"] == "3"


def test_the_page_toggles_each_entry_by_its_own_inputs():
    from amtsweg.assistants.presentation import StepView

    spec = FormSpec(_per_entry())
    view = StepView(spec, spec.steps[0], answers={"w_text": ["A", "B"], "w_yesno": [True, False]})
    (entries,) = [fs for fs in view.fieldsets if fs.get("entries")]
    conditions = [next(f for f in e["fields"] if f["id"] == "w_number")["condition"] for e in entries["entries"]]
    assert conditions == ['{"field": "w_yesno-0", "equals": true}', '{"field": "w_yesno-1", "equals": true}']


def test_a_fim_rule_inside_a_repeated_group_becomes_a_per_entry_condition():
    from amtsweg.assistants.fim import parse_fim, to_definition

    from .fimgen import Field, Group, Rule, document

    waffe = Group("G60000010", "Waffe", children=[
        ("1:1", Field("F60000010", "Munitionserlaubnis", datentyp="bool")),
        ("1:1", Field("F60000011", "Kaliber")),
    ], rules=[Rule("R60000001", "„Kaliber“ ist nur dann zu befüllen, wenn „Munitionserlaubnis“ bejaht wurde.")])
    outside = Rule("R60000002", "„Name“ ist nur dann zu befüllen, wenn „Munitionserlaubnis“ bejaht wurde.")
    root = Group("S60000010", "WBK", children=[("0:*", waffe), ("1:1", Field("F60000001", "Name"))], rules=[outside])
    definition = to_definition(parse_fim(document(root, "3.0")))
    check_definition(definition)
    by_id = {r["id"]: r for r in definition["source"]["rules"]}
    inside, other = by_id["R60000001"], by_id["R60000002"]
    assert inside["applied"] == "visible_if" and "außerhalb desselben Eintrags" in other["task"]
