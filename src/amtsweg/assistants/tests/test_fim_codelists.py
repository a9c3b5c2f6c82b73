"""XRepository code lists: shipped genericode files, resolved by URN and version, offered as choices."""

from pathlib import Path

import pytest

from amtsweg.assistants.definition import FormSpec, check_definition
from amtsweg.assistants.engine import validate_step
from amtsweg.assistants.fim import parse_fim, to_definition
from amtsweg.assistants.fim.codelists import CodeListError, parse_genericode, resolve, shipped

V2 = Path(__file__).resolve().parent / "fim" / "xdatenfelder-beispiele" / "v2"
SELECT = (V2 / "select.xml").read_text(encoding="utf-8")


def _with_reference(uri: str, version: str) -> bytes:
    return SELECT.replace("urn:de:example_1", f"{uri}_{version}").replace(
        "<xdf:canonicalIdentification>urn:de:example</xdf:canonicalIdentification>",
        f"<xdf:canonicalIdentification>{uri}</xdf:canonicalIdentification>").replace(
        "<xdf:version>1</xdf:version>", f"<xdf:version>{version}</xdf:version>").encode()


@pytest.mark.parametrize(("uri", "version", "codes"), [
    ("urn:xoev-de:xinneres:codeliste:geschlecht", "1", {"m", "w", "x", "d"}),
    ("urn:xpersonenstand:schluesseltabelle:geschlecht", "3", {"m", "w", "x", "d"}),
    ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat", "2024-08-01", {"000", "129", "423"}),
    ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit", "2024-08-01",
     {"000", "997", "998", "999"}),
    ("urn:de:xoev:codeliste:erreichbarkeit", "4.1", {"01", "02", "03"}),
    ("urn:de:dsmeld:schluesseltabelle:familienstand", "2", {"LD", "VH", "VW", "GS", "LP"}),
])
def test_the_most_used_code_lists_are_shipped_and_become_choices(uri, version, codes):
    code_list, exact = resolve(uri, version)
    assert exact and code_list.version == version
    definition = to_definition(parse_fim(_with_reference(uri, version)))
    check_definition(definition)
    field = definition["steps"][0]["fieldsets"][0]["fields"][0]
    assert field["type"] == "choice"
    offered = {c["code"] for c in definition["codelists"][field["codelist"]]}
    assert codes <= offered
    assert definition["source"]["codelists"][field["codelist"]]["uri"] == uri
    assert not any("Codeliste" in note for note in definition["source"]["notes"])


def test_labels_come_from_the_list_not_the_codes():
    code_list, _exact = resolve("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat", "2024-08-01")
    assert dict(code_list.values())["129"] == "Frankreich"
    erreichbarkeit, _exact = resolve("urn:de:xoev:codeliste:erreichbarkeit", "4.1")
    assert dict(erreichbarkeit.values())["01"] == "E-Mail"


def test_a_version_uri_alone_resolves():
    code_list, exact = resolve("urn:de:dsmeld:schluesseltabelle:familienstand_2")
    assert exact and code_list.uri == "urn:de:dsmeld:schluesseltabelle:familienstand"


def test_an_unknown_version_falls_back_to_the_latest_with_an_author_note():
    definition = to_definition(parse_fim(_with_reference("urn:de:xoev:codeliste:erreichbarkeit", "2")))
    field = definition["steps"][0]["fieldsets"][0]["fields"][0]
    assert field["type"] == "choice"
    assert any("Version „2“ ist nicht hinterlegt" in n and "4.1" in n for n in definition["source"]["notes"])


def test_an_unknown_list_stays_text_with_an_author_task():
    definition = to_definition(parse_fim(_with_reference("urn:de:nirgends:codeliste:gibtsnicht", "1")))
    field = definition["steps"][0]["fieldsets"][0]["fields"][0]
    assert field["type"] == "text" and "codelist" not in field
    assert any("nicht hinterlegt" in n and "bitte Codeliste ergänzen" in n for n in definition["source"]["notes"])


def test_a_submitted_code_must_be_one_of_the_list():
    definition = to_definition(parse_fim(_with_reference("urn:de:dsmeld:schluesseltabelle:familienstand", "2")))
    spec = FormSpec(definition)
    step = spec.steps[0]
    field_id = step["fieldsets"][0]["fields"][0]["id"]
    assert validate_step(spec, step["id"], {field_id: "VH"}).cleaned[field_id] == "VH"
    result = validate_step(spec, step["id"], {field_id: "XX"})
    assert result.errors and "angebotenen" in result.errors[0].message


def test_a_shared_list_is_stored_once_per_definition():
    xml = _with_reference("urn:de:xoev:codeliste:erreichbarkeit", "4.1").decode()
    start, end = xml.index("<xdf:struktur>"), xml.index("</xdf:struktur>") + len("</xdf:struktur>")
    block = xml[start:end]
    twice = xml[:end] + block.replace("<xdf:id>F", "<xdf:id>F9") + xml[end:]
    definition = to_definition(parse_fim(twice.encode()))
    fields = definition["steps"][0]["fieldsets"][0]["fields"]
    assert len(fields) == 2 and fields[0]["codelist"] == fields[1]["codelist"] and len(definition["codelists"]) == 1


@pytest.mark.parametrize(("payload", "message"), [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "kein verwendbares"),
    (b"<x/>", "kein genericode"),
    (b"<gc:CodeList xmlns:gc='http://docs.oasis-open.org/codelist/ns/genericode/1.0/'><Identification/>"
     b"<ColumnSet/><SimpleCodeList/></gc:CodeList>", "CanonicalUri oder Version fehlt"),
])
def test_genericode_is_parsed_safely_and_strictly(payload, message):
    with pytest.raises(CodeListError, match=message):
        parse_genericode(payload, "test.xml")


def test_every_shipped_file_is_readable_and_documented():
    registry = shipped()
    assert len([v for versions in registry.values() for v in versions]) >= 6
    sources = (Path(__file__).resolve().parents[1] / "data" / "codelists" / "SOURCES.md").read_text(encoding="utf-8")
    for versions in registry.values():
        for code_list in versions.values():
            assert code_list.source in sources
            assert code_list.values()
