"""The shapes of the domain's keys: LeiKa keys, ARS, AGS and postcodes. The one place that knows them.

Models, forms, APIs and importers all ask these functions, so that a key one part of the platform accepts
is a key every other part accepts too. Before, five copies disagreed: the shop's onboarding refused the
3-digit Regierungsbezirk keys that routing stores, the form import took 14-digit keys without the ``99``
routing needs (a published form whose applications could never be routed), the catalogue import did the
same, and every regular expression with ``\\d`` also took Arabic-Indic or other non-ASCII digits.

The shapes (Destatis; FIT-Connect Routing API 2.0.0, ``../shared/data/fit-connect/routing-api-2.0.0.yaml``):

* **ARS**, Amtlicher Regionalschlüssel, 12 digits: Land (2) Regierungsbezirk (1) Kreis (2) Gemeindeverband
  (4) Gemeinde (3), e.g. ``100410100100`` Saarbrücken. An *area* is named by a prefix of it:
  2 digits Land, 3 Regierungsbezirk (the Land's digits plus one; ``0`` where a Land has none, so ``100`` is
  the Saarland again), 5 Kreis or kreisfreie Stadt, 9 Gemeindeverband, 12 Gemeinde. FIT-Connect accepts
  exactly these five lengths (``ars`` parameter).
* **AGS**, Amtlicher Gemeindeschlüssel, 8 digits = ARS[0:5] + ARS[9:12] (the Gemeindeverband is left out).
  FIT-Connect also takes its 2-, 3- and 5-digit prefixes, which are the same as the ARS's.
* **LeiKa key** (Leistungsschlüssel of the Leistungskatalog), 14 digits beginning with ``99``; FIT-Connect
  writes it as the URN ``urn:de:fim:leika:leistung:<key>``. The OZG catalogue marks services without a key
  as ``nicht im LeiKa`` (also 14 characters, which is why length alone is no check).
* **Postcode** (Postleitzahl), 5 digits, 01001 to 99998: no postcode begins with ``00``.

Only ASCII digits count. Python's ``\\d`` and ``str.isdigit()`` also accept "٠١" or "²", while the
patterns of an OpenAPI document (ECMA-262) and every database key in the reference data do not; a key with
other digits would be stored and then never found.

The ``*_PATTERN`` strings are the OpenAPI/JSON-Schema forms, for API documents and schemas only; code checks
keys with the functions below.
"""

from __future__ import annotations

import re
from enum import IntEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LEIKA_KEY_LENGTH = 14
LEIKA_KEY_PREFIX = "99"
AGS_LENGTH = 8
POSTCODE_LENGTH = 5
# The 16 Länder (Destatis): 01 Schleswig-Holstein … 16 Thüringen.
LAND_CODES = frozenset(f"{number:02d}" for number in range(1, 17))

# OpenAPI patterns, the same as FIT-Connect's Routing API 2.0.0 (``leikaKey``, ``ars``, ``ags``).
LEIKA_KEY_PATTERN = r"^99\d{12}$"
ARS_PATTERN = r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$"
AGS_PATTERN = r"^(\d{2}|\d{3}|\d{5}|\d{8})$"
POSTCODE_PATTERN = r"^(0[1-9]|[1-9]\d)\d{3}$"

LEIKA_KEY_MESSAGE = _("Ein Leistungsschlüssel hat 14 Ziffern und beginnt mit 99.")
ARS_MESSAGE = _("Ein Regionalschlüssel hat 2 (Land), 3 (Regierungsbezirk), 5 (Kreis), 9 (Gemeindeverband) oder "
                "12 Ziffern (Gemeinde).")
AGS_MESSAGE = _("Ein Gemeindeschlüssel hat 8 Ziffern (oder 2, 3 oder 5 für Land, Regierungsbezirk oder Kreis).")
POSTCODE_MESSAGE = _("Eine Postleitzahl hat fünf Ziffern, zum Beispiel 66111.")


class ArsLevel(IntEnum):
    """The levels of the ARS, valued by the length of their key."""

    LAND = 2
    REGIERUNGSBEZIRK = 3
    KREIS = 5
    GEMEINDEVERBAND = 9
    GEMEINDE = 12

    @property
    def label(self) -> str:
        """The German name of the level (translated), for lists and reports."""
        return {
            ArsLevel.LAND: _("Land"),
            ArsLevel.REGIERUNGSBEZIRK: _("Regierungsbezirk"),
            ArsLevel.KREIS: _("Kreis"),
            ArsLevel.GEMEINDEVERBAND: _("Gemeindeverband"),
            ArsLevel.GEMEINDE: _("Gemeinde"),
        }[self]


ARS_LENGTHS = tuple(level.value for level in ArsLevel)  # (2, 3, 5, 9, 12)
AGS_LENGTHS = (ArsLevel.LAND.value, ArsLevel.REGIERUNGSBEZIRK.value, ArsLevel.KREIS.value, AGS_LENGTH)
_ARS_LEVELS = {level.value: level for level in ArsLevel}


