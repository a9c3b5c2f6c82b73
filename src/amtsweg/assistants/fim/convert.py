"""Turn a parsed XDatenfelder document into a form definition.

Mapping: top-level Datenfeldgruppen → steps (loose top-level Datenfelder are collected into one step),
nested groups → fieldsets (flattened in document order), Datenfelder → fields with their data types,
cardinalities → required/optional/repeatable, code lists → choices where the document carries the values.
Everything that does not map (rules, code lists only referenced, repeatable groups, hidden fields) is kept
under `source` and shown to the form author instead of being silently dropped.
"""

from __future__ import annotations

import re
from typing import Any

from . import codelists, rules
from .parser import FimDocument, FimElement

MAX_REPEAT = 10
# Names of Datenfelder that identify something rather than count it (checked on name and label).
_IDENTIFIER = re.compile(
    r"nummer|\bnr\b|kennzeichen|kennung|kennziffer|\bid\b|identifikation|schlüssel|schluessel|postleitzahl|\bplz\b|"
    r"aktenzeichen|telefon|\biban\b|\bbic\b|steuer-?id|registernummer|\bags\b|\bars\b", re.IGNORECASE)


def _t(value: str) -> dict:
    return {"de": value or "–"}


class _Builder:
    def __init__(self, document: FimDocument):
        self.document = document
        self.used_ids: set[str] = set()
        self.codelists: dict[str, list] = {}
        self.codelist_names: dict[str, str] = {}  # document values or URN+version → name in the definition
        self.codelist_sources: dict[str, dict] = {}
        self.notes: list[str] = []
        self.rules: list[dict] = []
        self.seen_rules: set[str] = set()
        self.records: list[rules.Record] = []  # built fields and groups, for resolving rule texts
        self.occurrences: list[tuple[str, int, int]] = []  # (rule id, records start, records end)
        self.field_order = 0

    def ident(self, raw: str, prefix: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", raw) or prefix
        if not base[0].isalpha():
            base = f"{prefix}{base}"
        base = base[:56]
        candidate, n = base, 2
        while candidate in self.used_ids:
            candidate, n = f"{base}_{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    def keep_rules(self, element: FimElement) -> None:
        for rule in element.rules:
            key = f"{rule.id}:{element.id}"
            if key in self.seen_rules:
                continue
            self.seen_rules.add(key)
            existing = next((r for r in self.rules if r["id"] == rule.id), None)
            if existing:
                existing["applies_to"].append(element.id)
                continue
            self.rules.append({"id": rule.id, "name": rule.name, "text": rule.text or rule.name,
                               "script": rule.script, "applies_to": [element.id]})

    def choices(self, element: FimElement) -> str | None:
        """The name of the definition's code list for a select field, or None (then it stays a text field).

        Values in the document win; otherwise the referenced XRepository list is looked up among the
        shipped genericode files by URN and version (latest shipped version if that one is missing, with a
        note for the author). A list Amtsweg does not ship leaves a text field and an author task.
        """
        cl = element.codelist or {}
        values = cl.get("values") or []
        ref = " ".join(x for x in (cl.get("id"), cl.get("name"), cl.get("uri"), cl.get("version")) if x)
        if values:
            key = f"doc:{cl.get('id') or element.id}:{values!r}"
            if key not in self.codelist_names:
                name = self.ident(f"CL_{cl.get('id') or element.id}", "CL")
                self.codelists[name] = [{"code": code, "label": _t(label)} for code, label in values]
                self.codelist_names[key] = name
            return self.codelist_names[key]
        found, exact = codelists.resolve(cl.get("uri", ""), cl.get("version", "")) if cl.get("uri") else (None, False)
        if found is None:
            self.notes.append(f"{element.id} „{element.label}“: Auswahl aus Codeliste {ref or '(ohne Angabe)'}; "
                              "die Werte sind nicht im Dokument enthalten und die Codeliste ist in Amtsweg nicht "
                              "hinterlegt – als Freitext übernommen, bitte Codeliste ergänzen.")
            return None
        try:
            entries = found.values(cl.get("code_key", ""), cl.get("name_key", ""))
        except codelists.CodeListError as exc:
            self.notes.append(f"{element.id} „{element.label}“: {exc} – als Freitext übernommen.")
            return None
        key = f"xrepo:{found.uri}_{found.version}:{cl.get('code_key', '')}:{cl.get('name_key', '')}"
        if key not in self.codelist_names:
            name = self.ident(f"CL_{found.short_name or cl.get('id') or element.id}", "CL")
            self.codelists[name] = [{"code": code, "label": _t(label)} for code, label in entries]
            self.codelist_names[key] = name
            self.codelist_sources[name] = {"uri": found.uri, "version": found.version, "file": found.source}
        if not exact:
            self.notes.append(f"{element.id} „{element.label}“: Codeliste {found.uri} in Version "
                              f"„{cl.get('version') or '(ohne Angabe)'}“ ist nicht hinterlegt – die neueste "
                              f"hinterlegte Version {found.version} wird angeboten; bitte prüfen, ob die Werte passen.")
        return self.codelist_names[key]

    def field(self, element: FimElement, cardinality: str, optional_context: bool,
              in_entry: bool = False) -> dict | None:
        self.keep_rules(element)
        low, high = cardinality.split(":")
        fid = self.ident(element.id, "F")
        result: dict[str, Any] = {"id": fid, "label": _t(element.label)}
        if element.help:
            result["help"] = _t(element.help)
        validation: dict[str, Any] = {}
        c = element.constraints
        kind = {"text": "text", "text_latin": "text", "date": "date", "bool": "yesno", "num": "number",
                "num_int": "number", "num_currency": "amount", "file": "file", "obj": "file",
                "time": "text", "datetime": "text"}[element.datentyp]
        if element.datentyp in {"num", "num_int"} and _IDENTIFIER.search(f"{element.name} {element.label}"):
            # A number someone reads out (Urkundennummer, Postleitzahl, Steuer-ID) is not a quantity:
            # leading zeros, letters and separators must survive, and nobody sums it up.
            kind = "text"
            self.notes.append(f"{element.id} „{element.label}“: Kennung mit Datentyp {element.datentyp} als Text "
                              "übernommen (führende Nullen bleiben erhalten).")
        elif element.datentyp == "time":
            validation["pattern"] = r"([01]?[0-9]|2[0-3]):[0-5][0-9]"
            validation["pattern_message"] = {"de": "Bitte geben Sie eine Uhrzeit im Format HH:MM ein, z. B. 09:30."}
            validation["max_length"] = 5
            result["help"] = _t(" ".join(p for p in (element.help, "Format: HH:MM, z. B. 09:30") if p))
        elif element.datentyp == "datetime":
            self.notes.append(f"{element.id} „{element.label}“: Datentyp datetime als Text übernommen.")
        if element.feldart == "label":
            result["type"] = "note"
            if element.content:
                result["help"] = _t(element.content)
            result["fim"] = {"id": element.id, "version": element.version, "cardinality": cardinality,
                             "datentyp": element.datentyp, "feldart": element.feldart}
            self.record_field(element, result, in_entry)
            return result
        if element.feldart in {"hidden", "locked"}:
            self.notes.append(f"{element.id} „{element.label}“: Feldart {element.feldart} – nicht im Assistenten "
                              "abgefragt.")
            return None
        if element.feldart == "select":
            name = self.choices(element)
            if name:
                kind = "choice"
                result["codelist"] = name
        if element.constraints_text:
            self.notes.append(f"{element.id} „{element.label}“: Präzisierung „{element.constraints_text}“ ist nicht "
                              "maschinenlesbar.")
        if kind == "text" and element.datentyp != "time":
            if isinstance(c.get("minLength"), int) and c["minLength"] > 0:
                validation["min_length"] = c["minLength"]
            if isinstance(c.get("maxLength"), int) and c["maxLength"] > 0:
                validation["max_length"] = c["maxLength"]
                if c["maxLength"] > 255:
                    kind = "textarea"
            if c.get("pattern"):
                limit = validation.get("max_length")
                try:
                    re.compile(c["pattern"])
                except re.error:
                    self.notes.append(f"{element.id}: Muster „{c['pattern']}“ ist kein gültiger regulärer Ausdruck.")
                else:
                    if re.escape(c["pattern"]) == c["pattern"] and limit and len(c["pattern"]) > limit:
                        # a literal longer than the maximum length: no input could ever be accepted
                        self.notes.append(f"{element.id} „{element.label}“: Muster „{c['pattern']}“ widerspricht "
                                          f"der Höchstlänge {limit} – Muster nicht übernommen, bitte prüfen.")
                    else:
                        validation["pattern"] = c["pattern"]
        if kind == "date":  # FIM bounds a date with minValue/maxValue in ISO form
            for key, target in (("minValue", "min_date"), ("maxValue", "max_date")):
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(c.get(key, ""))):
                    validation[target] = str(c[key])
        if kind in {"number", "amount"}:
            for key, target in (("minValue", "min"), ("maxValue", "max")):
                try:
                    number = float(str(c[key]).replace(",", ".")) if key in c else None
                except ValueError:
                    number = None
                if number is not None:
                    if kind == "amount":
                        validation[f"{target}_cents"] = round(number * 100)
                    else:
                        validation[target] = number
            if element.datentyp == "num":
                validation["decimals"] = 2
        if kind == "file":
            if element.max_size:
                validation["max_size"] = min(element.max_size, 20 * 1024 * 1024)
            accept = sorted({k for m in element.media_types for k, mime in
                             (("pdf", "application/pdf"), ("png", "image/png"), ("jpeg", "image/jpeg")) if m == mime})
            if accept:
                validation["accept"] = accept
        result["type"] = kind
        result["required"] = int(low) >= 1 and not optional_context
        if optional_context and int(low) >= 1:
            result.setdefault("help", _t("Pflichtangabe, wenn dieser Abschnitt zutrifft."))
        if high == "*" or int(high) > 1:
            if in_entry:
                self.notes.append(f"{element.id} „{element.label}“: Anzahl {cardinality} in einer wiederholbaren "
                                  "Gruppe – einmal je Eintrag abgefragt.")
            elif kind in {"yesno", "choice", "file", "multichoice"}:
                # asked in a repeatable fieldset of its own (several nationalities, several documents)
                maximum = MAX_REPEAT if high == "*" else min(int(high), 50)
                result["_alone"] = {"min": 0 if optional_context else int(low), "max": maximum}
                if high == "*":
                    self.notes.append(f"{element.id} „{element.label}“: Anzahl {cardinality} – auf {maximum} "
                                      "Angaben begrenzt.")
            else:
                maximum = MAX_REPEAT if high == "*" else min(int(high), 50)
                # in an optional group (0:1) the entries are needed only if the group applies, as for `required`
                result["repeat"] = {"min": 0 if optional_context else int(low), "max": maximum}
                if high == "*":
                    self.notes.append(f"{element.id} „{element.label}“: Anzahl {cardinality} – auf {maximum} "
                                      "Angaben begrenzt.")
        if validation:
            result["validation"] = validation
        result["fim"] = {"id": element.id, "version": element.version, "cardinality": cardinality,
                         "datentyp": element.datentyp, "feldart": element.feldart}
        self.record_field(element, result, in_entry)
        return result

    def record_field(self, element: FimElement, built: dict, in_entry: bool = False) -> None:
        names = {rules._norm(x) for x in (element.id, element.name, element.label) if x}
        self.records.append(rules.Record("field", element.id, names, self.field_order, field=built,
                                         in_entry=in_entry))
        self.occurrences += [(rule.id, len(self.records) - 1, len(self.records)) for rule in element.rules]
        self.field_order += 1

    def fieldsets(self, group: FimElement, cardinality: str, optional_context: bool, legend: str) -> list[dict]:
        """The group's direct fields as one fieldset, then its subgroups (flattened) as further fieldsets."""
        self.keep_rules(group)
        low, high = cardinality.split(":")
        optional = optional_context or int(low) == 0
        start, first_order = len(self.records), self.field_order
        if high == "*" or int(high) > 1:
            return self.repeating(group, cardinality, optional_context, legend, start, first_order)
        fields = []
        for child_cardinality, child in group.children:
            if child.kind == "field":
                built = self.field(child, child_cardinality, optional)
                if built:
                    fields.append(built)
        result = []
        if fields:
            entry = {"id": self.ident(group.id, "G"), "legend": _t(legend), "fields": fields,
                     "fim": {"id": group.id, "version": group.version, "cardinality": cardinality}}
            if group.help:
                entry["help"] = _t(group.help)
            result += self.segments(entry)
        for child_cardinality, child in group.children:
            if child.kind == "group":
                result += self.fieldsets(child, child_cardinality, optional, child.label)
        names = {rules._norm(x) for x in (group.id, group.name, group.label) if x}
        self.occurrences += [(rule.id, start, len(self.records)) for rule in group.rules]
        self.records.append(rules.Record("group", group.id, names, first_order, containers=list(result),
                                         first_order=first_order))
        return result

    def segments(self, fieldset: dict) -> list[dict]:
        """The fieldset, split where a repeated choice, yes/no or file field gets a repeatable fieldset of its
        own (document order kept; the parts after it continue the group without a visible legend)."""
        result: list[dict] = []
        current: list[dict] = []

        def close() -> None:
            if current:
                part = dict(fieldset, fields=list(current)) if not result else {
                    "id": self.ident(f"{fieldset['id']}_Teil", "G"), "fields": list(current)}
                result.append(part)
                current.clear()

        for fld in fieldset["fields"]:
            alone = fld.pop("_alone", None)
            if alone is None:
                current.append(fld)
                continue
            close()
            if not result:  # first in the group: it carries the group's legend
                result.append(dict(fieldset, fields=[fld], repeat=alone))
            else:
                result.append({"id": self.ident(f"{fld['id']}_Liste", "G"), "legend": fld["label"], "fields": [fld],
                               "repeat": alone})
            record = next(r for r in self.records if r.field is fld)
            record.in_entry, record.entry_of = True, result[-1]["id"]
        close()
        return result

    def repeating(self, group: FimElement, cardinality: str, optional_context: bool, legend: str, start: int,
                  first_order: int) -> list[dict]:
        """A group the citizen fills in several times (1:*, 0:n, n:m): one repeatable fieldset.

        Subgroups are flattened into the entry (their titles become headings) so that everything belonging
        to one entry stays together; a repeated subgroup or field inside an entry is asked once per entry.
        """
        low, high = cardinality.split(":")
        maximum = MAX_REPEAT if high == "*" else min(int(high), 50)
        if high == "*":
            self.notes.append(f"{group.id} „{group.label}“: Anzahl {cardinality} – auf {maximum} Einträge begrenzt.")
        fields: list[dict] = []

        def collect(element: FimElement, optional: bool) -> None:
            for child_cardinality, child in element.children:
                child_low, child_high = child_cardinality.split(":")
                if child.kind == "field":
                    built = self.field(child, child_cardinality, optional, in_entry=True)
                    if built:
                        fields.append(built)
                    continue
                self.keep_rules(child)
                if child_high == "*" or int(child_high) > 1:
                    self.notes.append(f"{child.id} „{child.label}“: Anzahl {child_cardinality} in einer "
                                      "wiederholbaren Gruppe – einmal je Eintrag abgefragt.")
                heading = {"id": self.ident(f"{child.id}_Titel", "N"), "type": "note", "label": _t(child.label)}
                fields.append(heading)
                collect(child, optional or int(child_low) == 0)

        collect(group, False)
        self.occurrences += [(rule.id, start, len(self.records)) for rule in group.rules]
        if not fields:
            return []
        fieldset = {"id": self.ident(group.id, "G"), "legend": _t(legend), "fields": fields,
                    "repeat": {"min": 0 if optional_context else int(low), "max": maximum},
                    "fim": {"id": group.id, "version": group.version, "cardinality": cardinality}}
        if not any(f["type"] != "note" for f in fields):  # only notes: nothing to repeat, show them once
            del fieldset["repeat"]
        for record in self.records[start:]:
            if record.kind == "field" and record.in_entry:
                record.entry_of = fieldset["id"]
        if group.help:
            fieldset["help"] = _t(group.help)
        names = {rules._norm(x) for x in (group.id, group.name, group.label) if x}
        self.records.append(rules.Record("group", group.id, names, first_order, containers=[fieldset],
                                         first_order=first_order))
        return [fieldset]

    def steps(self) -> list[dict]:
        root = self.document.root
        self.keep_rules(root)
        children = root.children
        if root.kind == "group" and not any(c.kind == "group" for _card, c in children):
            children = [("1:1", root)]
        steps: list[dict] = []
        loose: list[dict] = []

        def flush():
            if loose:
                steps.append({"id": self.ident("Allgemein", "S"), "title": _t("Allgemeine Angaben"),
                              "fieldsets": self.segments({"id": self.ident("Allgemein_Felder", "G"),
                                                          "legend": _t("Allgemeine Angaben"),
                                                          "fields": list(loose)})})
                loose.clear()

        for cardinality, child in children:
            if child.kind == "field":
                built = self.field(child, cardinality, False)
                if built:
                    loose.append(built)
                continue
            flush()
            fieldsets = self.fieldsets(child, cardinality, False, child.label)
            if fieldsets:
                step = {"id": self.ident(f"S_{child.id}", "S"), "title": _t(child.label), "fieldsets": fieldsets}
                self.records[-1].containers.append(step)
                if child.help:
                    step["help"] = _t(child.help)
                steps.append(step)
        flush()
        self.occurrences += [(rule.id, 0, len(self.records)) for rule in root.rules]
        return steps

    def apply_rules(self) -> None:
        """Rules in the standard phrasing become conditions (all occurrences or none); the rest stay tasks."""
        resolver = rules.Resolver(self.records, self.codelists)
        for rule in self.rules:
            scopes = [range(start, end) for rule_id, start, end in self.occurrences if rule_id == rule["id"]]
            try:
                changes = [c for scope in scopes for c in rules.apply(rule["text"], scope, resolver)]
            except rules.Unresolved as exc:
                rule["task"] = f"Bitte von Hand umsetzen: {exc}."
                continue
            if not changes:
                rule["task"] = "Bitte von Hand umsetzen: die Regel gilt für kein abgefragtes Feld."
                continue
            rules.commit(changes)
            rule["applied"] = "visible_if"


def to_definition(document: FimDocument) -> dict:
    """A form definition (not yet validated) built from the document; FIM provenance under `source`."""
    builder = _Builder(document)
    steps = builder.steps()
    builder.apply_rules()
    root = document.root
    if not steps:
        builder.notes.append("Das Dokument enthält keine Datenfelder; ein leerer Hinweis-Schritt wurde angelegt.")
        steps = [{"id": "Hinweis", "title": _t(root.label), "fieldsets": [{"id": "Hinweis_Felder", "fields": [
            {"id": "Hinweis_Text", "type": "note", "label": _t(root.label),
             **({"help": _t(root.description)} if root.description else {})}]}]}]
    definition: dict[str, Any] = {"schema_version": 1, "title": _t(root.label), "steps": steps}
    if root.description:
        definition["description"] = _t(root.description)
    if builder.codelists:
        definition["codelists"] = builder.codelists
    definition["source"] = {
        "kind": f"XDatenfelder {document.version}", "id": root.id, "version": root.version, "name": root.name,
        "notes": builder.notes, "rules": builder.rules,
    }
    if builder.codelist_sources:
        definition["source"]["codelists"] = builder.codelist_sources
    return definition
