"""Validate one step's submitted data given the definition and all answers so far.

Input names follow one scheme shared with the templates: `field`, `field-<i>` for repeated values,
`field-street` (and `field-<i>-street`) for the parts of an address. Errors are keyed by the input
name so that the error summary can link to the exact input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..definition import FormSpec, text
from . import validators as v
from .conditions import is_visible

ADDRESS_PARTS = ("street", "house_number", "postcode", "place")


@dataclass(frozen=True)
class PendingUpload:
    """A checked upload not yet stored; the service encrypts it into the draft and keeps only a reference."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class FieldError:
    field_id: str
    input_name: str
    message: str


@dataclass
class StepResult:
    cleaned: dict[str, Any]
    errors: list[FieldError]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def errors_for(self, input_name: str) -> list[str]:
        return [e.message for e in self.errors if e.input_name == input_name]


def input_name(field_id: str, index: int | None = None, part: str | None = None) -> str:
    name = field_id if index is None else f"{field_id}-{index}"
    return name if part is None else f"{name}-{part}"


def _values(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(x) for x in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    return [str(x) for x in value] if isinstance(value, (list, tuple)) else [str(value)]


def _value(data: Any, name: str) -> str:
    values = _values(data, name)
    return values[0].strip() if values else ""


def _required_message(fld: dict, language: str) -> str:
    label = text(fld["label"], language)
    kind = fld["type"]
    if kind in {"choice", "multichoice"}:
        return _("Bitte wählen Sie bei „%(label)s“ etwas aus.") % {"label": label}
    if kind == "yesno":
        return _("Bitte beantworten Sie die Frage „%(label)s“ mit Ja oder Nein.") % {"label": label}
    if kind == "file":
        return _("Bitte laden Sie eine Datei für „%(label)s“ hoch.") % {"label": label}
    return _("Bitte füllen Sie das Feld „%(label)s“ aus.") % {"label": label}


def _parse_scalar(spec: FormSpec, fld: dict, raw: str, today: date) -> Any:
    kind, rules = fld["type"], fld.get("validation", {})
    limit = v.max_length(fld)
    if kind in {"text", "textarea"}:
        # Browsers count a line break in a textarea's maxlength once but send it as CRLF.
        value = raw.replace("\r\n", "\n") if kind == "textarea" else " ".join(raw.split())
        return v.check_text(value, {**rules, "max_length": limit})
    v.check_length(raw, limit)  # before any parsing
    if kind == "number":
        return v.parse_number(raw, rules)
    if kind == "amount":
        return v.parse_amount(raw, rules)
    if kind == "date":
        day = v.parse_date(raw)
        v.check_date_bounds(day, rules, today)
        return day.isoformat()
    if kind == "yesno":
        if raw not in {"ja", "nein"}:
            raise v.Invalid(_("Bitte wählen Sie Ja oder Nein."))
        return raw == "ja"
    if kind == "choice":
        codes = {c["code"] for c in spec.codelist(fld["codelist"])}
        if raw not in codes:
            raise v.Invalid(_("Bitte wählen Sie einen der angebotenen Einträge."))
        return raw
    if kind == "email":
        return v.check_text(v.parse_email(raw), rules)
    if kind == "phone":
        return v.parse_phone(raw)
    if kind == "iban":
        return v.parse_iban(raw)
    raise AssertionError(f"not a scalar type: {kind}")


def _validate_address(fld: dict, data: Any, base: str, required: bool, errors: list[FieldError]) -> dict | None:
    raw = {part: " ".join(_value(data, input_name(base, part=part)).split()) for part in ADDRESS_PARTS}
    if not any(raw.values()):
        if required:
            errors.append(FieldError(fld["id"], input_name(base, part="street"),
                                     _("Bitte geben Sie die Anschrift an (Straße, Hausnummer, Postleitzahl, Ort).")))
        return None
    missing = {
        "street": _("Bitte geben Sie die Straße an."),
        "house_number": _("Bitte geben Sie die Hausnummer an."),
        "postcode": _("Bitte geben Sie die Postleitzahl an."),
        "place": _("Bitte geben Sie den Ort an."),
    }
    cleaned: dict[str, str] = {}
    for part in ADDRESS_PARTS:
        name = input_name(base, part=part)
        if not raw[part]:
            errors.append(FieldError(fld["id"], name, missing[part]))
            continue
        try:
            v.check_length(raw[part], v.ADDRESS_MAX_LENGTH[part])
            if part == "postcode":
                cleaned[part] = v.parse_postcode(raw[part])
            elif part == "house_number":
                cleaned[part] = v.parse_house_number(raw[part])
            else:
                cleaned[part] = raw[part]
        except v.Invalid as exc:
            errors.append(FieldError(fld["id"], name, exc.message))
    return cleaned if len(cleaned) == len(ADDRESS_PARTS) else None


def _validate_file(fld: dict, files: Any, previous: Any, errors: list[FieldError], name: str) -> Any:
    upload = files.get(name) if files else None
    rules = fld.get("validation", {})
    if upload is None or not getattr(upload, "name", ""):
        return previous  # keep the file uploaded earlier, if any
    max_size = rules.get("max_size", v.DEFAULT_MAX_UPLOAD)
    size = getattr(upload, "size", None)
    content = b"" if size is not None and size > max_size else upload.read(max_size + 1)
    try:
        if size is not None and size > max_size:
            raise v.Invalid(_("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(max)s.")
                            % {"size": v.format_size(size), "max": v.format_size(max_size)})
        content_type = v.check_upload(content, rules)
    except v.Invalid as exc:
        errors.append(FieldError(fld["id"], name, exc.message))
        return None
    filename = os.path.basename(upload.name.replace("\\", "/"))[:120] or "datei"
    return PendingUpload(filename=filename, content_type=content_type, content=content)


def _validate_field(spec: FormSpec, fld: dict, data: Any, files: Any, answers: dict, today: date,
                    language: str, errors: list[FieldError], entry: int | None = None) -> Any:
    """One field's value; with `entry`, the field's value in that entry of a repeatable fieldset."""
    kind, required = fld["type"], fld.get("required", False)
    rules = fld.get("validation", {})
    base = input_name(fld["id"], entry)
    if kind == "file":
        previous = answers.get(fld["id"])
        if entry is not None:
            previous = previous[entry] if isinstance(previous, list) and entry < len(previous) else None
        value = _validate_file(fld, files, previous, errors, base)
        if value is None and required and not any(e.input_name == base for e in errors):
            errors.append(FieldError(fld["id"], base, _required_message(fld, language)))
        return value
    if kind == "multichoice":
        codes = {c["code"] for c in spec.codelist(fld["codelist"])}
        chosen = [x for x in _values(data, base) if x]
        name = base
        if any(x not in codes for x in chosen):
            errors.append(FieldError(fld["id"], name, _("Bitte wählen Sie nur angebotene Einträge.")))
            return None
        chosen = [c["code"] for c in spec.codelist(fld["codelist"]) if c["code"] in chosen]
        if not chosen:
            if required:
                errors.append(FieldError(fld["id"], name, _required_message(fld, language)))
            return None
        if len(chosen) < rules.get("min_items", 0):
            errors.append(FieldError(fld["id"], name, _("Bitte wählen Sie mindestens %(n)d Einträge.")
                                     % {"n": rules["min_items"]}))
        if "max_items" in rules and len(chosen) > rules["max_items"]:
            errors.append(FieldError(fld["id"], name, _("Bitte wählen Sie höchstens %(n)d Einträge.")
                                     % {"n": rules["max_items"]}))
        return chosen
    repeat = fld.get("repeat") if kind not in {"yesno", "choice"} and entry is None else None
    slots = [entry] if repeat is None else list(range(repeat["max"]))
    values: list[Any] = []
    for index in slots:
        if kind == "address":
            value = _validate_address(fld, data, input_name(fld["id"], index),
                                      required and (repeat is None or index == 0), errors)
            if value is not None:
                values.append(value)
            continue
        name = input_name(fld["id"], index)
        raw = _value(data, name)
        if not raw:
            continue
        try:
            values.append(_parse_scalar(spec, fld, raw, today))
        except v.Invalid as exc:
            errors.append(FieldError(fld["id"], name, exc.message))
    has_error = any(e.field_id == fld["id"] and e.input_name.startswith(base) for e in errors)
    if repeat is None:
        if not values and required and not has_error and kind != "address":
            errors.append(FieldError(fld["id"], base, _required_message(fld, language)))
        return values[0] if values else None
    minimum = max(repeat.get("min", 0), 1 if required else 0)
    if len(values) < minimum and not has_error:
        errors.append(FieldError(fld["id"], input_name(fld["id"], 0), _("Bitte machen Sie mindestens %(n)d Angabe(n) "
                                 "bei „%(label)s“.") % {"n": minimum, "label": text(fld["label"], language)}))
    return values or None


def entry_inputs(fld: dict, entry: int) -> list[str]:
    """The input names of one field in one entry of a repeatable fieldset."""
    base = input_name(fld["id"], entry)
    return [input_name(fld["id"], entry, part) for part in ADDRESS_PARTS] if fld["type"] == "address" else [base]


def entry_filled(fieldset: dict, data: Any, files: Any, answers: dict, entry: int) -> bool:
    """Whether the citizen wrote anything into this entry (or it holds a file uploaded earlier)."""
    for fld in fieldset["fields"]:
        if fld["type"] == "note":
            continue
        if any(x.strip() for name in entry_inputs(fld, entry) for x in _values(data, name)):
            return True
        if fld["type"] == "file":
            upload = files.get(input_name(fld["id"], entry)) if files else None
            previous = answers.get(fld["id"])
            if (upload is not None and getattr(upload, "name", "")) or (
                    isinstance(previous, list) and entry < len(previous) and previous[entry]):
                return True
    return False


def _validate_entries(spec: FormSpec, fieldset: dict, data: Any, files: Any, answers: dict, today: date,
                      language: str, errors: list[FieldError], context: dict) -> dict[str, list]:
    """A repeatable fieldset: every entry with any input is validated like a fieldset of its own.

    The answer of each field is a list with one value per entry (None where an optional field is empty), so
    the values of one entry stay together in the submitted data. Empty entries are dropped.
    """
    repeat = fieldset["repeat"]
    fields = [f for f in fieldset["fields"] if f["type"] != "note"]
    entries = [i for i in range(repeat["max"]) if entry_filled(fieldset, data, files, answers, i)]
    result: dict[str, list] = {f["id"]: [] for f in fields}
    legend = text(fieldset.get("legend"), language) or _("Eintrag")
    for entry in entries:
        before = len(errors)
        entry_context = dict(context)  # conditions see the answers outside and this entry's earlier fields
        for fld in fields:
            if not is_visible(fld.get("visible_if"), entry_context):
                result[fld["id"]].append(None)
                continue
            value = _validate_field(spec, fld, data, files, answers, today, language, errors, entry)
            result[fld["id"]].append(value)
            entry_context[fld["id"]] = value
        # name the entry, so that the error summary says which of several "Datum" fields is meant
        errors[before:] = [FieldError(e.field_id, e.input_name, _("%(legend)s, Eintrag %(n)d: %(message)s") % {
            "legend": legend, "n": entry + 1, "message": e.message}) for e in errors[before:]]
    minimum = repeat.get("min", 0)
    if len(entries) < minimum and fields:
        first = fields[0]
        errors.append(FieldError(first["id"], entry_inputs(first, len(entries))[0],
                                 _("Bitte machen Sie mindestens %(n)d Angabe(n) zu „%(legend)s“.")
                                 % {"n": minimum, "legend": text(fieldset.get("legend"), language)
                                    or text(first["label"], language)}))
    return {fid: values for fid, values in result.items() if entries}


def remove_entry(fieldset: dict, data: Any, answers: dict, entry: int) -> tuple[dict, dict]:
    """(inputs, answers) with one entry of a repeatable fieldset taken out and the later entries moved up.

    Used when the citizen presses "Eintrag entfernen": what was typed into the other entries is kept.
    """
    names = {fld["id"]: fld for fld in fieldset["fields"] if fld["type"] != "note"}
    keys = data.keys() if hasattr(data, "keys") else []
    moved: dict[str, list[str]] = {}
    for key in keys:
        values = _values(data, key)
        owner = next((fid for fid in names if key.startswith(f"{fid}-") and key[len(fid) + 1:].split("-")[0].isdigit()),
                     None)
        if owner is None:
            moved[key] = values
            continue
        index_text, _sep, part = key[len(owner) + 1:].partition("-")
        position = int(index_text)
        if position == entry:
            continue
        new_key = input_name(owner, position - 1 if position > entry else position, part or None)
        moved[new_key] = values
    count_key = f"{fieldset['id']}-count"
    if count_key in moved:
        try:
            moved[count_key] = [str(max(0, int(moved[count_key][0]) - 1))]
        except (ValueError, IndexError):
            moved.pop(count_key)
    kept = dict(answers)
    for fid in names:
        if isinstance(kept.get(fid), list) and entry < len(kept[fid]):
            kept[fid] = kept[fid][:entry] + kept[fid][entry + 1:]
    return moved, kept


def _compare(a: Any, op: str, b: Any) -> bool:
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b, "eq": a == b, "ne": a != b}[op]


