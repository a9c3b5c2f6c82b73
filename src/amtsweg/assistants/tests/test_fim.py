"""FIM import of every file in the shared data set: valid ones import, invalid ones give their precise error."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amtsweg.assistants.definition import check_definition
from amtsweg.assistants.fim import FimError, parse_fim, to_definition
from amtsweg.assistants.forms import FormImportError, import_fim
from amtsweg.assistants.models import FormDefinition

SHARED = Path("/work/shared/data/fim")
FIM = Path(__file__).resolve().parent / "fim"  # a copy of the shared examples, so CI needs no shared directory
V2, V3 = FIM / "xdatenfelder-beispiele" / "v2", FIM / "xdatenfelder-beispiele" / "v3"
WBK = Path(__file__).resolve().parents[1] / "data" / "fim" / "S00000036_Waffenbesitzkarte_xdf1.xml"

VALID = ["v2/data-field-rule.xml", "v2/data-group-rule.xml", "v2/label.xml", "v2/minimal.xml", "v2/rule.xml",
         "v2/select.xml", "v2/simple.xml", "v3/input.xml", "v3/simple.xml"]
INVALID = {
    "v2/duplicate-optional-value.xml": ("Doppelter Wert: <xdf:beschreibung>", 15),
    "v2/duplicate-required-value.xml": ("Doppelter Wert: <xdf:name>", 13),
    "v2/unknown-namespace.xml": ("Unbekannter Namensraum „urn:xoev-de:fim:standard:xdatenfelder_unknown“", 2),
    "v3/duplicate-id-node.xml": ("Doppelter Wert: <xdf:id>", 11),
    "v3/empty-id-node.xml": ("Leerer Inhalt: <xdf:id>", 10),
    "v3/missing-id-node.xml": ("<xdf:id> fehlt in <xdf:identifikation>", 9),
    "v3/invalid-freigabestatus.xml": ("Ungültiger Freigabestatus: „10“", 18),
    "v3/unexpected-node.xml": ("Unerwartetes Element <xdf:unknown> in <xdf:identifikation>", 11),
    "v3/unknown-namespace.xml": ("Unbekannter Namensraum", 3),
}


def test_every_example_is_covered_and_matches_the_shared_data():
    base = FIM / "xdatenfelder-beispiele"
    present = {str(p.relative_to(base)) for p in base.rglob("*.xml")}
    assert present == set(VALID) | set(INVALID)
    if SHARED.exists():
        shared = SHARED / "xdatenfelder-beispiele"
        assert {str(p.relative_to(shared)) for p in shared.rglob("*.xml")} == present
        assert all((shared / name).read_bytes() == (base / name).read_bytes() for name in present)
        assert (SHARED / "stammdatenschemata" / WBK.name).read_bytes() == WBK.read_bytes()


@pytest.mark.parametrize("name", VALID)
def test_valid_examples_convert_to_valid_definitions(name):
    document = parse_fim((FIM / "xdatenfelder-beispiele" / name).read_bytes())
    check_definition(to_definition(document))


@pytest.mark.parametrize(("name", "expected"), INVALID.items())
def test_invalid_examples_are_refused_precisely(name, expected):
    message, line = expected
    with pytest.raises(FimError) as exc:
        parse_fim((FIM / "xdatenfelder-beispiele" / name).read_bytes())
    assert message in str(exc.value)
    assert exc.value.line == line
    assert f"Zeile {line}" in str(exc.value)


def test_error_names_the_element_path():
    with pytest.raises(FimError) as exc:
        parse_fim((V3 / "unexpected-node.xml").read_bytes())
    assert exc.value.path == "/xdatenfelder.datenfeldgruppe.0103/datenfeldgruppe/identifikation/unknown"


def test_v2_simple_maps_group_field_and_rule():
    definition = to_definition(parse_fim((V2 / "simple.xml").read_bytes()))
    (step,) = definition["steps"]
    assert step["title"] == {"de": "Natürliche Person"}
    (fieldset,) = step["fieldsets"]
    (field,) = fieldset["fields"]
    assert field["id"] == "F60000227" and field["type"] == "text" and field["required"] is True
    assert field["validation"] == {"min_length": 1, "max_length": 120}
    assert field["help"] == {"de": "Hilfe Eingabe"}
    assert definition["source"]["rules"] == [{"id": "R60000037", "name": "MindestEineAngabe",
                                              "text": "Eine Definition", "script": "function script() {}",
                                              "applies_to": ["T1234"],
                                              "task": "Bitte von Hand umsetzen: keine Standardformulierung („… ist "
                                                      "nur dann zu befüllen, wenn …“)."}]


def test_v2_label_becomes_a_note_and_select_without_values_becomes_text_with_note():
    label = to_definition(parse_fim((V2 / "label.xml").read_bytes()))
    assert label["steps"][0]["fieldsets"][0]["fields"][0]["type"] == "note"
    assert label["steps"][0]["fieldsets"][0]["fields"][0]["help"] == {"de": "Hinweis Inhalt"}
    select = to_definition(parse_fim((V2 / "select.xml").read_bytes()))
    assert select["steps"][0]["fieldsets"][0]["fields"][0]["type"] == "text"
    assert "Codeliste C123" in select["source"]["notes"][0] and "urn:de:example" in select["source"]["notes"][0]


def test_v3_constraints_from_attributes_and_optional_group():
    definition = to_definition(parse_fim((V3 / "simple.xml").read_bytes()))
    field = definition["steps"][0]["fieldsets"][0]["fields"][0]
    assert field["validation"] == {"min_length": 1, "max_length": 55}
    # the street group is optional (0:1), so its mandatory field is required only when the section applies
    assert field["required"] is False
    assert definition["source"]["rules"][0]["text"].startswith("Es muss entweder Feldgruppe G60000086")


def test_v3_code_values_in_the_document_become_choices():
    xml = (V3 / "input.xml").read_bytes().replace(
        b"<xdf:codelisteReferenz>\n                    </xdf:codelisteReferenz>",
        b"<xdf:werte><xdf:wert><xdf:code>01</xdf:code><xdf:name>Eins</xdf:name></xdf:wert>"
        b"<xdf:wert><xdf:code>02</xdf:code><xdf:name>Zwei</xdf:name></xdf:wert></xdf:werte>")
    definition = to_definition(parse_fim(xml))
    field = definition["steps"][0]["fieldsets"][0]["fields"][0]
    assert field["type"] == "choice"
    assert definition["codelists"][field["codelist"]] == [{"code": "01", "label": {"de": "Eins"}},
                                                          {"code": "02", "label": {"de": "Zwei"}}]
    duplicate = xml.replace(b"<xdf:code>02</xdf:code>", b"<xdf:code>01</xdf:code>")
    with pytest.raises(FimError, match="Doppelter Wert: Code „01“"):
        parse_fim(duplicate)


def test_real_waffenbesitzkarte_schema_imports():
    definition = to_definition(parse_fim(WBK.read_bytes()))
    check_definition(definition)
    assert definition["source"]["kind"] == "XDatenfelder 1.0" and definition["source"]["id"] == "S00000036"
    fields = [f for s in definition["steps"] for fs in s["fieldsets"] for f in fs["fields"]]
    assert len(fields) == 47  # 46 Datenfelder and the heading "Stempel" inside the repeatable Eintragungen
    eintragungen = next(fs for s in definition["steps"] for fs in s["fieldsets"]
                        if fs.get("fim", {}).get("id") == "G00000066")
    assert eintragungen["repeat"] == {"min": 0, "max": 10}
    by_label = {f["label"]["de"]: f for f in fields}
    assert by_label["Geburtsdatum"]["type"] == "date"
    assert by_label["Munitionserlaubnis zur Waffe"]["type"] == "yesno"
    assert by_label["Hersteller- bzw. Seriennummer"]["repeat"] == {"min": 1, "max": 4}
    staat = by_label["Staat"]  # C00000009, Destatis 2017-01-01: offered from the latest shipped version
    assert staat["type"] == "choice" and len(definition["codelists"][staat["codelist"]]) > 190
    assert any("F00000038" in note and "2024-08-01" in note for note in definition["source"]["notes"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "leer"),
        (b"<a><b></a>", "Kein wohlgeformtes XML"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DTD"),
        (b"<x xmlns='urn:other'/>", "Unbekannter Namensraum „urn:other“"),
        (b"<xdf:foo xmlns:xdf='urn:xoev-de:fim:standard:xdatenfelder_2'/>", "Unerwartetes Wurzelelement"),
        (b"<x/>" + b" " * (10 * 1024 * 1024), "zu groß"),
    ],
)
def test_unsafe_or_broken_input_is_refused(payload, message):
    with pytest.raises(FimError, match=message):
        parse_fim(payload)


MINIMAL = (V2 / "minimal.xml").read_text(encoding="utf-8")
DTD_ATTACKS = {  # (declaration, what the schema's name then says)
    "external entity": ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "Test &e;"),
    "external DTD": ('<!DOCTYPE x SYSTEM "file:///etc/passwd">', "Test"),
    "billion laughs": ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                       '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
                       "Test &d;"),
}


@pytest.mark.parametrize(("declared", "codec", "bom"), [
    ("UTF-8", "utf-8", b"\xef\xbb\xbf"), ("UTF-16", "utf-16-le", b"\xff\xfe"), ("UTF-16", "utf-16-be", b"\xfe\xff"),
    ("UTF-16LE", "utf-16-le", b""), ("UTF-16BE", "utf-16-be", b""),
])
@pytest.mark.parametrize("attack", DTD_ATTACKS)
def test_a_dtd_is_refused_in_any_encoding(attack, declared, codec, bom):
    """A byte search for `<!DOCTYPE` let UTF-16 through; the document is otherwise a valid FIM schema."""
    declaration, name = DTD_ATTACKS[attack]
    text = MINIMAL.replace('encoding="UTF-8"?>', f'encoding="{declared}"?>', 1)
    parse_fim(bom + text.encode(codec))  # the same document without the DTD is fine
    text = text.replace("?>", "?>" + declaration, 1)
    text = text.replace("<xdf:name>Test</xdf:name>", f"<xdf:name>{name}</xdf:name>")
    with pytest.raises(FimError, match="DTD"):
        parse_fim(bom + text.encode(codec))


@pytest.mark.django_db
def test_import_fim_command_and_idempotence(capsys):
    call_command("import_fim", str(WBK), "--leika", "99089086000000", "--slug", "waffenbesitzkarte", "--publish")
    out = capsys.readouterr().out
    assert "waffenbesitzkarte v1: 7 Schritte" in out and "Hinweis: F00000073" in out
    version = import_fim(WBK.read_bytes(), leika_key="99089086000000", slug="waffenbesitzkarte")
    assert version.number == 1 and version.is_published and version.form.leika_key == "99089086000000"


@pytest.mark.django_db
@pytest.mark.parametrize("leika", ["12345678901234", "99١٠٢٠١٣٠٠٠٠٠٠", "nicht im LeiKa"])
def test_import_fim_refuses_keys_routing_cannot_route(leika):
    """14 characters that isdigit() took but routing refuses: the form would be published and unroutable."""
    with pytest.raises(FormImportError, match="beginnt mit 99"):
        import_fim(WBK.read_bytes(), leika_key=leika, slug="waffenbesitzkarte")
    assert not FormDefinition.objects.exists()


@pytest.mark.django_db
def test_import_fim_command_reports_what_and_where():
    with pytest.raises(CommandError, match=r"Leerer Inhalt: <xdf:id>.*Zeile 10"):
        call_command("import_fim", str(V3 / "empty-id-node.xml"), "--leika", "99089086000000")


@pytest.mark.django_db
def test_export_and_import_form_commands(tmp_path, capsys):
    version = import_fim((V2 / "simple.xml").read_bytes(), leika_key="99102013000000", slug="person",
                         publish_now=True)
    target = tmp_path / "person.json"
    call_command("export_form", "person", "-o", str(target))
    version.form.slug = "person-alt"
    version.form.save()
    call_command("import_form", str(target), "--publish")
    assert "person v1 (veröffentlicht)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Kein Formular"):
        call_command("export_form", "gibt-es-nicht")


XDF3_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
  <xdf:header><xdf:nachrichtID>1</xdf:nachrichtID><xdf:erstellungszeitpunkt>2024-01-01T00:00:00Z</xdf:erstellungszeitpunkt>
  </xdf:header>
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>S60000011</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
    <xdf:name>Hundesteuer Anmeldung</xdf:name>
    <xdf:bezeichnung>Anmeldung zur Hundesteuer</xdf:bezeichnung>
    <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
    <xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>
    <xdf:dokumentsteckbrief><xdf:id>D60000001</xdf:id><xdf:version>1.0.0</xdf:version></xdf:dokumentsteckbrief>
    <xdf:regel>
      <xdf:identifikation><xdf:id>R60000001</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
      <xdf:name>Beginn nach Geburt</xdf:name>
      <xdf:freitextRegel>Der Beginn der Haltung liegt nach dem Wurfdatum.</xdf:freitextRegel>
      <xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>
      <xdf:typ><code>V</code></xdf:typ>
      <xdf:param><xdf:element>F60000002</xdf:element></xdf:param>
    </xdf:regel>
    <xdf:struktur>
      <xdf:anzahl>1:1</xdf:anzahl>
      <xdf:enthaelt>
        <xdf:datenfeldgruppe>
          <xdf:identifikation><xdf:id>G60000001</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
          <xdf:name>Hund</xdf:name>
          <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
          <xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>
          <xdf:bezeichnungEingabe>Angaben zum Hund</xdf:bezeichnungEingabe>
          <xdf:schemaelementart><code>RNG</code></xdf:schemaelementart>
          <xdf:struktur>
            <xdf:anzahl>1:1</xdf:anzahl>
            <xdf:enthaelt>
              <xdf:datenfeld>
                <xdf:identifikation><xdf:id>F60000001</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
                <xdf:name>Rasse</xdf:name>
                <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
                <xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>
                <xdf:bezeichnungEingabe>Rasse</xdf:bezeichnungEingabe>
                <xdf:schemaelementart><code>RNG</code></xdf:schemaelementart>
                <xdf:feldart><code>select</code></xdf:feldart>
                <xdf:datentyp><code>text</code></xdf:datentyp>
                <xdf:werte>
                  <xdf:wert><xdf:code>1</xdf:code><xdf:name>Mischling</xdf:name></xdf:wert>
                  <xdf:wert><xdf:code>2</xdf:code><xdf:name>Dackel</xdf:name></xdf:wert>
                </xdf:werte>
                <xdf:vorbefuellung><code>keine</code></xdf:vorbefuellung>
              </xdf:datenfeld>
            </xdf:enthaelt>
          </xdf:struktur>
          <xdf:struktur>
            <xdf:anzahl>0:3</xdf:anzahl>
            <xdf:enthaelt>
              <xdf:datenfeld>
                <xdf:identifikation><xdf:id>F60000002</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
                <xdf:name>Gebühr</xdf:name>
                <xdf:freigabestatus><code>6</code></xdf:freigabestatus>
                <xdf:letzteAenderung>2024-01-01T00:00:00Z</xdf:letzteAenderung>
                <xdf:bezeichnungEingabe>Bisherige Steuer</xdf:bezeichnungEingabe>
                <xdf:schemaelementart><code>RNG</code></xdf:schemaelementart>
                <xdf:feldart><code>input</code></xdf:feldart>
                <xdf:datentyp><code>num_currency</code></xdf:datentyp>
                <xdf:praezisierung minValue="0" maxValue="500"/>
              </xdf:datenfeld>
            </xdf:enthaelt>
          </xdf:struktur>
        </xdf:datenfeldgruppe>
      </xdf:enthaelt>
    </xdf:struktur>
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>
"""


def test_xdatenfelder_3_stammdatenschema_with_values_amounts_and_rules():
    document = parse_fim(XDF3_SCHEMA.encode())
    assert document.version == "3.0" and document.root.label == "Anmeldung zur Hundesteuer"
    definition = to_definition(document)
    check_definition(definition)
    (step,) = definition["steps"]
    rasse, steuer = step["fieldsets"][0]["fields"]
    assert rasse["type"] == "choice" and rasse["required"] is True
    assert [c["label"]["de"] for c in definition["codelists"][rasse["codelist"]]] == ["Mischling", "Dackel"]
    assert steuer["type"] == "amount" and steuer["repeat"] == {"min": 0, "max": 3}
    assert steuer["validation"] == {"min_cents": 0, "max_cents": 50000}
    assert definition["source"]["rules"][0]["text"] == "Der Beginn der Haltung liegt nach dem Wurfdatum."
