"""View models for the assistant templates: which inputs to render, with values, hints and errors.

Kept apart from the views so the benchmark and the staff preview render exactly what citizens see.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .definition import FormSpec, condition_fields, text
from .engine.conditions import is_visible
from .engine.step import ADDRESS_PARTS, StepResult, input_name
from .engine.validators import ADDRESS_MAX_LENGTH, format_cents, format_number, max_length

RADIO_LIMIT = 6
SEARCH_HINT_LIMIT = 20  # a native select jumps to the typed letters; long lists say so
AUTOCOMPLETE = {"email": "email", "phone": "tel"}


def _input_value(fld: dict, value: Any) -> str:
    """A stored value as the citizen would type it."""
    if value in (None, ""):
        return ""
    kind = fld["type"]
    if kind == "date":
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if kind == "amount":
        return format_cents(value).removesuffix(" €")
    if kind == "number":
        return format_number(value)
    if kind == "iban":
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    if kind == "yesno":
        return "ja" if value else "nein"
    return str(value)


def _describe_condition(spec: FormSpec, condition: dict, language: str) -> str:
    if "field" in condition and ("equals" in condition or "in" in condition) and condition["field"] in spec.fields:
        fld = spec.fields[condition["field"]].field
        values = condition.get("in", [condition.get("equals")])
        shown = []
        for value in values:
            if fld["type"] == "yesno":
                shown.append(_("Ja") if value else _("Nein"))
            elif fld["type"] in {"choice", "multichoice"}:
                labels = {c["code"]: text(c["label"], language) for c in spec.codelist(fld["codelist"])}
                shown.append(labels.get(value, str(value)))
            else:
                shown.append(str(value))
        return _("Nur ausfüllen, wenn bei „%(label)s“ %(value)s gewählt ist.") % {
            "label": text(fld["label"], language), "value": " / ".join(f"„{s}“" for s in shown)}
    return _("Nur ausfüllen, wenn es auf Sie zutrifft.")


def _for_entry(condition: dict, own: set[str], entry: int) -> dict:
    """The condition with the fields of a repeatable fieldset named by their inputs in one entry."""
    if "field" in condition:
        return {**condition, "field": input_name(condition["field"], entry)} if condition["field"] in own \
            else condition
    if "not" in condition:
        return {"not": _for_entry(condition["not"], own, entry)}
    key = "all" if "all" in condition else "any"
    return {key: [_for_entry(c, own, entry) for c in condition[key]]}


class StepView:
    """Everything the step template needs for one step."""

    def __init__(self, spec: FormSpec, step: dict, *, answers: dict[str, Any], posted: Any = None,
                 result: StepResult | None = None, language: str = "de", prefill: dict[str, Any] | None = None,
                 extra_slots: dict[str, int] | None = None):
        self.spec, self.step, self.language = spec, step, language
        self.answers, self.posted, self.result = answers, posted, result
        self.prefill = prefill or {}
        self.extra_slots = extra_slots or {}
        self.own_ids = {f["id"] for fs in step["fieldsets"] for f in fs["fields"]}
        self.has_file = any(f["type"] == "file" for fs in step["fieldsets"] for f in fs["fields"])
        with translation.override(language):
            self.fieldsets = self._fieldsets()
        self.error_summary = [{"href": f"#f-{e.input_name}", "message": e.message}
                              for e in (result.errors if result else [])]

    # -- values ----------------------------------------------------------------------------------
    def _raw(self, name: str) -> str:
        if self.posted is not None:
            values = self.posted.getlist(name) if hasattr(self.posted, "getlist") else [self.posted.get(name, "")]
            return values[0] if values else ""
        return ""

    def _stored(self, fld: dict, entry: int | None = None) -> Any:
        if entry is not None:
            values = self.answers.get(fld["id"])
            return values[entry] if isinstance(values, list) and entry < len(values) else None
        if fld["id"] in self.answers:
            return self.answers[fld["id"]]
        return self.prefill.get(fld["id"])

    def _errors(self, name: str) -> list[str]:
        return self.result.errors_for(name) if self.result else []

    def _input(self, fld: dict, name: str, value: str, label: str | None = None, **extra) -> dict:
        errors = self._errors(name)
        html_id = f"f-{name}"
        help_text = extra.pop("help", None)
        described = []
        if help_text:
            described.append(f"{html_id}-hint")
        if errors:
            described.append(f"{html_id}-error")
        return {"name": name, "id": html_id, "value": value, "errors": errors, "help": help_text,
                "describedby": " ".join(described), "label": label, **extra}

    # -- structure -------------------------------------------------------------------------------
    def _condition_attrs(self, condition: dict | None) -> tuple[bool, str, str]:
        """(render?, hint, JSON for the script) — conditions on earlier steps are decided here; conditions on
        fields of this step are shown as a hint (and toggled by JavaScript where available)."""
        if not condition:
            return True, "", ""
        from .definition import _condition_fields

        if not set(_condition_fields(condition)) & self.own_ids:
            context = {k: v for k, v in self.answers.items() if k not in self.own_ids}
            return is_visible(condition, context), "", ""
        return True, _describe_condition(self.spec, condition, self.language), json.dumps(condition)

    def _fieldsets(self) -> list[dict]:
        result = []
        for fieldset in self.step["fieldsets"]:
            render, hint, cond = self._condition_attrs(fieldset.get("visible_if"))
            if not render:
                continue
            view = {"id": fieldset["id"], "legend": text(fieldset.get("legend"), self.language),
                    "help": text(fieldset.get("help"), self.language), "condition_hint": hint, "condition": cond}
            if fieldset.get("repeat"):
                result.append({**view, **self._entries(fieldset)})
                continue
            fields = []
            for fld in fieldset["fields"]:
                f_render, f_hint, f_cond = self._condition_attrs(fld.get("visible_if"))
                if f_render:
                    fields.append(self._field(fld, f_hint, f_cond))
            if fields:
                result.append({**view, "fields": fields})
        return result

    def _entry_count(self, fieldset: dict) -> int:
        """How many entries to show: those stored or typed, at least the minimum (and one), plus one if asked."""
        repeat = fieldset["repeat"]
        from .engine.step import entry_filled

        if self.posted is not None:
            try:
                count = int(self._raw(f"{fieldset['id']}-count") or 0)
            except ValueError:
                count = 0
            filled = [i for i in range(repeat["max"]) if entry_filled(fieldset, self.posted, None, self.answers, i)]
            count = max(count, filled[-1] + 1 if filled else 0)
        else:
            count = max((len(v) for f in fieldset["fields"] if isinstance(v := self.answers.get(f["id"]), list)),
                        default=0)
        count = max(count, repeat.get("min", 0), 1) + self.extra_slots.get(f"fieldset:{fieldset['id']}", 0)
        return min(count, repeat["max"])

    def _entries(self, fieldset: dict) -> dict:
        """A repeatable fieldset: one numbered group of inputs per entry, with add and remove buttons."""
        repeat, legend = fieldset["repeat"], text(fieldset.get("legend"), self.language)
        count = self._entry_count(fieldset)
        entries = []
        own = {f["id"] for f in fieldset["fields"]}
        for entry in range(count):
            fields = []
            for fld in fieldset["fields"]:
                condition = fld.get("visible_if")
                if condition and set(condition_fields(condition)) & own:
                    # decided per entry: the script reads this entry's inputs (`field-<n>`), the hint says when
                    f_render, f_hint = True, _describe_condition(self.spec, condition, self.language)
                    f_cond = json.dumps(_for_entry(condition, own, entry))
                else:
                    f_render, f_hint, f_cond = self._condition_attrs(condition)
                if f_render:
                    fields.append(self._field(fld, f_hint, f_cond, entry=entry))
            entries.append({"index": entry, "number": entry + 1, "fields": fields,
                            "legend": _("%(legend)s – Eintrag %(n)d") % {"legend": legend or _("Eintrag"),
                                                                         "n": entry + 1},
                            "removable": count > max(repeat.get("min", 0), 1)})
            entries[-1]["remove_label"] = _("%(entry)s entfernen") % {"entry": entries[-1]["legend"]}
        limits = _("Bis zu %(max)d Einträge.") % {"max": repeat["max"]}
        if repeat.get("min", 0) > 0:
            limits = _("Mindestens %(min)d, höchstens %(max)d Einträge.") % {"min": repeat["min"],
                                                                             "max": repeat["max"]}
        return {"entries": entries, "count": count, "can_add": count < repeat["max"], "limits": limits,
                "add_label": _("Weiteren Eintrag zu „%(legend)s“ hinzufügen") % {"legend": legend or _("Eintrag")}}

    def _field(self, fld: dict, condition_hint: str, condition: str, entry: int | None = None) -> dict:
        """One field's inputs; with `entry`, its inputs in that entry of a repeatable fieldset."""
        lang = self.language
        view: dict[str, Any] = {
            "id": fld["id"], "type": fld["type"], "label": text(fld["label"], lang),
            "help": text(fld.get("help"), lang), "required": fld.get("required", False),
            "condition_hint": condition_hint, "condition": condition, "autocomplete": fld.get("autocomplete", ""),
        }
        help_parts = [p for p in (view["help"], condition_hint) if p]
        help_text = " ".join(help_parts) or None
        kind, stored = fld["type"], self._stored(fld, entry)
        if entry is not None:
            view["entry"] = entry
        if kind == "note":
            return view
        if kind in {"choice", "multichoice", "yesno"}:
            name = input_name(fld["id"], entry)
            if kind == "yesno":
                options = [("ja", _("Ja")), ("nein", _("Nein"))]
            else:
                options = [(c["code"], text(c["label"], lang)) for c in self.spec.codelist(fld["codelist"])]
            if self.posted is not None:
                chosen = set(self.posted.getlist(name)) if hasattr(self.posted, "getlist") else {self._raw(name)}
            elif kind == "multichoice":
                chosen = set(stored or [])
            else:
                chosen = {_input_value(fld, stored)} if kind == "yesno" else {stored}
            if kind == "choice" and len(options) > SEARCH_HINT_LIMIT:  # e.g. the 200 states of a code list
                help_text = " ".join(p for p in (help_text, _("Tippen Sie die Anfangsbuchstaben, um in der Liste "
                                                              "zu springen.")) if p)
            view["group"] = self._input(fld, name, "", help=help_text)
            view["widget"] = "select" if kind == "choice" and len(options) > RADIO_LIMIT else (
                "checkbox" if kind == "multichoice" else "radio")
            view["options"] = [{"value": code, "label": label, "checked": code in chosen,
                                "id": f"f-{name}-{i}"} for i, (code, label) in enumerate(options)]
            view["first_id"] = view["options"][0]["id"] if view["widget"] != "select" else f"f-{name}"
            return view
        if kind == "file":
            name = input_name(fld["id"], entry)
            accept = fld.get("validation", {}).get("accept", ["pdf", "png", "jpeg"])
            size = fld.get("validation", {}).get("max_size", 5 * 1024 * 1024)
            limits = _("Erlaubt: %(types)s, höchstens %(size)d MB.") % {
                "types": ", ".join(a.upper() for a in accept), "size": max(1, size // (1024 * 1024))}
            view["input"] = self._input(fld, name, "", help=" ".join(p for p in (help_text, limits) if p))
            view["accept"] = ",".join({"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}[a]
                                      for a in accept)
            view["existing"] = stored if isinstance(stored, dict) else None
            return view
        if kind == "iban" and fld.get("sepa_mandate"):
            view["sepa_mandate"] = True
        repeat = fld.get("repeat") if entry is None else None
        if kind == "address":
            values = stored if isinstance(stored, list) else ([stored] if stored else [])
        else:
            values = stored if isinstance(stored, list) else ([stored] if stored not in (None, "") else [])
        if repeat:
            wanted = max(len(values) + (1 if self.posted is None else 0), repeat.get("min", 0), 1)
            if self.posted is not None:
                filled = [i for i in range(repeat["max"]) if any(
                    self._raw(k) for k in ([input_name(fld["id"], i)] if kind != "address"
                                           else [input_name(fld["id"], i, p) for p in ADDRESS_PARTS]))]
                wanted = max(wanted, (max(filled) + 1) if filled else 1)
            wanted = min(repeat["max"], wanted + self.extra_slots.get(fld["id"], 0))
            slots: list[int | None] = list(range(wanted))
            view["can_add"] = wanted < repeat["max"]
            view["repeat_max"] = repeat["max"]
        else:
            slots = [entry]
        format_hint = {"date": _("Format: TT.MM.JJJJ, z. B. 24.12.1990"), "amount": _("Betrag in Euro, z. B. 12,50"),
                       "iban": _("z. B. DE02 1203 0000 0000 2020 51")}.get(kind)
        help_text = " ".join(p for p in (help_text, format_hint) if p) or None
        items = []
        for position, index in enumerate(slots):
            stored_value = values[position] if position < len(values) else None
            number_label = None
            if repeat:
                number_label = _("%(label)s, Angabe %(n)d") % {"label": view["label"], "n": position + 1}
            if kind == "address":
                parts = []
                labels = {"street": _("Straße"), "house_number": _("Hausnummer"), "postcode": _("Postleitzahl"),
                          "place": _("Ort")}
                autocompletes = {"street": "address-line1", "house_number": "", "postcode": "postal-code",
                                 "place": "address-level2"}
                for part in ADDRESS_PARTS:
                    name = input_name(fld["id"], index, part)
                    value = self._raw(name) if self.posted is not None else (stored_value or {}).get(part, "")
                    parts.append(self._input(fld, name, value, labels[part], autocomplete=autocompletes[part],
                                             part=part, maxlength=ADDRESS_MAX_LENGTH[part]))
                items.append({"legend": number_label, "parts": parts, "id": f"f-{input_name(fld['id'], index)}-group"})
                continue
            name = input_name(fld["id"], index)
            value = self._raw(name) if self.posted is not None else _input_value(fld, stored_value)
            items.append(self._input(fld, name, value, number_label, help=help_text if position == 0 else None))
        view["items"] = items
        view["help_text"] = help_text
        view["maxlength"] = max_length(fld)  # the same limit the server enforces
        view["input_type"] = {"email": "email", "phone": "tel"}.get(kind, "text")
        view["inputmode"] = {"number": "decimal", "amount": "decimal", "date": "numeric"}.get(kind, "")
        view["autocomplete"] = fld.get("autocomplete") or AUTOCOMPLETE.get(kind, "")
        return view