def is_digits(value: object, length: int) -> bool:
    """True for a string of exactly ``length`` ASCII digits."""
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def _is_ascii_number(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def ars_level(value: object) -> ArsLevel | None:
    """The level of an area key (ARS or a prefix of one), or None if it is no ARS at all."""
    if not _is_ascii_number(value):
        return None
    return _ARS_LEVELS.get(len(value))


def is_ars(value: object) -> bool:
    """An area key: 2, 3, 5, 9 or 12 ASCII digits (FIT-Connect's ``ars``)."""
    return ars_level(value) is not None


def is_municipality_ars(value: object) -> bool:
    """The full 12-digit ARS of a Gemeinde."""
    return ars_level(value) is ArsLevel.GEMEINDE


def is_ags(value: object) -> bool:
    """An AGS (8 digits) or one of its 2-, 3- or 5-digit prefixes (FIT-Connect's ``ags``)."""
    return _is_ascii_number(value) and len(value) in AGS_LENGTHS


def is_municipality_ags(value: object) -> bool:
    """The full 8-digit AGS of a Gemeinde."""
    return is_digits(value, AGS_LENGTH)


def is_leika_key(value: object) -> bool:
    """A Leistungsschlüssel: 14 ASCII digits beginning with 99."""
    return is_digits(value, LEIKA_KEY_LENGTH) and value.startswith(LEIKA_KEY_PREFIX)


def is_postcode(value: object) -> bool:
    """A German postcode: 5 ASCII digits, not beginning with 00."""
    return is_digits(value, POSTCODE_LENGTH) and not value.startswith("00")


def ags_from_ars(ars: str) -> str:
    """The AGS of an area: ARS[0:5] + ARS[9:12] for a Gemeinde; Land, Regierungsbezirk and Kreis keys are the
    same in both. A Gemeindeverband has no AGS (ValueError), nor has anything that is no ARS."""
    level = ars_level(ars)
    if level is None or level is ArsLevel.GEMEINDEVERBAND:
        raise ValueError(f"no AGS for {ars!r}")
    return ars[:5] + ars[9:] if level is ArsLevel.GEMEINDE else ars


def ars_prefixes(ars: str) -> tuple[str, ...]:
    """The keys of every area that contains the area ``ars``, itself first, then ever larger (Land last):
    ``100410100100`` → (``100410100100``, ``100410100``, ``10041``, ``100``, ``10``). Empty for no ARS."""
    level = ars_level(ars)
    if level is None:
        return ()
    return tuple(ars[:length] for length in reversed(ARS_LENGTHS) if length <= level)


SEPA_CREDITOR_ID_MESSAGE = _("Eine Gläubiger-Identifikationsnummer hat die Form DEkkZZZnnnnnnnnnnn (18 Zeichen, "
                              "z. B. DE98ZZZ09999999999) und eine passende Prüfziffer.")


def is_sepa_creditor_id(value: object) -> bool:
    """A SEPA creditor identifier (Gläubiger-ID) with valid check digits: country code, two check digits, a
    three-character business code that the check leaves out, then the national part (in Germany 11
    characters, issued by the Bundesbank). ISO 7064 MOD 97-10 over national part + country + "00"."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", value):
        return False
    if value.startswith("DE") and len(value) != 18:  # noqa: PLR2004 - the German format's length
        return False
    digits = "".join(str(int(c, 36)) for c in value[7:] + value[:2] + "00")
    return f"{98 - int(digits) % 97:02d}" == value[2:4]


def compact(text: str | None) -> str:
    """What someone typed, without any whitespace: Destatis prints ARS in groups (``10 0 41 0100 100``)."""
    return "".join((text or "").split())


def _check(valid: bool, message, code: str, value: str) -> str:
    if not valid:
        raise ValidationError(message, code=code, params={"value": value})
    return value


def validate_leika_key(value: str) -> None:
    """Django validator: a Leistungsschlüssel (14 digits beginning with 99)."""
    _check(is_leika_key(value), LEIKA_KEY_MESSAGE, "leika_key", value)


def validate_ars(value: str) -> None:
    """Django validator: an area key (ARS of 2, 3, 5, 9 or 12 digits)."""
    _check(is_ars(value), ARS_MESSAGE, "ars", value)


def validate_ags(value: str) -> None:
    """Django validator: an AGS (8 digits, or a 2-, 3- or 5-digit prefix)."""
    _check(is_ags(value), AGS_MESSAGE, "ags", value)


def validate_postcode(value: str) -> None:
    """Django validator: a German postcode."""
    _check(is_postcode(value), POSTCODE_MESSAGE, "postcode", value)


def normalize_ars(text: str | None, *, levels: tuple[ArsLevel, ...] = tuple(ArsLevel)) -> str:
    """The ARS someone typed, without spaces, checked to be of one of ``levels``; raises ValidationError
    (code ``ars``) with a German message otherwise."""
    value = compact(text)
    return _check(ars_level(value) in levels, ARS_MESSAGE, "ars", value)


def normalize_leika_key(text: str | None) -> str:
    """The Leistungsschlüssel someone typed, without spaces; raises ValidationError (code ``leika_key``)."""
    value = compact(text)
    return _check(is_leika_key(value), LEIKA_KEY_MESSAGE, "leika_key", value)


def normalize_postcode(text: str | None) -> str:
    """The postcode someone typed, without spaces; raises ValidationError (code ``postcode``)."""
    value = compact(text)
    return _check(is_postcode(value), POSTCODE_MESSAGE, "postcode", value)
