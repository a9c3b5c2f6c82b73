"""Form definitions as data: schema validation, semantic checks and a read-only index for the engine.

A definition is plain JSON (see `schema/form-definition.schema.json`). The JSON Schema checks the shape;
`check_definition` adds what a schema cannot say: ids unique across the form, conditions and rules that
point to existing fields, code lists that exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).parent / "schema" / "form-definition.schema.json"
INPUT_TYPES = {"text", "textarea", "number", "amount", "date", "yesno", "choice", "multichoice", "email", "phone",
               "iban", "address", "file"}


class DefinitionError(ValueError):
    """The definition is not valid; `problems` lists each problem with its JSON path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@cache
def definition_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = definition_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _path(error: jsonschema.ValidationError) -> str:
    return "/" + "/".join(str(p) for p in error.absolute_path)


def _condition_fields(condition: dict) -> list[str]:
    if "field" in condition:
        return [condition["field"]]
    if "not" in condition:
        return _condition_fields(condition["not"])
    return [name for sub in condition.get("all", condition.get("any", [])) for name in _condition_fields(sub)]


def condition_fields(condition: dict) -> list[str]:
    """The ids of the fields a condition reads."""
    return _condition_fields(condition)


def check_definition(definition: Any) -> None:
    """Raise DefinitionError with every problem found (schema first, then cross references)."""
    if not isinstance(definition, dict):
        raise DefinitionError(["/: Die Definition muss ein JSON-Objekt sein."])
    errors = sorted(_validator().iter_errors(definition), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise DefinitionError([f"{_path(e)}: {e.message}" for e in errors[:20]])
    problems: list[str] = []
    seen: dict[str, str] = {}
    codelists = definition.get("codelists", {})
    for code_name, entries in codelists.items():
        codes = [e["code"] for e in entries]
        if len(codes) != len(set(codes)):
            problems.append(f"/codelists/{code_name}: Codes sind nicht eindeutig.")
    for s, step in enumerate(definition["steps"]):
        for kind, ident, where in [("step", step["id"], f"/steps/{s}")] + [
            ("fieldset", fs["id"], f"/steps/{s}/fieldsets/{f}") for f, fs in enumerate(step["fieldsets"])
        ]:
            key = f"{kind}:{ident}"
            if key in seen:
                problems.append(f"{where}/id: „{ident}“ kommt doppelt vor (zuerst in {seen[key]}).")
            seen[key] = where
        for f, fieldset in enumerate(step["fieldsets"]):
            for i, fld in enumerate(fieldset["fields"]):
                where = f"/steps/{s}/fieldsets/{f}/fields/{i}"
                key = f"field:{fld['id']}"
                if key in seen:
                    problems.append(f"{where}/id: Feld „{fld['id']}“ kommt doppelt vor (zuerst in {seen[key]}).")
                seen[key] = where
                if fld.get("codelist") and fld["codelist"] not in codelists:
                    problems.append(f"{where}/codelist: Codeliste „{fld['codelist']}“ fehlt unter /codelists.")
    field_ids = {k.split(":", 1)[1] for k in seen if k.startswith("field:")}
    in_entries: set[str] = set()  # fields of repeatable fieldsets: one value per entry
    for s, step in enumerate(definition["steps"]):
        for f, fieldset in enumerate(step["fieldsets"]):
            if not fieldset.get("repeat"):
                continue
            if fieldset["repeat"].get("min", 0) > fieldset["repeat"]["max"]:
                problems.append(f"/steps/{s}/fieldsets/{f}/repeat: min ist größer als max.")
            for i, fld in enumerate(fieldset["fields"]):
                in_entries.add(fld["id"])
                if fld.get("repeat"):
                    problems.append(f"/steps/{s}/fieldsets/{f}/fields/{i}/repeat: Ein Feld in einem wiederholbaren "
                                    "Abschnitt kann nicht selbst wiederholt werden.")
    for s, step in enumerate(definition["steps"]):
        conds = [(f"/steps/{s}/visible_if", step.get("visible_if"), set())]
        for f, fieldset in enumerate(step["fieldsets"]):
            conds.append((f"/steps/{s}/fieldsets/{f}/visible_if", fieldset.get("visible_if"), set()))
            # a field of an entry may depend on an earlier field of the same entry (evaluated per entry)
            earlier: set[str] = set()
            for i, fld in enumerate(fieldset["fields"]):
                conds.append((f"/steps/{s}/fieldsets/{f}/fields/{i}/visible_if", fld.get("visible_if"),
                              set(earlier) if fieldset.get("repeat") else set()))
                earlier.add(fld["id"])
        for where, cond, same_entry in conds:
            for name in _condition_fields(cond) if cond else []:
                if name not in field_ids:
                    problems.append(f"{where}: Bedingung verweist auf unbekanntes Feld „{name}“.")
                elif name in in_entries and name not in same_entry:
                    problems.append(f"{where}: Bedingung verweist auf „{name}“ in einem wiederholbaren Abschnitt "
                                    "(erlaubt nur: ein früheres Feld desselben Eintrags).")
        step_fields = {fld["id"] for fs in step["fieldsets"] for fld in fs["fields"]}
        for r, rule in enumerate(step.get("rules", [])):
            for key in ("field", "other"):
                if rule[key] not in field_ids:
                    problems.append(f"/steps/{s}/rules/{r}/{key}: unbekanntes Feld „{rule[key]}“.")
            if rule["field"] in field_ids and rule["field"] not in step_fields:
                problems.append(f"/steps/{s}/rules/{r}/field: „{rule['field']}“ gehört nicht zu diesem Schritt.")
    if problems:
        raise DefinitionError(problems)


def text(value: dict | None, language: str = "de") -> str:
    """The text in the requested language, German as fallback."""
    if not value:
        return ""
    return value.get(language) or value.get("de", "")


@dataclass(frozen=True)
class FieldRef:
    field: dict
    fieldset: dict
    step: dict


@dataclass
class FormSpec:
    """An index over a (valid) definition, built once per version and shared by the engine and the views."""

    definition: dict
    steps: list[dict] = field(init=False)
    fields: dict[str, FieldRef] = field(init=False)

    def __post_init__(self) -> None:
        self.steps = self.definition["steps"]
        self.fields = {}
        for step in self.steps:
            for fieldset in step["fieldsets"]:
                for fld in fieldset["fields"]:
                    self.fields[fld["id"]] = FieldRef(fld, fieldset, step)

    def step(self, step_id: str) -> dict:
        for step in self.steps:
            if step["id"] == step_id:
                return step
        raise KeyError(step_id)

    def codelist(self, name: str) -> list[dict]:
        return self.definition.get("codelists", {}).get(name, [])

    def title(self, language: str = "de") -> str:
        return text(self.definition["title"], language)
