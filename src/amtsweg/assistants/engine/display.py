"""Human-readable values for the summary page and the PDF receipt."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ..definition import FormSpec, text
from .conditions import visible_fields, visible_steps
from .validators import format_cents, format_number


def format_value(spec: FormSpec, fld: dict, value: Any, language: str = "de") -> str:
    if value in (None, "", []):
        return "–"
    if isinstance(value, list) and fld["type"] != "multichoice":
        return "; ".join(format_value(spec, {**fld, "repeat": None}, item, language) for item in value)
    kind = fld["type"]
    with translation.override(language):
        if kind == "date":
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        if kind == "amount":
            return format_cents(value)
        if kind == "number":
            return format_number(value)
        if kind == "yesno":
            return _("Ja") if value else _("Nein")
        if kind in {"choice", "multichoice"}:
            labels = {c["code"]: text(c["label"], language) for c in spec.codelist(fld["codelist"])}
            codes = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(code, code) for code in codes)
        if kind == "iban":
            return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
        if kind == "address":
            return f"{value['street']} {value['house_number']}, {value['postcode']} {value['place']}"
        if kind == "file":
            return f"{value['filename']} ({max(1, value['size'] // 1024)} KB)"
    return str(value)


def summary_sections(spec: FormSpec, answers: dict[str, Any], language: str = "de") -> list[dict]:
    """[{step_id, title, rows: [{label, value}]}] for every visible step, fields in order."""
    sections = []
    for step in visible_steps(spec, answers):
        shown = {f["id"] for f in visible_fields(spec, step, answers) if f["type"] != "note"}
        rows = []
        for fieldset in step["fieldsets"]:
            fields = [f for f in fieldset["fields"] if f["id"] in shown]
            if not fieldset.get("repeat"):
                rows += [{"field_id": f["id"], "label": text(f["label"], language),
                          "value": format_value(spec, f, answers.get(f["id"]), language)} for f in fields]
                continue
            # a repeatable fieldset: the fields of each entry together, numbered
            legend = text(fieldset.get("legend"), language)
            count = max((len(v) for f in fields if isinstance(v := answers.get(f["id"]), list)), default=0)
            for entry in range(count):
                for f in fields:
                    values = answers.get(f["id"]) or []
                    with translation.override(language):
                        label = _("%(legend)s %(n)d: %(label)s") % {"legend": legend, "n": entry + 1,
                                                                    "label": text(f["label"], language)}
                    rows.append({"field_id": f["id"], "label": label, "entry": entry,
                                 "value": format_value(spec, f, values[entry] if entry < len(values) else None,
                                                       language)})
        sections.append({"step_id": step["id"], "title": text(step["title"], language), "rows": rows})
    return sections
