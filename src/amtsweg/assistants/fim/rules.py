"""FIM rules in the standard phrasing become `visible_if` conditions; all others stay author tasks.

FIM writes conditional fields as free text, in a handful of recurring phrasings:

    „Geburtsname“ ist nur dann zu befüllen, wenn „Namensänderung“ bejaht wurde.
    „Straße“ und „Hausnummer“ sind nur dann zu befüllen, wenn „Inland“ ausgewählt wurde.
    „Firma“ ist nur dann anzugeben, wenn bei „Art der Person“ „juristische Person“ ausgewählt wurde.
    „Vorname“ ist nur dann zu befüllen, wenn „Name“ befüllt wurde.

Names are resolved to Datenfelder (or Datenfeldgruppen) by name, label or id, first inside the element that
carries the rule, then in the whole document; a name that matches several elements is not guessed. The
condition must refer to a field asked before the fields it shows, otherwise the engine could never show
them. Whatever does not fit (other phrasings, ambiguous or unknown names, a condition on a later field) is
left as an author task with the reason.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

QUOTES = "„“”\"‚‘’«»"
_NAME = re.compile(f"[{QUOTES}]([^{QUOTES}]+)[{QUOTES}]")
_RULE = re.compile(
    r"^(?P<targets>.+?)\s+(?:ist|sind)\s+(?:nur\s+)?(?:dann\s+)?(?:nur\s+)?"
    r"(?:zu\s+befüllen|zu\s+füllen|auszufüllen|anzugeben|zu\s+erfassen)\s*,?\s*"
    r"(?:nur\s+)?(?:dann\s+)?,?\s*(?:wenn|falls|sofern)\s+(?P<condition>.+?)\s*[.!]?\s*$",
    re.IGNORECASE | re.DOTALL)
_CONNECTORS = re.compile(r"^[\s,;/]*(?:(?:und|sowie|oder|bzw\.?)[\s,;/]*)*$", re.IGNORECASE)
_VERB = re.compile(
    rf"\s+(?:(?:mit\s+[{QUOTES}]?(?P<answer>ja|nein)[{QUOTES}]?\s+beantwortet)|(?P<verb>bejaht|verneint|"
    r"ausgewählt|gewählt|angekreuzt|markiert|befüllt|ausgefüllt|angegeben))\s+(?:wurde|wurden|ist|sind)\s*$",
    re.IGNORECASE)


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass
class Record:
    """One built Datenfeld or Datenfeldgruppe instance of the document, in document order."""

    kind: str  # "field" or "group"
    fim_id: str
    names: set[str]
    order: int
    field: dict | None = None  # the definition's field (kind "field")
    containers: list[dict] = dataclasses.field(default_factory=list)  # fieldsets (and a step) built from a group
    first_order: int = 0  # order of the group's first field
    in_entry: bool = False  # a field of a repeatable fieldset: one value per entry
    entry_of: str | None = None  # the repeatable fieldset's id: only fields of the same entry may read it


class Unresolved(ValueError):
    """Why a rule stays an author task."""


class Resolver:
    """Turns rule texts into conditions over the records of one document."""

    def __init__(self, records: list[Record], codelists: dict[str, list[dict]]):
        self.records = records
        self.codelists = codelists

    def find(self, name: str, scope: range, kinds: set[str]) -> Record:
        key = _norm(name)
        for pool in (self.records[scope.start:scope.stop], self.records):
            found = [r for r in pool if r.kind in kinds and key in r.names]
            distinct = {id(r.field) if r.field is not None else id(r) for r in found}
            if len(distinct) == 1:
                return found[0]
            if len(distinct) > 1:
                raise Unresolved(f"„{name}“ ist mehrdeutig ({len(distinct)} Elemente)")
        raise Unresolved(f"„{name}“ wurde nicht gefunden")

    def option(self, label: str, scope: range, field_record: Record | None = None) -> tuple[Record, str]:
        """The choice field that offers `label` (or the given field) and the option's code."""
        key = _norm(label)
        pools = [[field_record]] if field_record else [self.records[scope.start:scope.stop], self.records]
        for pool in pools:
            hits = []
            for record in pool:
                fld = record.field if record.kind == "field" else None
                if not fld or fld["type"] not in {"choice", "multichoice"}:
                    continue
                hits += [(record, c["code"]) for c in self.codelists.get(fld["codelist"], [])
                         if _norm(c["label"]["de"]) == key or _norm(c["code"]) == key]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise Unresolved(f"Auswahlwert „{label}“ ist mehrdeutig")
        raise Unresolved(f"„{label}“ ist weder ein Feld noch ein Auswahlwert")

    def condition(self, text: str, scope: range) -> tuple[dict, int]:
        """(condition, order of the last field it reads)."""
        return self._condition(text, scope)

    def entry_of(self, condition: dict) -> set[str | None]:
        """The repeatable fieldsets whose fields the condition reads (None: a field outside any)."""
        read = set(_fields_of(condition))
        return {r.entry_of if r.in_entry else None for r in self.records if r.field and r.field["id"] in read}

    def _condition(self, text: str, scope: range) -> tuple[dict, int]:
        match = _VERB.search(text)
        if not match:
            raise Unresolved("Bedingung nicht in Standardformulierung")
        head = text[:match.start()].strip()
        verb = (match.group("verb") or "").lower()
        answer = (match.group("answer") or "").lower()
        bei = re.match(rf"^(?:bei|in|unter|im\s+feld)\s+[{QUOTES}]([^{QUOTES}]+)[{QUOTES}]\s+(?:der\s+wert\s+|die\s+"
                       rf"option\s+)?[{QUOTES}]([^{QUOTES}]+)[{QUOTES}]$", head, re.IGNORECASE)
        if bei:
            if verb not in {"ausgewählt", "gewählt", "angekreuzt", "markiert", "angegeben"}:
                raise Unresolved("Bedingung nicht in Standardformulierung")
            record = self.find(bei.group(1), scope, {"field"})
            record, code = self.option(bei.group(2), scope, record)
            return self._choice(record, code), record.order
        names = _NAME.findall(head)
        leftover = _NAME.sub("", head)
        if not names or not _CONNECTORS.match(leftover):
            raise Unresolved("Bedingung nicht in Standardformulierung")
        combine = "any" if re.search(r"\boder\b|\bbzw\b", leftover, re.IGNORECASE) else "all"
        parts, last = [], 0
        for name in names:
            part, order = self._single(name, verb, answer, scope)
            parts.append(part)
            last = max(last, order)
        return (parts[0] if len(parts) == 1 else {combine: parts}), last

    def _single(self, name: str, verb: str, answer: str, scope: range) -> tuple[dict, int]:
        if verb in {"befüllt", "ausgefüllt", "angegeben"}:
            record = self.find(name, scope, {"field"})
            return {"field": record.field["id"], "filled": True}, record.order
        try:
            record = self.find(name, scope, {"field"})
        except Unresolved:
            if verb not in {"ausgewählt", "gewählt", "angekreuzt", "markiert"}:
                raise
            record, code = self.option(name, scope)
            return self._choice(record, code), record.order
        kind = record.field["type"]
        if kind == "yesno":
            yes = answer == "ja" or verb in {"bejaht", "ausgewählt", "gewählt", "angekreuzt", "markiert"}
            if answer == "nein" or verb == "verneint":
                yes = False
            return {"field": record.field["id"], "equals": yes}, record.order
        raise Unresolved(f"„{name}“ ist kein Ja/Nein-Feld")

    @staticmethod
    def _choice(record: Record, code: str) -> dict:
        if record.field["type"] == "multichoice":
            return {"field": record.field["id"], "contains": code}
        return {"field": record.field["id"], "equals": code}

    def targets(self, text: str, scope: range) -> list[Record]:
        names = _NAME.findall(text)
        if not names or not _CONNECTORS.match(_NAME.sub("", text)):
            raise Unresolved("Ziel nicht in Standardformulierung")
        return [self.find(name, scope, {"field", "group"}) for name in names]


