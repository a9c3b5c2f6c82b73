"""XBau 2.6 output format: the building-permit application as `baugenehmigung.antrag.0200`.

Registered for the LeiKa key of the Baugenehmigung (99012008001000). The XSDs ship with the app
(`xsd/xbau-2.6/`, see its SOURCES.md); `validate()` compiles them offline — every schemaLocation,
relative or an http(s) URL, is resolved to the local file of the same name — and checks a message.

Form answers are read by common field names (German first, English second); whatever the message has no
element for is kept, as "label: value" lines, in `bauvorhaben/weitereAngaben`, so nothing is lost.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from amtsweg.core import safexml
from amtsweg.submissions.output_formats import OutputFormat, register

if TYPE_CHECKING:
    from amtsweg.assistants.handoff import FormSubmissionPayload

XSD_DIR = Path(__file__).parent / "xsd" / "xbau-2.6"
ENTRY_XSD = "xbau-nachrichten-baugenehmigung.xsd"
NS = "http://www.xleitstelle.de/xbau/2/6"
NS_K = "http://www.xleitstelle.de/xbau/kernmodul/1/3/0"
BAUGENEHMIGUNG_LEIKA = "99012008001000"
MESSAGE = "baugenehmigung.antrag.0200"

FIELDS = {
    "vorname": ("vorname", "first_name", "given_name", "antragsteller_vorname"),
    "familienname": ("familienname", "nachname", "last_name", "family_name", "antragsteller_nachname"),
    "strasse": ("strasse", "street", "antragsteller_strasse"),
    "hausnummer": ("hausnummer", "house_number", "antragsteller_hausnummer"),
    "postleitzahl": ("postleitzahl", "plz", "postcode", "antragsteller_plz"),
    "ort": ("ort", "wohnort", "place", "city", "antragsteller_ort"),
    "email": ("email", "e_mail", "e-mail", "emailadresse"),
    "telefon": ("telefon", "phone", "telefonnummer"),
    "bezeichnung": ("bezeichnung", "bauvorhaben", "vorhaben", "bezeichnung_des_bauvorhabens", "project"),
}


class _Resolver(etree.Resolver):
    """Map every schemaLocation to the shipped file with the same base name: never touch the network."""

    def resolve(self, system_url, public_id, context):
        name = (system_url or "").rsplit("/", 1)[-1]
        path = XSD_DIR / name
        if path.is_file():
            return self.resolve_filename(str(path), context)
        raise etree.XMLSchemaParseError(f"schema {system_url} is not shipped with Amtsweg")


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(safexml.parse_file(XSD_DIR / ENTRY_XSD, resolver=_Resolver()))


def validate(xml: bytes) -> list[str]:
    """Errors of an XBau message against the XSDs (empty list: valid). A DTD is refused (safexml)."""
    document = safexml.fromstring(xml)
    xsd = schema()
    if xsd.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in xsd.error_log]


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _pick(flat: dict[str, Any], field: str, used: set[str]) -> str:
    lowered = {k.rsplit(".", 1)[-1].lower(): k for k in flat}
    for alias in FIELDS[field]:
        key = lowered.get(alias)
        if key is not None and flat[key] not in (None, "", [], {}):
            used.add(key)
            return str(flat[key])
    return ""


def _sub(parent, ns: str | None, tag: str, text: str | None = None, **attrib):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag, attrib)
    if text is not None:
        element.text = safexml.text(text)  # form answers may hold control characters XML cannot carry
    return element


def render_antrag(payload: FormSubmissionPayload, *, message_id: uuid.UUID | None = None,
                  created: datetime | None = None) -> bytes:
    flat = _flatten(payload.data)
    used: set[str] = set()
    values = {name: _pick(flat, name, used) for name in FIELDS}

    root = etree.Element(
        f"{{{NS}}}{MESSAGE}",
        nsmap={"xbau": NS, "xbauk": NS_K},
        attrib={"produkt": "Amtsweg", "produkthersteller": "Amtsweg (Open Source, EUPL-1.2)",
                "produktversion": "0.1", "standard": "XBau-Hochbau", "version": "2.6"},
    )
    head = _sub(root, None, "nachrichtenkopf.g2g")
    ident = _sub(head, None, "identifikation.nachricht")
    _sub(ident, None, "nachrichtenUUID", str(message_id or uuid.uuid4()))
    kind = _sub(ident, None, "nachrichtentyp", listURI="urn:xoev-de:xbau:codeliste:xbau-nachrichten",
                listVersionID="4.0")
    _sub(kind, None, "code", "0200")
    _sub(ident, None, "erstellungszeitpunkt",
         (created or datetime.now(UTC)).replace(microsecond=0).isoformat().replace("+00:00", "Z"))

    ref = _sub(root, NS, "referenzAntragsservice")
    _sub(ref, None, "referenzAntragsservice", str(uuid.uuid4()))

    applicant = _sub(root, NS, "antragsteller")
    person = _sub(applicant, None, "natuerlichePerson")
    name = _sub(person, None, "name")
    if values["familienname"]:
        _sub(_sub(name, None, "familienname"), None, "name", values["familienname"])
    if values["vorname"]:
        _sub(_sub(name, None, "vorname"), None, "name", values["vorname"])
    if any(values[k] for k in ("strasse", "hausnummer", "postleitzahl", "ort")):
        address = _sub(person, None, "anschrift")
        for field in ("strasse", "hausnummer", "postleitzahl", "ort"):
            if values[field]:
                _sub(address, None, field, values[field])
    for field, channel in (("email", "01"), ("telefon", "02")):
        if values[field]:
            com = _sub(person, None, "kommunikation")
            kanal = _sub(com, None, "kanal", listURI="urn:de:xoev:codeliste:erreichbarkeit", listVersionID="3")
            _sub(kanal, None, "code", channel)
            _sub(com, None, "kennung", values[field])

    project = _sub(root, NS, "bauvorhaben")
    _sub(project, NS, "bezeichnungDesBauvorhabens", values["bezeichnung"] or "Bauvorhaben")
    rest = [f"{k}: {v}" for k, v in flat.items() if k not in used and v not in (None, "", [], {})]
    if rest:
        _sub(project, NS, "weitereAngaben", "\n".join(rest))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@register("xbau-2.6-baugenehmigung.antrag.0200")
class XBauBaugenehmigungAntrag(OutputFormat):
    label = "XBau 2.6 baugenehmigung.antrag.0200"
    leika_keys = {BAUGENEHMIGUNG_LEIKA}
    mime_type = "application/xml"
    filename = "baugenehmigung.antrag.0200.xml"

    def render(self, payload: FormSubmissionPayload) -> bytes:
        return render_antrag(payload)
