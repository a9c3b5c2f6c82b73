"""The key formats, checked with real keys of the shipped reference data (data/reference, see its SOURCES.md)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from amtsweg.core import keyformats
from amtsweg.core.keyformats import ArsLevel

REFERENCE = Path(settings.PROJECT_DIR) / "data" / "reference"

# (key, level) from gemeinden_ars_2026-06-30.csv and the Destatis code lists
ARS_CASES = [
    ("10", ArsLevel.LAND),  # Saarland
    ("09", ArsLevel.LAND),  # Bayern
    ("064", ArsLevel.REGIERUNGSBEZIRK),  # Reg.-Bez. Darmstadt
    ("091", ArsLevel.REGIERUNGSBEZIRK),  # Oberbayern
    ("021", ArsLevel.REGIERUNGSBEZIRK),  # Bezirk Hamburg-Mitte (Hamburg's Bezirke sit in that digit)
    ("100", ArsLevel.REGIERUNGSBEZIRK),  # the Saarland has none: digit 0
    ("10041", ArsLevel.KREIS),  # Regionalverband Saarbrücken
    ("09162", ArsLevel.KREIS),  # München, kreisfreie Stadt
    ("100410100", ArsLevel.GEMEINDEVERBAND),
    ("100410100100", ArsLevel.GEMEINDE),  # Saarbrücken
    ("091620000000", ArsLevel.GEMEINDE),  # München
    ("021010101101", ArsLevel.GEMEINDE),  # Hamburg-Altstadt, OT 101
    ("039019999999", ArsLevel.GEMEINDE),  # Nds-Küstengewässer (gemeindefrei)
]
NOT_ARS = [
    "", "1", "1004", "100410", "10041010", "1004101001", "10041010010", "1004101001000", "10041O100100",
    " 10041", "10041 ", "10041\n", "+10041", "-10041", "10 041",
    "١٠٠٤١",  # Arabic-Indic digits: str.isdigit() and \d say yes
    "１００４１",  # full-width digits
    "10²41", None, 10041,
]


@pytest.mark.parametrize(("key", "level"), ARS_CASES)
def test_ars_levels_of_real_keys(key, level):
    assert keyformats.ars_level(key) is level
    assert keyformats.is_ars(key)
    keyformats.validate_ars(key)
    assert re.fullmatch(keyformats.ARS_PATTERN, key)


@pytest.mark.parametrize("value", NOT_ARS)
def test_not_an_ars(value):
    assert keyformats.ars_level(value) is None
    assert not keyformats.is_ars(value)
    assert not keyformats.is_municipality_ars(value)
    with pytest.raises(ValidationError) as raised:
        keyformats.validate_ars(value)
    assert raised.value.code == "ars"


def test_level_labels_are_german():
    assert [str(level.label) for level in ArsLevel] == [
        "Land", "Regierungsbezirk", "Kreis", "Gemeindeverband", "Gemeinde"]
    assert keyformats.ARS_LENGTHS == (2, 3, 5, 9, 12)


@pytest.mark.parametrize(
    ("ars", "ags"),
    [
        ("100410100100", "10041100"),  # Saarbrücken
        ("010010000000", "01001000"),  # Flensburg
        ("064120000000", "06412000"),  # Frankfurt am Main
        ("021010101101", "02101101"),  # Hamburg-Altstadt, OT 101
        ("146120000000", "14612000"),  # Dresden
        ("10041", "10041"),
        ("064", "064"),
        ("10", "10"),
    ],
)
def test_ags_from_ars(ars, ags):
    assert keyformats.ags_from_ars(ars) == ags
    assert keyformats.is_ags(ags)


@pytest.mark.parametrize("ars", ["100410100", "1004101", "", "١٠٠٤١٠١٠٠١٠٠"])
def test_no_ags_for_a_gemeindeverband_or_a_non_key(ars):
    with pytest.raises(ValueError):
        keyformats.ags_from_ars(ars)


@pytest.mark.parametrize("value", ["10041100", "09162000", "10041", "064", "10"])
def test_ags(value):
    assert keyformats.is_ags(value)
    keyformats.validate_ags(value)
    assert re.fullmatch(keyformats.AGS_PATTERN, value)


@pytest.mark.parametrize("value", ["100410100", "100410100100", "1004110", "100411000", "١٠٠٤١١٠٠", "", None])
def test_not_an_ags(value):
    assert not keyformats.is_ags(value)
    with pytest.raises(ValidationError):
        keyformats.validate_ags(value)


def test_ars_prefixes_most_specific_first():
    assert keyformats.ars_prefixes("100410100100") == ("100410100100", "100410100", "10041", "100", "10")
    assert keyformats.ars_prefixes("10041") == ("10041", "100", "10")
    assert keyformats.ars_prefixes("10") == ("10",)
    assert keyformats.ars_prefixes("1004") == ()


@pytest.mark.parametrize("key", ["99102013000000", "99001001000000", "99107023017001", "99123456760610"])
def test_leika_keys(key):
    assert keyformats.is_leika_key(key)
    keyformats.validate_leika_key(key)
    assert re.fullmatch(keyformats.LEIKA_KEY_PATTERN, key)


@pytest.mark.parametrize("key", [
    "nicht im LeiKa",  # the catalogue's marker for services without a key: 14 characters, too
    "12345678901234",  # 14 digits, but not 99…
    "9910201300000", "991020130000000", "99102013000000\n", " 99102013000000",
    "99١٠٢٠١٣٠٠٠٠٠٠",  # \d{12} takes these
    "", None, 99102013000000,
])
def test_not_a_leika_key(key):
    assert not keyformats.is_leika_key(key)
    with pytest.raises(ValidationError) as raised:
        keyformats.validate_leika_key(key)
    assert raised.value.code == "leika_key"
    assert str(raised.value.messages[0]) == "Ein Leistungsschlüssel hat 14 Ziffern und beginnt mit 99."


@pytest.mark.parametrize("value", ["01067", "66111", "64283", "99998", "10115"])
def test_postcodes(value):
    assert keyformats.is_postcode(value)
    keyformats.validate_postcode(value)
    assert re.fullmatch(keyformats.POSTCODE_PATTERN, value)


@pytest.mark.parametrize("value", ["00123", "6611", "661111", "66 111", "٦٦١١١", "６６１１１", "66111\n", "", None])
def test_not_a_postcode(value):
    assert not keyformats.is_postcode(value)
    assert not (isinstance(value, str) and re.fullmatch(keyformats.POSTCODE_PATTERN, value) and value.isascii())


def test_normalize_takes_spaces_out_and_checks_the_level():
    assert keyformats.normalize_ars(" 10 0 41 0100 100 ") == "100410100100"
    assert keyformats.normalize_ars("10041", levels=(ArsLevel.KREIS, ArsLevel.GEMEINDE)) == "10041"
    with pytest.raises(ValidationError):
        keyformats.normalize_ars("100410100", levels=(ArsLevel.KREIS, ArsLevel.GEMEINDE))
    with pytest.raises(ValidationError):
        keyformats.normalize_ars("١٠٠٤١")


def test_is_digits_takes_ascii_digits_only():
    assert keyformats.is_digits("01001", 5)
    assert not keyformats.is_digits("0100", 5) and not keyformats.is_digits("0100a", 5)
    assert not keyformats.is_digits("٠١٠٠١", 5) and not keyformats.is_digits(1001, 4)


def test_land_codes():
    assert sorted(keyformats.LAND_CODES) == [f"{n:02d}" for n in range(1, 17)]


def test_every_key_of_the_reference_data_passes():
    """All 11,227 Gemeinden, their AGS, Verband, Kreis and Land keys, every postcode and every LeiKa key."""
    with (REFERENCE / "gemeinden" / "gemeinden_ars_2026-06-30.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11_227
    for row in rows:
        ars = row["ars"]
        assert keyformats.is_municipality_ars(ars), ars
        assert keyformats.ags_from_ars(ars) == row["ags"], ars
        assert keyformats.is_municipality_ags(row["ags"])
        assert keyformats.ars_level(row["verband_schluessel"]) is ArsLevel.GEMEINDEVERBAND
        assert keyformats.ars_level(row["kreis_schluessel"]) is ArsLevel.KREIS
        assert row["land_schluessel"] in keyformats.LAND_CODES
        assert keyformats.ars_prefixes(ars)[1:] == (
            row["verband_schluessel"], row["kreis_schluessel"], ars[:3], row["land_schluessel"])
    with (REFERENCE / "gemeinden" / "zuordnung_plz_ort.csv").open(encoding="utf-8") as fh:
        postcodes = {row["plz"] for row in csv.DictReader(fh)}
    assert len(postcodes) > 8_000 and all(keyformats.is_postcode(p) for p in postcodes)
    with (REFERENCE / "ozg-katalog" / "leika_leistungen.csv").open(encoding="utf-8") as fh:
        keys = {row["leistungsschluessel"] for row in csv.DictReader(fh)}
    assert {k for k in keys if not keyformats.is_leika_key(k)} == {"nicht im LeiKa"}
    assert len(keys) == 4_814


def test_messages_are_translated():
    from django.utils import translation

    with translation.override("en"):
        assert str(keyformats.LEIKA_KEY_MESSAGE) == "A service key has 14 digits and starts with 99."
        assert str(ArsLevel.REGIERUNGSBEZIRK.label) == "Administrative region"
        assert "3 (administrative region)" in str(keyformats.ARS_MESSAGE)