def validate_step(spec: FormSpec, step_id: str, data: Any, files: Any = None, answers: dict | None = None, *,
                  language: str = "de", today: date | None = None) -> StepResult:
    """Validate the submitted `data` (QueryDict or dict) of one step.

    `answers` are the cleaned answers of the whole form so far (other steps, and this step's earlier values
    for uploads). Fields hidden by their condition are neither validated nor returned.
    """
    answers = answers or {}
    today = today or timezone.localdate()
    step = spec.step(step_id)
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    with translation.override(language):
        own_ids = {f["id"] for fs in step["fieldsets"] for f in fs["fields"]}
        context = {k: val for k, val in answers.items() if k not in own_ids}
        if not is_visible(step.get("visible_if"), context):
            return StepResult({}, [])
        for fieldset in step["fieldsets"]:
            fieldset_visible = is_visible(fieldset.get("visible_if"), context)
            if fieldset.get("repeat"):
                if fieldset_visible:
                    found = _validate_entries(spec, fieldset, data, files, answers, today, language, errors, context)
                    cleaned.update(found)
                    context.update(found)
                continue
            for fld in fieldset["fields"]:
                if fld["type"] == "note" or not fieldset_visible or not is_visible(fld.get("visible_if"), context):
                    continue
                value = _validate_field(spec, fld, data, files, answers, today, language, errors)
                if value is not None:
                    cleaned[fld["id"]] = value
                    context[fld["id"]] = value
        failed = {e.field_id for e in errors}
        for rule in step.get("rules", []):
            a, b = cleaned.get(rule["field"]), cleaned.get(rule["other"], answers.get(rule["other"]))
            if a is None or b is None or rule["field"] in failed or isinstance(a, (dict, list)):
                continue
            if type(a) is not type(b) and not all(isinstance(x, (int, float)) for x in (a, b)):
                continue
            if not _compare(a, rule["op"], b):
                fld = spec.fields[rule["field"]].field
                name = input_name(fld["id"], 0 if fld.get("repeat") else None)
                errors.append(FieldError(fld["id"], name, text(rule["message"], language)))
    return StepResult(cleaned, errors)
