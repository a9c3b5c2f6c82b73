"""XBau 2.6 output format: valid messages, the validator fails on broken ones, and the plugin registry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from amtsweg.assistants.handoff import FormSubmissionPayload
from amtsweg.core import safexml
from amtsweg.submissions import output_formats, xbau


def _payload(data: dict) -> FormSubmissionPayload:
    return FormSubmissionPayload(leika_key=xbau.BAUGENEHMIGUNG_LEIKA, form_slug="baugenehmigung", form_version=2,
                                 data=data, applicant_ars="100410100100")


FULL = {
    "antragsteller": {"vorname": "Erika", "familienname": "Mustermann", "strasse": "Am Markt", "hausnummer": "3",
                      "plz": "66111", "ort": "Saarbrücken", "email": "erika@example.org", "telefon": "0681 905"},
    "bauvorhaben": "Neubau eines Einfamilienhauses mit Garage",
    "grundstueck": {"gemarkung": "St. Johann", "flur": "12", "flurstueck": "345/6"},
    "anzahl_vollgeschosse": 2,
}


@pytest.mark.parametrize("data", [FULL, {}, {"bauvorhaben": "Carport"}, {"nachname": "Ölmüller-Straßburg"}])
def test_rendered_messages_are_valid_against_the_xsd(data):
    xml = xbau.render_antrag(_payload(data))
    assert xbau.validate(xml) == []
    root = etree.fromstring(xml)
    assert root.tag == f"{{{xbau.NS}}}baugenehmigung.antrag.0200"
    assert root.get("standard") == "XBau-Hochbau" and root.get("version") == "2.6"


def test_nothing_from_the_form_is_lost():
    xml = xbau.render_antrag(_payload(FULL)).decode()
    for value in ("Erika", "Mustermann", "Am Markt", "66111", "erika@example.org", "Neubau eines Einfamilienhauses",
                  "St. Johann", "345/6", "anzahl_vollgeschosse: 2"):
        assert value in xml


def test_the_validator_rejects_broken_messages():
    root = etree.fromstring(xbau.render_antrag(_payload(FULL)))
    del root.attrib["produkt"]  # required attribute
    assert xbau.validate(etree.tostring(root))
    root = etree.fromstring(xbau.render_antrag(_payload(FULL)))
    head = root.find("nachrichtenkopf.g2g")
    root.remove(head)
    root.append(head)  # wrong order
    assert xbau.validate(etree.tostring(root))
    code = etree.fromstring(xbau.render_antrag(_payload(FULL))).find(".//nachrichtentyp")
    code.set("listURI", "urn:falsch")  # fixed value
    assert xbau.validate(etree.tostring(code.getroottree().getroot()))


def test_schemas_are_resolved_locally_only():
    with pytest.raises(etree.XMLSchemaParseError):
        xbau._Resolver().resolve("https://example.org/not-shipped.xsd", None, None)
    assert isinstance(xbau.schema(), etree.XMLSchema)


def test_output_format_registry():
    assert isinstance(output_formats.for_service(xbau.BAUGENEHMIGUNG_LEIKA), xbau.XBauBaugenehmigungAntrag)
    assert output_formats.for_service("99102013000000") is None
    assert "xbau-2.6-baugenehmigung.antrag.0200" in output_formats.register


def test_the_assistants_address_field_shape_is_mapped():
    data = {"vorname": "Erika", "familienname": "Mustermann",
            "anschrift": {"street": "Am Markt", "house_number": "3", "postcode": "66111", "place": "Saarbrücken"}}
    root = etree.fromstring(xbau.render_antrag(_payload(data)))
    address = root.find(".//anschrift")
    assert [(e.tag, e.text) for e in address] == [
        ("strasse", "Am Markt"), ("hausnummer", "3"), ("postleitzahl", "66111"), ("ort", "Saarbrücken")]
    assert root.find(".//weitereAngaben") is None  # everything had its element



@settings(max_examples=60, deadline=None)
@given(latin=st.text(alphabet=st.sampled_from("AaÄäßé -'\x0b\x00\x1b\ufffe\ud800"), min_size=1, max_size=30),
       anything=st.text(max_size=30))
def test_control_characters_in_answers_render_a_valid_message(latin, anything):
    """A vertical tab or an escape sequence in a form answer made lxml raise in the intake (ValueError)."""
    xml = xbau.render_antrag(_payload({"vorname": latin, "familienname": latin, "bemerkung": latin}))
    assert xbau.validate(xml) == []
    xml = xbau.render_antrag(_payload({"vorname": anything, "bemerkung": anything}))
    assert safexml.fromstring(xml).tag == f"{{{xbau.NS}}}baugenehmigung.antrag.0200"