def _fields_of(condition: dict) -> list[str]:
    if "field" in condition:
        return [condition["field"]]
    return [name for sub in condition.get("all", condition.get("any", [])) for name in _fields_of(sub)]


def _add_condition(target: dict, condition: dict) -> None:
    existing = target.get("visible_if")
    target["visible_if"] = condition if not existing else {"all": [existing, condition]}


def apply(rule_text: str, scope: range, resolver: Resolver) -> list[tuple[dict, dict]]:
    """[(container or field, condition)] to apply for one occurrence of a rule; raises Unresolved."""
    match = _RULE.match(" ".join(rule_text.split()))
    if not match:
        raise Unresolved("keine Standardformulierung („… ist nur dann zu befüllen, wenn …“)")
    targets = resolver.targets(match.group("targets"), scope)
    condition, last = resolver.condition(match.group("condition"), scope)
    entries = resolver.entry_of(condition) - {None}
    # read per entry: only fields of that same entry may depend on it
    if entries and (len(entries) > 1 or any(t.kind != "field" or t.entry_of not in entries for t in targets)):
        raise Unresolved("die Bedingung liest ein Feld einer wiederholbaren Gruppe, das Ziel liegt außerhalb "
                         "desselben Eintrags")
    changes: list[tuple[dict, Any]] = []
    for target in targets:
        first = target.order if target.kind == "field" else target.first_order
        if last >= first:
            raise Unresolved("die Bedingung hängt von einem Feld ab, das erst danach abgefragt wird")
        if target.kind == "field":
            changes.append((target.field, condition))
        else:
            changes += [(container, condition) for container in target.containers]
    return changes


def commit(changes: list[tuple[dict, dict]]) -> None:
    for target, condition in changes:
        _add_condition(target, condition)
