"""The one way Amtsweg parses XML it did not write itself: no DTD, in any encoding.

XML from outside (a FIM file a form author uploads, a message checked against its XSD) may carry a
document type declaration, and with it the classic attacks: external entities that read local files or
call the network (XXE) and nested entities that expand to gigabytes ("billion laughs"). Amtsweg's
formats never need a DTD, so a document with one is refused outright.

A byte search for `<!DOCTYPE` is not enough: the same declaration in UTF-16 (LE or BE, with or without a
byte-order mark) or UTF-32 has no such bytes. So the refusal is left to XML parsers, which decode first:

1. defusedxml's expat reader reads the prolog (up to the root element's start tag) and stops at the
   first `<!DOCTYPE`, before any declaration in it is read (UTF-8, UTF-16 and the single-byte encodings
   Python knows). It stops at the root element, so the cost is that of the prolog only.
2. lxml then parses the whole document without resolving entities, without loading a DTD, without
   network access and with libxml2's size limits (`huge_tree=False`, its entity amplification limit),
   and the result is refused if libxml2 saw a DTD (`docinfo`), whatever encoding expat could not read.

The second check alone would be enough for the result; the first means a DTD is never read at all in
the encodings that matter. `text()` is for the other direction: what a citizen typed may hold characters
XML 1.0 cannot carry at all (control characters, lone surrogates), on which lxml raises. SAML is parsed
by pysaml2, which uses defusedxml itself. Files that ship with Amtsweg (the XBau XSDs) are read with
`parse_file`, which adds a resolver for their imports.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser
from lxml import etree

# Safety options no caller may change; callers may add others (remove_comments, remove_pis, ...).
SAFE_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
}


# Everything outside XML 1.0's Char production: C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value: str) -> str:
    """`value` as XML 1.0 can carry it: characters it cannot are left out. They carry nothing visible
    (a replacement character would break XÖV's DIN 91379 patterns); the JSON beside the XML keeps all."""
    return _NOT_XML_CHAR.sub("", value)


class XmlRefused(ValueError):
    """The document is refused for safety, not for its syntax (lxml's XMLSyntaxError is that)."""


class DocumentTypeForbidden(XmlRefused):
    """The document has a document type declaration (DTD), which may declare entities."""

    def __init__(self) -> None:
        super().__init__("XML documents with a document type declaration (DTD) are refused")


class _RootReached(SAXException):
    """Stops the prolog check at the root element's start tag: the rest is lxml's."""

    def __init__(self) -> None:
        super().__init__("root element reached")


class _StopAtRoot(ContentHandler):
    def startElement(self, name, attrs):  # noqa: N802 (xml.sax's naming)
        raise _RootReached()


def _refuse_dtd_in_prolog(data: bytes) -> None:
    """Raise DocumentTypeForbidden if expat meets a DTD (or entity declaration) before the root element.

    A document expat cannot read (an encoding it lacks, a syntax error) passes on to lxml, which reports
    the syntax error or, for a document it can read, is checked for a DTD there.
    """
    reader = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    reader.setContentHandler(_StopAtRoot())
    try:
        reader.parse(io.BytesIO(data))
    except DefusedXmlException:
        raise DocumentTypeForbidden() from None
    except (_RootReached, SAXException):
        return


def parser(**options) -> etree.XMLParser:
    """An lxml parser with the safety options (`SAFE_OPTIONS`) and any harmless extra `options`."""
    overridden = set(options) & set(SAFE_OPTIONS)
    if overridden:
        raise TypeError(f"safety options cannot be changed: {', '.join(sorted(overridden))}")
    return etree.XMLParser(**SAFE_OPTIONS, **options)


def _refuse_dtd_seen_by_libxml2(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DocumentTypeForbidden()


def fromstring(data: bytes, **options) -> etree._Element:
    """Parse `data` (bytes: the encoding is the document's) into an lxml element, refusing any DTD.

    Raises DocumentTypeForbidden for a DTD and etree.XMLSyntaxError for a document that is not
    well-formed (which includes one whose entities would expand beyond libxml2's limit).
    """
    if not isinstance(data, bytes):
        raise TypeError("safexml.fromstring() takes bytes; the document's encoding is its own")
    _refuse_dtd_in_prolog(data)
    root = etree.fromstring(data, parser(**options))
    _refuse_dtd_seen_by_libxml2(root.getroottree())
    return root


def parse_file(path: Path, *, resolver: etree.Resolver | None = None) -> etree._ElementTree:
    """Parse a file that ships with Amtsweg (its path is its base URL, for relative imports).

    `resolver` decides what the document's imports and includes load (e.g. XSDs of the same folder);
    without one nothing is loaded. A DTD is refused as in `fromstring`.
    """
    data = Path(path).read_bytes()
    _refuse_dtd_in_prolog(data)
    xml_parser = parser()
    if resolver is not None:
        xml_parser.resolvers.add(resolver)
    tree = etree.fromstring(data, xml_parser, base_url=str(path)).getroottree()
    _refuse_dtd_seen_by_libxml2(tree)
    return tree
