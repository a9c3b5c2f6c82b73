"""Benchmark: one step of a 100-field application assistant (10 steps of 10 fields, mixed types, conditionals).

Run from the repository root: `.venv/bin/python benchmarks/form_step.py`. Uses a temporary SQLite database.
Measures, per step, over every step of the form and several rounds:

* form_render_*: the step page (view model + template, full page HTML) from the engine and template directly;
* form_validate_*: `validate_step` on a complete, valid submission of the step;
* form_step_p95_ms: one step as the citizen experiences it through Django's test client (all middleware,
  session, encrypted draft): GET the step page, then POST it (validate, encrypt, store, redirect).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15
KINDS = ["text", "date", "yesno", "choice", "amount", "email", "number", "multichoice", "iban", "address"]


def build_definition() -> tuple[dict, dict]:
    """The definition and one valid POST per step (field 2 of each step controls field 3: a conditional)."""
    lang = lambda de: {"de": de, "en": de}  # noqa: E731
    codelist = [{"code": f"c{i}", "label": lang(f"Eintrag {i}")} for i in range(8)]
    steps, posts = [], {}
    for s in range(10):
        fields, post = [], {"action": "next"}
        for f in range(10):
            kind = KINDS[(s + f) % len(KINDS)]
            fid = f"s{s}f{f}"
            field = {"id": fid, "type": kind, "label": lang(f"Feld {s}.{f}"), "required": f % 3 != 2,
                     "help": lang("Hilfetext zu diesem Feld")}
            if kind in {"choice", "multichoice"}:
                field["codelist"] = "werte"
            if kind == "text":
                field["validation"] = {"max_length": 100}
            if kind == "date":
                field["validation"] = {"min_date": "1900-01-01", "max_date": "today"}
            if f == 3:
                field["visible_if"] = {"field": f"s{s}f2", "filled": True}
            fields.append(field)
            post.update({
                "text": {fid: "Beispieltext"}, "date": {fid: "12.08.1964"}, "yesno": {fid: "ja"},
                "choice": {fid: "c3"}, "amount": {fid: "1.234,50"}, "email": {fid: "erika@example.org"},
                "number": {fid: "42"}, "multichoice": {fid: ["c1", "c4"]}, "iban": {fid: "DE02120300000000202051"},
                "address": {f"{fid}-street": "Rathausplatz", f"{fid}-house_number": "1",
                            f"{fid}-postcode": "66111", f"{fid}-place": "Saarbrücken"},
            }[kind])
        steps.append({"id": f"schritt{s}", "title": lang(f"Schritt {s}"),
                      "fieldsets": [{"id": f"fs{s}", "legend": lang(f"Abschnitt {s}"), "fields": fields}],
                      "rules": [{"field": f"s{s}f1", "op": "ne", "other": f"s{s}f0", "message": lang("verschieden")}]
                      if KINDS[(s + 1) % 10] == KINDS[s % 10] else []})
        posts[f"schritt{s}"] = post
    return {"schema_version": 1, "title": lang("Benchmark-Formular"), "codelists": {"werte": codelist},
            "steps": steps}, posts


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["AMTSWEG_VAR_DIR"] = tmp
        os.environ["LOG_LEVEL"] = "WARNING"
        os.environ["AXES_ENABLED"] = "0"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django.contrib.auth.models import AnonymousUser
        from django.core.management import call_command
        from django.http import QueryDict
        from django.template.loader import render_to_string
        from django.test import Client, RequestFactory

        from amtsweg.assistants import forms
        from amtsweg.assistants.definition import text
        from amtsweg.assistants.engine import validate_step
        from amtsweg.assistants.models import FormDefinition
        from amtsweg.assistants.presentation import StepView
        from amtsweg.geo.models import Land, Municipality, PostcodeArea

        call_command("migrate", interactive=False, verbosity=0)
        definition, posts = build_definition()
        form = FormDefinition.objects.create(slug="benchmark", title="Benchmark", leika_key="99102013000000")
        version = forms.publish(forms.add_version(form, definition))
        spec = version.spec
        land = Land.objects.create(code="10", name="Saarland")
        town = Municipality.objects.create(ars="100410100100", ags="10041100", name="Saarbrücken", land=land)
        PostcodeArea.objects.create(postcode="66111", ags="10041100", place_name="Saarbrücken", municipality=town)

        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        answers: dict = {}
        render_ms, validate_ms = [], []
        for round_ in range(ROUNDS + 1):
            for step in spec.steps:
                post = QueryDict(mutable=True)
                for key, value in posts[step["id"]].items():
                    post.setlist(key, value if isinstance(value, list) else [value])
                started = time.perf_counter()
                result = validate_step(spec, step["id"], post, {}, answers)
                validated = time.perf_counter()
                view = StepView(spec, step, answers=answers)
                render_to_string("assistants/step.html", {
                    "title": spec.title(), "step_title": text(step["title"]), "view": view, "action_url": "/",
                    "step_number": 2, "step_count": 12}, request=request)
                rendered = time.perf_counter()
                assert result.is_valid, result.errors
                answers.update(result.cleaned)
                if round_:  # the first round warms up templates and translations
                    validate_ms.append((validated - started) * 1000)
                    render_ms.append((rendered - validated) * 1000)

        step_ms = []
        for round_ in range(ROUNDS + 1):
            client = Client()
            place = client.post("/antrag/benchmark/")["Location"]
            url = client.post(place, {"postcode": "66111", "action": "next"})["Location"]
            for step in spec.steps:
                started = time.perf_counter()
                page = client.get(url)
                response = client.post(url, posts[step["id"]])
                elapsed = (time.perf_counter() - started) * 1000
                if page.status_code != 200 or response.status_code != 302:
                    raise SystemExit(f"{url}: HTTP {page.status_code}/{response.status_code}")
                url = response["Location"]
                if round_:
                    step_ms.append(elapsed)
        fields = sum(len(fs["fields"]) for s in spec.steps for fs in s["fieldsets"])
        print(f"form_fields: {fields}")
        print(f"form_steps: {len(spec.steps)}")
        print(f"form_render_p50_ms: {statistics.median(render_ms):.2f}")
        print(f"form_render_p95_ms: {pct(render_ms, 0.95):.2f}")
        print(f"form_validate_p50_ms: {statistics.median(validate_ms):.2f}")
        print(f"form_validate_p95_ms: {pct(validate_ms, 0.95):.2f}")
        print(f"form_step_p50_ms: {statistics.median(step_ms):.2f}")
        print(f"form_step_p95_ms: {pct(step_ms, 0.95):.2f}")


if __name__ == "__main__":
    main()
