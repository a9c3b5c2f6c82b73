"""Conditional visibility ("show B only if A = yes") over the answers given so far."""

from __future__ import annotations

from typing import Any

from ..definition import FormSpec, condition_fields


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def is_visible(condition: dict | None, answers: dict[str, Any]) -> bool:
    if not condition:
        return True
    if "all" in condition:
        return all(is_visible(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(is_visible(c, answers) for c in condition["any"])
    if "not" in condition:
        return not is_visible(condition["not"], answers)
    value = answers.get(condition["field"])
    if "equals" in condition:
        return _filled(value) and value == condition["equals"]
    if "not_equals" in condition:
        return _filled(value) and value != condition["not_equals"]
    if "in" in condition:
        return _filled(value) and value in condition["in"]
    if "contains" in condition:
        return isinstance(value, list) and condition["contains"] in value
    if "filled" in condition:
        return _filled(value) == condition["filled"]
    return True


def visible_fields(spec: FormSpec, step: dict, answers: dict[str, Any]) -> list[dict]:
    """The fields of `step` shown for these answers, in order; a field hidden by its condition hides nothing
    else by itself, but a condition on a hidden field is evaluated as if that field were empty."""
    context = dict(answers)
    shown: list[dict] = []
    if not is_visible(step.get("visible_if"), context):
        return shown
    for fieldset in step["fieldsets"]:
        fieldset_visible = is_visible(fieldset.get("visible_if"), context)
        own = {f["id"] for f in fieldset["fields"]} if fieldset.get("repeat") else set()
        for fld in fieldset["fields"]:
            condition = fld.get("visible_if")
            if own and condition and set(condition_fields(condition)) & own:
                condition = None  # decided per entry (validate_step stores None where it does not apply)
            if fieldset_visible and is_visible(condition, context):
                shown.append(fld)
            else:
                context.pop(fld["id"], None)
    return shown


def visible_steps(spec: FormSpec, answers: dict[str, Any]) -> list[dict]:
    """Steps that apply to these answers (a step whose condition fails is skipped entirely)."""
    pruned = prune_answers(spec, answers)
    return [s for s in spec.steps if is_visible(s.get("visible_if"), pruned)]


def prune_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers of fields that are hidden for the remaining answers (hidden data is never kept)."""
    kept = dict(answers)
    for step in spec.steps:
        visible = {f["id"] for f in visible_fields(spec, step, kept)}
        for fieldset in step["fieldsets"]:
            for fld in fieldset["fields"]:
                if fld["id"] not in visible:
                    kept.pop(fld["id"], None)
    return {k: v for k, v in kept.items() if k in spec.fields}
