"""A strict, safe reader for XDatenfelder 1.0, 2.0 and 3.0 (Stammdatenschema or Datenfeldgruppe messages).

Safety: the document is size-limited before parsing and parsed by `amtsweg.core.safexml`, which refuses a
DTD in any encoding (no entities, no external references) and parses without network or entity expansion.

Strictness: we know which children each element may have. An unknown child, a repeated single-valued
child, a missing or empty id, or a code outside its code list is refused with a message naming the element,
its path and its line, so the form author can fix the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from amtsweg.core import parsers, safexml

MAX_BYTES = 10 * 1024 * 1024
NAMESPACES = {
    "urn:xoev-de:fim:standard:xdatenfelder_1": "1.0",
    "urn:xoev-de:fim:standard:xdatenfelder_2": "2.0",
    "urn:xoev-de:fim:standard:xdatenfelder_3.0.0": "3.0",
}
ROOT_PREFIXES = ("xdatenfelder.stammdatenschema.", "xdatenfelder.datenfeldgruppe.")

# Children of Stammdatenschema, Datenfeldgruppe and Datenfeld (union over the three versions).
ELEMENT_SINGLE = {
    "identifikation", "id", "version", "name", "bezeichnung", "bezeichnungEingabe", "bezeichnungAusgabe",
    "beschreibung", "definition", "status", "freigabestatus", "statusGesetztAm", "statusGesetztDurch", "gueltigAb",
    "gueltigBis",
    "fachlicherErsteller", "versionshinweis", "freigabedatum", "veroeffentlichungsdatum", "letzteAenderung",
    "schemaelementart", "hilfetextEingabe", "hilfetextAusgabe", "hilfetext", "ableitungsmodifikationenStruktur",
    "ableitungsmodifikationenRepraesentation", "dokumentsteckbrief", "feldart", "datentyp", "praezisierung",
    "inhalt", "codeliste", "codelisteReferenz", "werte", "vorbefuellung", "codeKey", "nameKey", "helpKey",
    "maxSize",
}
ELEMENT_MULTI = {"bezug", "stichwort", "relation", "regel", "struktur", "mediaType"}
RULE_CHILDREN = {
    "identifikation", "id", "version", "name", "bezeichnungEingabe", "bezeichnungAusgabe", "beschreibung",
    "definition", "bezug", "status", "freigabestatus", "gueltigAb", "gueltigBis", "fachlicherErsteller",
    "versionshinweis", "freigabedatum", "veroeffentlichungsdatum", "script", "skript", "freitextRegel",
    "letzteAenderung", "typ", "stichwort", "statusGesetztAm", "statusGesetztDurch",
}
# Elements whose inner structure we do not need and therefore do not police.
OPAQUE = {"header", "codeliste", "codelisteReferenz", "relation", "stichwort", "status", "freigabestatus",
          "schemaelementart", "feldart", "datentyp", "vorbefuellung", "ableitungsmodifikationenStruktur",
          "ableitungsmodifikationenRepraesentation", "typ", "dokumentsteckbrief", "bezug", "praezisierung"}

FREIGABESTATUS = {str(n) for n in range(1, 9)}
STATUS = {"aktiv", "inaktiv", "inVorbereitung"}
FELDART = {"input", "select", "label", "hidden", "locked"}
DATENTYP = {"text", "text_latin", "date", "time", "datetime", "bool", "num", "num_int", "num_currency", "file",
            "obj"}
_CARDINALITY = re.compile(r"^(\d+):(\d+|\*)$")


class FimError(ValueError):
    """The document is refused: `what` happened at `path` (line `line`)."""

    def __init__(self, what: str, node: etree._Element | None = None):
        self.what = what
        self.line = node.sourceline if node is not None else None
        self.path = _path(node) if node is not None else ""
        where = f" (Element {self.path}, Zeile {self.line})" if node is not None else ""
        super().__init__(f"{what}{where}")


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _path(node: etree._Element) -> str:
    parts = []
    while node is not None:
        parts.append(_local(node))
        node = node.getparent()
    return "/" + "/".join(reversed(parts))


@dataclass
class FimRule:
    id: str
    name: str
    text: str
    script: str = ""


@dataclass
class FimElement:
    kind: str  # "schema", "group" or "field"
    id: str
    version: str
    name: str
    label: str = ""
    help: str = ""
    description: str = ""
    line: int | None = None
    children: list[tuple[str, FimElement]] = field(default_factory=list)  # (cardinality, element)
    rules: list[FimRule] = field(default_factory=list)
    feldart: str = ""
    datentyp: str = ""
    constraints: dict = field(default_factory=dict)
    constraints_text: str = ""
    content: str = ""
    codelist: dict | None = None  # {"id", "name", "uri", "version", "values": [(code, label)]}
    media_types: list[str] = field(default_factory=list)
    max_size: int | None = None


@dataclass
class FimDocument:
    version: str  # "1.0", "2.0", "3.0"
    message: str  # root element name
    root: FimElement


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return " ".join("".join(node.itertext()).split())


def _code(node: etree._Element, allowed: set[str], what: str) -> str:
    code_node = next((c for c in node if isinstance(c.tag, str) and _local(c) == "code"), None)
    if code_node is None:
        raise FimError(f"{what}: <code> fehlt", node)
    value = _text(code_node)
    if value not in allowed:
        raise FimError(f"Ungültiger {what}: „{value}“ (erlaubt: {', '.join(sorted(allowed))})", code_node)
    return value


class _Reader:
    def __init__(self, namespace: str, version: str):
        self.ns = namespace
        self.version = version

    def children(self, node: etree._Element, single: set[str], multi: set[str] = frozenset()) -> dict:
        """Child elements by local name; refuses foreign, unknown and repeated single-valued children."""
        found: dict[str, list[etree._Element]] = {}
        for child in node:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            if etree.QName(child).namespace != self.ns:
                raise FimError(f"Unerwartetes Element <{child.tag}> aus fremdem Namensraum", child)
            name = _local(child)
            if name not in single and name not in multi:
                raise FimError(f"Unerwartetes Element <xdf:{name}> in <xdf:{_local(node)}>", child)
            if name in single and name in found:
                earlier = found[name][-1]
                # FIM tools sometimes write an empty placeholder before the element with content.
                if _text(earlier) or not _text(child) or name in {"id", "version", "name", "identifikation"}:
                    raise FimError(f"Doppelter Wert: <xdf:{name}> darf nur einmal vorkommen", child)
                found[name] = [child]
                continue
            found.setdefault(name, []).append(child)
        return found

    def one(self, found: dict, name: str) -> etree._Element | None:
        nodes = found.get(name)
        return nodes[0] if nodes else None

    def identification(self, node: etree._Element, found: dict) -> tuple[str, str]:
        ident = self.one(found, "identifikation")
        if ident is not None:
            parts = self.children(ident, {"id", "version"})
            id_node = self.one(parts, "id")
            if id_node is None:
                raise FimError("<xdf:id> fehlt in <xdf:identifikation>", ident)
            version = _text(self.one(parts, "version"))
        else:  # XDatenfelder 1.0 carries <id> (and sometimes <version>) directly
            id_node = self.one(found, "id")
            if id_node is None:
                raise FimError(f"<xdf:id> fehlt in <xdf:{_local(node)}>", node)
            version = _text(self.one(found, "version"))
        value = _text(id_node)
        if not value:
            raise FimError("Leerer Inhalt: <xdf:id> braucht eine Kennung", id_node)
        return value, version

    def rule(self, node: etree._Element) -> FimRule:
        found = self.children(node, RULE_CHILDREN - {"bezug", "stichwort"}, {"bezug", "stichwort", "param", "ziel",
                                                                             "fehler"})
        rule_id, _version = self.identification(node, found)
        text = next((_text(self.one(found, n)) for n in ("freitextRegel", "definition", "beschreibung")
                     if _text(self.one(found, n))), "")
        script = _text(self.one(found, "skript")) or _text(self.one(found, "script"))
        return FimRule(id=rule_id, name=_text(self.one(found, "name")), text=text, script=script)

    def element(self, node: etree._Element, kind: str) -> FimElement:
        found = self.children(node, ELEMENT_SINGLE, ELEMENT_MULTI)
        elem_id, version = self.identification(node, found)
        status = self.one(found, "freigabestatus")
        if status is not None:
            _code(status, FREIGABESTATUS, "Freigabestatus")
        status = self.one(found, "status")
        if status is not None:
            _code(status, STATUS, "Status")
        name = _text(self.one(found, "name"))
        if not name:
            raise FimError(f"<xdf:name> fehlt oder ist leer in <xdf:{_local(node)}>", node)
        element = FimElement(
            kind=kind, id=elem_id, version=version, name=name,
            label=_text(self.one(found, "bezeichnungEingabe")) or _text(self.one(found, "bezeichnung")) or name,
            help=_text(self.one(found, "hilfetextEingabe")) or _text(self.one(found, "hilfetext")),
            description=_text(self.one(found, "beschreibung")), line=node.sourceline,
        )
        element.rules = [self.rule(r) for r in found.get("regel", [])]
        for structure in found.get("struktur", []):
            element.children.append(self.structure(structure))
        if kind == "field":
            self.field_details(node, found, element)
        return element

    def structure(self, node: etree._Element) -> tuple[str, FimElement]:
        found = self.children(node, {"anzahl", "enthaelt"}, {"bezug"})
        count = self.one(found, "anzahl")
        if count is None:
            raise FimError("<xdf:anzahl> fehlt in <xdf:struktur>", node)
        cardinality = _text(count)
        match = _CARDINALITY.match(cardinality)
        if not match or (match.group(2) != "*" and int(match.group(2)) < int(match.group(1))):
            raise FimError(f"Ungültige Anzahl „{cardinality}“ (erwartet z. B. 1:1, 0:1, 0:*)", count)
        contains = self.one(found, "enthaelt")
        if contains is None:
            raise FimError("<xdf:enthaelt> fehlt in <xdf:struktur>", node)
        inner = self.children(contains, {"datenfeld", "datenfeldgruppe"})
        if len(inner) != 1:
            raise FimError("<xdf:enthaelt> muss genau ein Datenfeld oder eine Datenfeldgruppe enthalten", contains)
        name, (child,) = next(iter(inner.items()))
        return cardinality, self.element(child, "field" if name == "datenfeld" else "group")

    def field_details(self, node: etree._Element, found: dict, element: FimElement) -> None:
        feldart = self.one(found, "feldart")
        datentyp = self.one(found, "datentyp")
        if feldart is None:
            raise FimError("<xdf:feldart> fehlt im Datenfeld", node)
        if datentyp is None:
            raise FimError("<xdf:datentyp> fehlt im Datenfeld", node)
        element.feldart = _code(feldart, FELDART, "Feldart")
        element.datentyp = _code(datentyp, DATENTYP, "Datentyp")
        element.content = _text(self.one(found, "inhalt"))
        precision = self.one(found, "praezisierung")
        if precision is not None:
            self.constraints(precision, element)
        if _text(self.one(found, "maxSize")).isdigit():
            element.max_size = int(_text(self.one(found, "maxSize")))
        element.media_types = [_text(m) for m in found.get("mediaType", []) if _text(m)]
        codelist = self.one(found, "codeliste")
        if codelist is not None:  # 1.0: a described reference
            parts = {_local(c): _text(c) for c in codelist if isinstance(c.tag, str)}
            element.codelist = {"id": parts.get("id", ""), "name": parts.get("name", ""),
                                "uri": parts.get("kennung", ""), "version": parts.get("version", ""), "values": []}
        reference = self.one(found, "codelisteReferenz")
        if reference is not None:  # 2.0/3.0: a genericode reference
            texts = {_local(c): _text(c) for c in reference.iter() if isinstance(c.tag, str)}
            element.codelist = {"id": texts.get("id", ""), "name": "",
                                "uri": texts.get("canonicalIdentification", "") or texts.get("canonicalVersionUri", ""),
                                "version": texts.get("version", ""), "values": []}
        if element.codelist is not None:  # 3.0: which genericode columns hold code and label
            element.codelist["code_key"] = _text(self.one(found, "codeKey"))
            element.codelist["name_key"] = _text(self.one(found, "nameKey"))
        values = self.one(found, "werte")
        if values is not None:  # 3.0: the values themselves
            entries = []
            for wert in values:
                if not isinstance(wert.tag, str):
                    continue
                if _local(wert) != "wert":
                    raise FimError(f"Unerwartetes Element <xdf:{_local(wert)}> in <xdf:werte>", wert)
                parts = self.children(wert, {"code", "name", "hilfe"})
                code = _text(self.one(parts, "code"))
                if not code:
                    raise FimError("Leerer Inhalt: <xdf:code> in <xdf:wert>", wert)
                if any(code == c for c, _label in entries):
                    raise FimError(f"Doppelter Wert: Code „{code}“ kommt zweimal vor", wert)
                entries.append((code, _text(self.one(parts, "name")) or code))
            element.codelist = {**(element.codelist or {"id": "", "name": "", "uri": "", "version": ""}),
                                "values": entries}

    def constraints(self, node: etree._Element, element: FimElement) -> None:
        result: dict = {}
        for key in ("minLength", "maxLength", "minValue", "maxValue", "pattern"):
            if node.get(key) is not None:
                result[key] = node.get(key)
        raw = _text(node)
        if raw.startswith("{"):
            try:
                parsed = parsers.loads(raw)
            except ValueError:
                raise FimError("<xdf:praezisierung> enthält ungültiges JSON", node) from None
            if isinstance(parsed, dict):
                result.update({k: v for k, v in parsed.items() if v not in (None, "")})
        elif raw:
            element.constraints_text = raw
        for key in ("minLength", "maxLength"):
            if key in result:
                try:
                    result[key] = int(result[key])
                except (TypeError, ValueError):
                    raise FimError(f"{key} muss eine ganze Zahl sein", node) from None
        element.constraints = result


def parse_fim(data: bytes) -> FimDocument:
    """Parse an XDatenfelder document; raise FimError with what/where for anything we refuse."""
    if len(data) > MAX_BYTES:
        raise FimError(f"Die Datei ist zu groß ({len(data) // 1024} KB; höchstens {MAX_BYTES // 1024 // 1024} MB).")
    if not data.strip():
        raise FimError("Die Datei ist leer.")
    try:
        root = safexml.fromstring(data, remove_comments=True, remove_pis=True)
    except safexml.DocumentTypeForbidden:
        raise FimError("Dokumenttyp-Deklarationen (DTD/ENTITY) sind aus Sicherheitsgründen nicht erlaubt.") from None
    except etree.XMLSyntaxError as exc:
        raise FimError(f"Kein wohlgeformtes XML: {exc.msg} (Zeile {exc.lineno})") from None
    qname = etree.QName(root)
    version = NAMESPACES.get(qname.namespace or "")
    if version is None:
        raise FimError(f"Unbekannter Namensraum „{qname.namespace or '(keiner)'}“ – erwartet XDatenfelder 1.0, "
                       "2.0 oder 3.0", root)
    if not qname.localname.startswith(ROOT_PREFIXES):
        raise FimError(f"Unerwartetes Wurzelelement <xdf:{qname.localname}> – erwartet eine Stammdatenschema- "
                       "oder Datenfeldgruppen-Nachricht", root)
    reader = _Reader(qname.namespace, version)
    found = reader.children(root, {"header", "stammdatenschema", "datenfeldgruppe"})
    body = reader.one(found, "stammdatenschema")
    kind = "schema"
    if body is None:
        body, kind = reader.one(found, "datenfeldgruppe"), "group"
    if body is None:
        raise FimError("Weder <xdf:stammdatenschema> noch <xdf:datenfeldgruppe> gefunden", root)
    return FimDocument(version=version, message=qname.localname, root=reader.element(body, kind))
