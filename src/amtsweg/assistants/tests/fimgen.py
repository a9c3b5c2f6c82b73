"""Write XDatenfelder 2.0 and 3.0 documents from a small tree, for tests of the FIM import.

Only what the import reads is written (identification, names, Feldart, Datentyp, Präzisierung, code lists,
rules, structure with cardinalities); the elements are those of the XDatenfelder schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NS = {"2.0": "urn:xoev-de:fim:standard:xdatenfelder_2", "3.0": "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"}


@dataclass
class Rule:
    id: str
    text: str


@dataclass
class Field:
    id: str
    name: str
    datentyp: str = "text"
    feldart: str = "input"
    label: str = ""
    values: list[tuple[str, str]] | None = None  # 3.0: values in the document
    codelist: tuple[str, str] | None = None  # (URN, version) of an XRepository list
    praezisierung: str = ""
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Group:
    id: str
    name: str
    children: list[tuple[str, Field | Group]] = field(default_factory=list)  # (cardinality, element)
    label: str = ""
    rules: list[Rule] = field(default_factory=list)


def _ident(element_id: str) -> str:
    return f"<xdf:identifikation><xdf:id>{element_id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>"


def _rule(rule: Rule, version: str) -> str:
    text = "freitextRegel" if version == "3.0" else "definition"
    return (f"<xdf:regel>{_ident(rule.id)}<xdf:name>{escape(rule.id)}</xdf:name>"
            f"<xdf:{text}>{escape(rule.text)}</xdf:{text}></xdf:regel>")


def _element(element: Field | Group, version: str) -> str:
    label = element.label or element.name
    head = (f"{_ident(element.id)}<xdf:name>{escape(element.name)}</xdf:name>"
            f"<xdf:bezeichnungEingabe>{escape(label)}</xdf:bezeichnungEingabe>"
            + "".join(_rule(r, version) for r in element.rules))
    if isinstance(element, Group):
        body = "".join(f"<xdf:struktur><xdf:anzahl>{card}</xdf:anzahl><xdf:enthaelt>{_element(child, version)}"
                       f"</xdf:enthaelt></xdf:struktur>" for card, child in element.children)
        return f"<xdf:datenfeldgruppe>{head}{body}</xdf:datenfeldgruppe>"
    body = (f"<xdf:feldart><code>{element.feldart}</code></xdf:feldart>"
            f"<xdf:datentyp><code>{element.datentyp}</code></xdf:datentyp>")
    if element.praezisierung:
        body += f"<xdf:praezisierung>{escape(element.praezisierung)}</xdf:praezisierung>"
    if element.codelist:
        uri, list_version = element.codelist
        body += (f"<xdf:codelisteReferenz>{_ident('C' + element.id[1:])}<xdf:genericodeIdentification>"
                 f"<xdf:canonicalIdentification>{uri}</xdf:canonicalIdentification>"
                 f"<xdf:version>{list_version}</xdf:version></xdf:genericodeIdentification></xdf:codelisteReferenz>")
    if element.values:
        body += "<xdf:werte>" + "".join(f"<xdf:wert><xdf:code>{escape(c)}</xdf:code><xdf:name>{escape(n)}</xdf:name>"
                                        "</xdf:wert>" for c, n in element.values) + "</xdf:werte>"
    return f"<xdf:datenfeld>{head}{body}</xdf:datenfeld>"


def document(root: Group, version: str = "2.0") -> bytes:
    """A Stammdatenschema message whose schema has the root group's id, name, rules and children."""
    schema = _element(root, version).removeprefix("<xdf:datenfeldgruppe>").removesuffix("</xdf:datenfeldgruppe>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="{NS[version]}">'
            "<xdf:header><xdf:nachrichtID>1</xdf:nachrichtID></xdf:header>"
            f"<xdf:stammdatenschema>{schema}</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"
            ).encode()
