"""safexml refuses a DTD in every encoding, and nothing else in Amtsweg parses XML on its own."""

import ast
from pathlib import Path

import pytest
from lxml import etree

from amtsweg.core import safexml

# (declared encoding, Python codec, byte-order mark)
ENCODINGS = [
    ("UTF-8", "utf-8", b""),
    ("UTF-8", "utf-8", b"\xef\xbb\xbf"),
    ("UTF-16", "utf-16-le", b"\xff\xfe"),
    ("UTF-16", "utf-16-be", b"\xfe\xff"),
    ("UTF-16LE", "utf-16-le", b""),
    ("UTF-16BE", "utf-16-be", b""),
    ("ISO-8859-1", "latin-1", b""),
    ("UTF-32", "utf-32", b""),  # expat cannot read it: lxml's docinfo check refuses it
]

LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
ATTACKS = {
    "external entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "external parameter entity": '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><x/>',
    "external DTD": '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>',
    "network DTD": '<!DOCTYPE x PUBLIC "-//A//B" "http://127.0.0.1:9/x.dtd"><x/>',
    "billion laughs": f'<!DOCTYPE x [<!ENTITY lol0 "lol">{LAUGHS}]><x a="&lol9;">&lol9;</x>',
    "empty internal subset": "<!DOCTYPE x []><x/>",
    "bare doctype": "<!DOCTYPE x><x/>",
}


def _document(body: str, declared: str, codec: str, bom: bytes) -> bytes:
    return bom + f'<?xml version="1.0" encoding="{declared}"?>{body}'.encode(codec)


@pytest.mark.parametrize(("declared", "codec", "bom"), ENCODINGS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_a_dtd_is_refused_in_every_encoding(attack, declared, codec, bom):
    data = _document(ATTACKS[attack], declared, codec, bom)
    if codec.startswith("utf-16") or codec == "utf-32":
        assert b"<!DOCTYPE" not in data  # what a byte search missed
    with pytest.raises((safexml.DocumentTypeForbidden, etree.XMLSyntaxError)) as refused:
        safexml.fromstring(data)
    if attack != "billion laughs" or codec != "utf-32":  # libxml2 stops that one at its amplification limit
        assert isinstance(refused.value, safexml.DocumentTypeForbidden)


@pytest.mark.parametrize(("declared", "codec", "bom"), ENCODINGS)
def test_documents_without_dtd_parse_in_every_encoding(declared, codec, bom):
    root = safexml.fromstring(_document('<x a="ä">Grüße<!-- c --><y/></x>', declared, codec, bom),
                              remove_comments=True)
    assert (root.tag, root.get("a"), root.text, [c.tag for c in root]) == ("x", "ä", "Grüße", ["y"])


def test_the_expat_prolog_check_refuses_before_libxml2_reads_the_dtd(monkeypatch):
    def no_lxml(*args, **kwargs):
        raise AssertionError("lxml must not see a document expat already refused")

    monkeypatch.setattr(etree, "fromstring", no_lxml)
    with pytest.raises(safexml.DocumentTypeForbidden):
        safexml.fromstring(_document(ATTACKS["external entity"], "UTF-16", "utf-16-le", b"\xff\xfe"))


def test_lxml_never_asks_for_an_external_resource():
    asked = []

    class Recorder(etree.Resolver):
        def resolve(self, system_url, public_id, context):
            asked.append(system_url)

    for attack in ("external entity", "external parameter entity", "external DTD", "network DTD"):
        parser = safexml.parser()
        parser.resolvers.add(Recorder())
        etree.fromstring(_document(ATTACKS[attack], "UTF-32", "utf-32", b""), parser)
    assert asked == []


def test_syntax_errors_stay_syntax_errors():
    with pytest.raises(etree.XMLSyntaxError):
        safexml.fromstring(b"<a><b></a>")
    with pytest.raises(etree.XMLSyntaxError):
        safexml.fromstring(b"<x>&undeclared;</x>")


def test_safety_options_cannot_be_overridden():
    with pytest.raises(TypeError, match="resolve_entities"):
        safexml.parser(resolve_entities=True)
    with pytest.raises(TypeError):
        safexml.fromstring("<x/>")  # text would hide the document's own encoding


# Calls that parse XML; only safexml may make them. Building XML (etree.Element, tostring) is fine.
PARSING_NAMES = {"fromstring", "XML", "parse", "iterparse", "XMLParser", "XMLPullParser", "HTMLParser",
                 "fromstringlist", "XMLID", "parseString", "make_parser"}
PARSING_MODULES = {"xml.etree.ElementTree", "xml.etree.cElementTree", "xml.dom.minidom", "xml.dom.pulldom",
                   "xml.sax", "xml.parsers.expat", "defusedxml", "lxml.objectify", "lxml.html"}
SRC = Path(__file__).resolve().parents[3]  # src/


# The one parsing module per distribution: the platform's, and the reference client's own (amtsweg_subscriber
# runs without the platform, at a Fachverfahren vendor, so it cannot import core.safexml; its module parses
# without DTD, entities or network the same way).
SAFE_PARSING_MODULES = {Path("amtsweg/core/safexml.py"), Path("amtsweg_subscriber/content.py")}


def _production_modules():
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "tests" in relative.parts or path.name == "conftest.py":
            continue  # tests parse what the code itself wrote, to look at it
        yield relative, path


def test_no_other_module_parses_xml():
    """Every XML parse of input goes through safexml; a new one elsewhere must be routed there."""
    offenders = []
    for relative, path in _production_modules():
        if relative in SAFE_PARSING_MODULES:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in PARSING_NAMES and isinstance(node.value, ast.Name) \
                    and node.value.id == "etree":
                offenders.append(f"{relative}:{node.lineno} etree.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.split(".")[0] == "defusedxml" or node.module in PARSING_MODULES
                    or (node.module == "lxml.etree" and {a.name for a in node.names} & PARSING_NAMES)):
                offenders.append(f"{relative}:{node.lineno} from {node.module} import ...")
            elif isinstance(node, ast.Import):
                offenders.extend(f"{relative}:{node.lineno} import {a.name}" for a in node.names
                                 if a.name in PARSING_MODULES or a.name.split(".")[0] == "defusedxml")
    assert offenders == []


def test_shipped_files_are_read_with_the_same_refusal(tmp_path):
    (tmp_path / "ok.xml").write_bytes(b"<x/>")
    assert safexml.parse_file(tmp_path / "ok.xml").getroot().tag == "x"
    (tmp_path / "dtd.xml").write_bytes(_document(ATTACKS["external DTD"], "UTF-32", "utf-32", b""))
    with pytest.raises(safexml.DocumentTypeForbidden):
        safexml.parse_file(tmp_path / "dtd.xml")


def test_text_replaces_what_xml_cannot_carry():
    assert safexml.text("Erika\x0b\x00\x1b[31m\ufffe\ud800 Grüße\t\n\r😀") == "Erika[31m Grüße\t\n\r😀"
    element = etree.Element("x")
    element.text = safexml.text("".join(map(chr, range(0, 0xE000, 7))))  # lxml accepts every result
