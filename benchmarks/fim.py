"""Benchmark: the FIM import and repeatable fieldsets (issue 15, items 9–13).

Run from the repository root: `.venv/bin/python benchmarks/fim.py`. No database is touched. Measures:

* fim_codelists_load_ms: reading and parsing every shipped genericode code list (cold, once per process);
* fim_import_wbk_ms: parsing and converting the real Waffenbesitzkarte schema (median);
* fim_import_generated_ms: a generated XDatenfelder 3.0 document with 200 Datenfelder in nested groups, repeated
  groups, code lists and rules (median);
* fim_entries_validate_ms / fim_entries_render_ms: `validate_step` and the step page's view model + template for a
  repeatable fieldset with 10 entries of 13 field types (median).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20


def median_ms(function, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("AMTSWEG_VAR_DIR", tempfile.mkdtemp(prefix="fim-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    import django

    django.setup()
    from django.template.loader import render_to_string

    from amtsweg.assistants.definition import FormSpec
    from amtsweg.assistants.engine import validate_step
    from amtsweg.assistants.fim import codelists, parse_fim, to_definition
    from amtsweg.assistants.presentation import StepView
    from amtsweg.assistants.tests.fimgen import Field, Group, Rule, document

    start = time.perf_counter()
    codelists.shipped()
    print(f"fim_codelists_load_ms: {(time.perf_counter() - start) * 1000:.1f}")

    wbk = (ROOT / "src/amtsweg/assistants/data/fim/S00000036_Waffenbesitzkarte_xdf1.xml").read_bytes()
    print(f"fim_import_wbk_ms: {median_ms(lambda: to_definition(parse_fim(wbk))):.2f}")

    kinds = ["text", "date", "bool", "num_int", "num_currency", "file", "time"]
    groups = []
    for g in range(20):
        children = [("1:1", Field(f"F6{g:03d}{f:04d}", f"Angabe {g}.{f}", datentyp=kinds[f % len(kinds)]))
                    for f in range(8)]
        children.append(("0:1", Field(f"F6{g:03d}9001", f"Staat {g}", feldart="select",
                                      codelist=("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat",
                                                "2024-08-01"))))
        children.append(("0:1", Group(f"G6{g:03d}9002", f"Untergruppe {g}", children=[
            ("1:1", Field(f"F6{g:03d}9003", f"Innen {g}"))])))
        groups.append(("0:*" if g % 4 == 0 else "1:1", Group(f"G6{g:07d}", f"Gruppe {g}", children=children)))
    rules = [Rule(f"R6{g:07d}", f"„Angabe {g}.3“ ist nur dann zu befüllen, wenn „Angabe {g}.2“ bejaht wurde.")
             for g in range(20)]
    generated = document(Group("S60000000", "Benchmark", children=groups, rules=rules), "3.0")
    print(f"fim_import_generated_ms: {median_ms(lambda: to_definition(parse_fim(generated))):.2f}")

    types = ["text", "textarea", "number", "amount", "date", "yesno", "choice", "multichoice", "email", "phone",
             "iban", "address", "file"]
    fields = [{"id": f"f_{kind}", "type": kind, "label": {"de": kind}, "required": kind == "text",
               **({"codelist": "werte"} if kind in {"choice", "multichoice"} else {})} for kind in types]
    definition = {"schema_version": 1, "title": {"de": "Bench"},
                  "codelists": {"werte": [{"code": "a", "label": {"de": "A"}}, {"code": "b", "label": {"de": "B"}}]},
                  "steps": [{"id": "s", "title": {"de": "S"}, "fieldsets": [
                      {"id": "eintraege", "legend": {"de": "Einträge"}, "repeat": {"min": 1, "max": 10},
                       "fields": fields}]}]}
    spec = FormSpec(definition)
    values = {"text": "Text", "textarea": "Zeile", "number": "3", "amount": "1,50", "date": "01.02.2000",
              "yesno": "ja", "choice": "a", "multichoice": "b", "email": "a@example.org", "phone": "0681 123456",
              "iban": "DE02120300000000202051"}
    data = {"eintraege-count": "10"}
    for i in range(10):
        data.update({f"f_{kind}-{i}": value for kind, value in values.items()})
        data.update({f"f_address-{i}-street": "Weg", f"f_address-{i}-house_number": "1",
                     f"f_address-{i}-postcode": "66111", f"f_address-{i}-place": "Ort"})
    result = validate_step(spec, "s", data)
    assert result.is_valid, result.errors
    print(f"fim_entries_validate_ms: {median_ms(lambda: validate_step(spec, 's', data)):.2f}")

    def render() -> str:
        view = StepView(spec, spec.steps[0], answers=result.cleaned)
        return render_to_string("assistants/_step_form.html", {"view": view, "action_url": "/", "step_title": "S"})

    assert render().count('name="f_text-') == 10
    print(f"fim_entries_render_ms: {median_ms(render):.2f}")


if __name__ == "__main__":
    main()
