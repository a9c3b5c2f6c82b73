"""XRepository code lists in genericode form, shipped with Amtsweg and resolved by URN and version.

FIM Datenfelder with Feldart `select` usually do not carry their values: they name a code list in
XRepository (`urn:…` plus a version). Amtsweg has no network access at run time, so the code lists FIM
schemas use most are shipped in `data/codelists/` (see SOURCES.md there) and read from there.

Parsing: the files are read with `amtsweg.core.safexml` like every XML from outside (no DTD, no
entities, no network). Which column is the code: the column of the list's `<Key>` (FIM's `codeKey`
may name another); which column is the label: FIM's `nameKey` if given, else the first non-key column
that is required, else the first non-key column.

Resolution: the exact version if it is shipped; otherwise the latest shipped version of the same list,
and the caller tells the form author that the values may differ from the referenced version.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from amtsweg.core import safexml

DATA = Path(__file__).resolve().parents[1] / "data" / "codelists"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class CodeListError(ValueError):
    """A genericode file that cannot be used (the message says why)."""


@dataclass(frozen=True)
class CodeList:
    uri: str
    version: str
    short_name: str
    long_name: str
    columns: tuple[str, ...]
    key: str
    rows: tuple[dict, ...]
    source: str = ""

    def values(self, code_key: str = "", name_key: str = "") -> list[tuple[str, str]]:
        """(code, label) pairs in list order; rows without a code are skipped, duplicate codes refused."""
        code_column = code_key if code_key in self.columns else self.key
        label_column = name_key if name_key in self.columns else self.label_column()
        result: list[tuple[str, str]] = []
        seen: set[str] = set()
        for row in self.rows:
            code = row.get(code_column, "")
            if not code:
                continue
            if code in seen:
                raise CodeListError(f"Codeliste {self.uri}_{self.version}: Code „{code}“ kommt doppelt vor.")
            seen.add(code)
            result.append((code, row.get(label_column) or code))
        return result

    def label_column(self) -> str:
        others = [c for c in self.columns if c != self.key]
        return next(iter(others), self.key)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _child(node: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in node if isinstance(c.tag, str) and _local(c) == name), None)


def _text(node: etree._Element | None) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def parse_genericode(data: bytes, source: str = "") -> CodeList:
    """One genericode 1.0 CodeList document (as XRepository publishes them)."""
    if len(data) > MAX_BYTES:
        raise CodeListError(f"{source}: Die Codeliste ist zu groß.")
    try:
        root = safexml.fromstring(data, remove_comments=True, remove_pis=True)
    except (etree.XMLSyntaxError, safexml.XmlRefused) as exc:
        raise CodeListError(f"{source}: kein verwendbares XML ({exc}).") from None
    if _local(root) != "CodeList":
        raise CodeListError(f"{source}: kein genericode-Dokument (Wurzel <{_local(root)}>).")
    ident = _child(root, "Identification")
    column_set = _child(root, "ColumnSet")
    simple = _child(root, "SimpleCodeList")
    if ident is None or column_set is None or simple is None:
        raise CodeListError(f"{source}: Identification, ColumnSet oder SimpleCodeList fehlt.")
    uri, version = _text(_child(ident, "CanonicalUri")), _text(_child(ident, "Version"))
    if not uri or not version:
        raise CodeListError(f"{source}: CanonicalUri oder Version fehlt.")
    columns: list[str] = []
    required: list[str] = []
    keys: list[str] = []
    for node in column_set:
        if not isinstance(node.tag, str):
            continue
        if _local(node) == "Column" and node.get("Id"):
            columns.append(node.get("Id"))
            if node.get("Use") == "required":
                required.append(node.get("Id"))
        elif _local(node) == "Key":
            ref = _child(node, "ColumnRef")
            if ref is not None and ref.get("Ref"):
                keys.append(ref.get("Ref"))
    if not keys or keys[0] not in columns:
        raise CodeListError(f"{source}: Die Codeliste nennt keine Schlüsselspalte (<Key>).")
    key = keys[0]
    # Label: the first required column after the key, else the first other column.
    ordered = [c for c in required if c != key] + [c for c in columns if c != key and c not in required]
    rows = []
    for row in simple:
        if not isinstance(row.tag, str) or _local(row) != "Row":
            continue
        values = {}
        for value in row:
            if isinstance(value.tag, str) and _local(value) == "Value" and value.get("ColumnRef") in columns:
                values[value.get("ColumnRef")] = _text(_child(value, "SimpleValue"))
        rows.append(values)
        if len(rows) > MAX_ROWS:
            raise CodeListError(f"{source}: mehr als {MAX_ROWS} Einträge.")
    return CodeList(uri=uri, version=version, short_name=_text(_child(ident, "ShortName")),
                    long_name=_text(_child(ident, "LongName")), columns=tuple([key, *ordered]), key=key,
                    rows=tuple(rows), source=source)


@cache
def shipped() -> dict[str, dict[str, CodeList]]:
    """{canonical URI: {version: CodeList}} of the files in data/codelists/."""
    registry: dict[str, dict[str, CodeList]] = {}
    for path in sorted(DATA.glob("*.xml")):
        code_list = parse_genericode(path.read_bytes(), path.name)
        registry.setdefault(code_list.uri, {})[code_list.version] = code_list
    return registry


def _version_key(version: str) -> tuple:
    """Dates (2024-08-01) and numbers (4.1, 157) compare by their parts; anything else sorts first."""
    parts = version.replace("-", ".").split(".")
    return tuple((0, int(p)) if p.isdigit() else (-1, p) for p in parts)


def resolve(uri: str, version: str = "") -> tuple[CodeList | None, bool]:
    """(code list, exact?) for a reference; (None, False) if no version of the list is shipped.

    A reference may name the list by its canonical version URI (`urn:…_2`) instead of URI + version.
    """
    uri, version = uri.strip(), version.strip()
    versions = shipped().get(uri)
    if versions is None and "_" in uri:
        base, _sep, suffix = uri.rpartition("_")
        versions, version = shipped().get(base), version or suffix
    if not versions:
        return None, False
    if version in versions:
        return versions[version], True
    latest = max(versions, key=_version_key)
    return versions[latest], False
