"""Validators for single values. Each parser returns the cleaned value or raises `Invalid` with a message.

Messages are German source strings translated through Django i18n, so the caller decides the language
with `translation.override`.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amtsweg.core import keyformats

from ..definition import text


class Invalid(ValueError):
    """A value failed validation; `message` is ready to show to the citizen."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# --- IBAN ------------------------------------------------------------------------------------------
# Lengths per country (ISO 13616 registry, SEPA countries and neighbours); others: 15–34 characters.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}
_IBAN_CHARS = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10 over the rearranged IBAN (letters A=10 … Z=35)."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits that make `country + ?? + bban` valid (used by tests and the demo)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def parse_iban(raw: str) -> str:
    iban = re.sub(r"[\s-]", "", raw).upper()
    if not _IBAN_CHARS.match(iban) or any(ch not in string.ascii_uppercase + string.digits for ch in iban):
        raise Invalid(_("Bitte geben Sie eine IBAN ein, z. B. DE02 1203 0000 0000 2020 51."))
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        raise Invalid(_("Eine IBAN aus %(country)s hat %(length)d Zeichen, Ihre Eingabe hat %(actual)d.")
                      % {"country": iban[:2], "length": expected, "actual": len(iban)})
    if not iban_checksum_ok(iban):
        raise Invalid(_("Die IBAN ist ungültig: die Prüfziffer stimmt nicht. Bitte prüfen Sie Ihre Eingabe."))
    return iban


# --- E-mail, phone, postcode -----------------------------------------------------------------------
def parse_email(raw: str) -> str:
    value = raw.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(_("Bitte geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein.")) from None
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()/.\-]+$")


def parse_phone(raw: str) -> str:
    """German and international numbers, normalised to E.164 (+49…): 0681 123456, +49 (0)681 12-34-56, 0049 …."""
    value = raw.strip()
    message = _("Bitte geben Sie eine Telefonnummer ein, z. B. 0681 123456 oder +49 681 123456.")
    if not _PHONE_ALLOWED.match(value):
        raise Invalid(message)
    value = value.replace("(0)", "")
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif digits.startswith("0"):
        international = "49" + digits[1:]
    else:
        raise Invalid(_("Bitte geben Sie die Telefonnummer mit Vorwahl an, z. B. 0681 123456."))
    if international.startswith("490"):
        raise Invalid(message)
    if not 8 <= len(international) <= 15:
        raise Invalid(_("Die Telefonnummer ist zu kurz oder zu lang. Bitte prüfen Sie Ihre Eingabe."))
    return "+" + international


def parse_postcode(raw: str) -> str:
    value = raw.strip()
    if not keyformats.is_postcode(value):
        raise Invalid(_("Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, z. B. 66111."))
    return value


# --- Dates -----------------------------------------------------------------------------------------
_RELATIVE = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def resolve_date_bound(bound: str, today: date) -> date:
    """`2024-01-31`, `today`, `today+30d`, `today-18y`, `today+2m` → a date."""
    match = _RELATIVE.match(bound)
    if not match:
        return date.fromisoformat(bound)
    sign, amount, unit = match.groups()
    if not sign:
        return today
    n = int(amount) * (1 if sign == "+" else -1)
    if unit == "d":
        return today + timedelta(days=n)
    return _add_months(today, n * (12 if unit == "y" else 1))


def parse_date(raw: str) -> date:
    value = raw.strip()
    message = _("Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein, z. B. 24.12.1990.")
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("Dieses Datum gibt es nicht. Bitte prüfen Sie Tag und Monat.")) from None
    raise Invalid(message)


def format_date(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def check_date_bounds(value: date, validation: dict, today: date) -> None:
    if "min_date" in validation:
        bound = resolve_date_bound(validation["min_date"], today)
        if value < bound:
            if validation["min_date"] == "today":
                raise Invalid(_("Das Datum darf nicht in der Vergangenheit liegen."))
            raise Invalid(_("Das Datum darf nicht vor dem %(date)s liegen.") % {"date": format_date(bound)})
    if "max_date" in validation:
        bound = resolve_date_bound(validation["max_date"], today)
        if value > bound:
            if validation["max_date"] == "today":
                raise Invalid(_("Das Datum darf nicht in der Zukunft liegen."))
            raise Invalid(_("Das Datum darf nicht nach dem %(date)s liegen.") % {"date": format_date(bound)})


# --- Numbers and amounts ---------------------------------------------------------------------------
def _german_decimal(raw: str) -> Decimal:
    value = raw.strip().replace("\u00a0", "").replace(" ", "")
    value = re.sub(r"(€|EUR|Euro)$", "", value, flags=re.IGNORECASE).strip()
    if not re.fullmatch(r"-?[0-9.,]+", value) or not re.search(r"\d", value):
        raise InvalidOperation(value)
    if "," in value:
        if value.count(",") > 1 or re.search(r",.*\.", value):
            raise InvalidOperation(value)
        if "." in value and not re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d*", value):
            raise InvalidOperation(value)
        value = value.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")  # 1.234 = one thousand two hundred thirty-four
    elif value.count(".") > 1:
        raise InvalidOperation(value)
    return Decimal(value)


def format_number(value: object) -> str:
    """A stored number the German way: a decimal comma, and no ",0" for a whole number (a field allowing
    decimals stores 123 as 123.0, which read "123,0" on the summary and in the input)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def parse_number(raw: str, validation: dict) -> int | float:
    decimals = validation.get("decimals", 0)
    try:
        number = _german_decimal(raw)
    except InvalidOperation:
        if decimals:
            raise Invalid(_("Bitte geben Sie eine Zahl ein, z. B. 12,5.")) from None
        raise Invalid(_("Bitte geben Sie eine ganze Zahl ein, z. B. 12.")) from None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals and number != number.to_integral_value():
        if decimals == 0:
            raise Invalid(_("Bitte geben Sie eine ganze Zahl ohne Nachkommastellen ein."))
        raise Invalid(_("Bitte geben Sie höchstens %(n)d Nachkommastellen ein.") % {"n": decimals})
    if "min" in validation and number < Decimal(str(validation["min"])):
        raise Invalid(_("Die Zahl muss mindestens %(min)s sein.") % {"min": _fmt_num(validation["min"])})
    if "max" in validation and number > Decimal(str(validation["max"])):
        raise Invalid(_("Die Zahl darf höchstens %(max)s sein.") % {"max": _fmt_num(validation["max"])})
    return int(number) if decimals == 0 else float(number)


def _fmt_num(value: float | int) -> str:
    return str(value).replace(".", ",")


def format_cents(cents: int) -> str:
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", ".")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d} €"


def parse_amount(raw: str, validation: dict) -> int:
    """Euro amount → cents: 12 / 12,5 / 12,50 / 1.234,56 / 12.50 / 12,50 €."""
    try:
        amount = _german_decimal(raw)
    except InvalidOperation:
        raise Invalid(_("Bitte geben Sie einen Betrag in Euro ein, z. B. 12,50.")) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(_("Bitte geben Sie den Betrag mit höchstens zwei Nachkommastellen (Cent) ein."))
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if cents < validation.get("min_cents", 0):
        raise Invalid(_("Der Betrag muss mindestens %(min)s betragen.") % {"min": format_cents(validation.get(
            "min_cents", 0))})
    if "max_cents" in validation and cents > validation["max_cents"]:
        raise Invalid(_("Der Betrag darf höchstens %(max)s betragen.") % {"max": format_cents(validation["max_cents"])})
    return cents


# --- Text and length limits ----------------------------------------------------------------------
# Every typed value has an upper bound, so that no anonymous request makes the server parse, encrypt, store
# and print megabytes: the definition's `max_length` (taken from FIM's maxLength on import) where it gives
# one for a free-text type, otherwise these defaults. The step page renders the same number as `maxlength`.
DEFAULT_MAX_LENGTH = {
    "text": 200, "textarea": 4000, "email": 254, "phone": 30, "iban": 42, "number": 30, "amount": 30, "date": 10,
}
CONFIGURABLE_MAX_LENGTH = frozenset({"text", "textarea", "email"})
ADDRESS_MAX_LENGTH = {"street": 100, "house_number": 20, "postcode": 5, "place": 100}


def max_length(fld: dict) -> int | None:
    """The most characters a field of this definition accepts (None: not a typed value, e.g. a choice)."""
    kind = fld["type"]
    configured = fld.get("validation", {}).get("max_length")
    if configured and kind in CONFIGURABLE_MAX_LENGTH:
        return configured
    return DEFAULT_MAX_LENGTH.get(kind)


def check_length(value: str, limit: int | None) -> str:
    if limit is not None and len(value) > limit:
        raise Invalid(_("Bitte geben Sie höchstens %(n)d Zeichen ein (jetzt: %(actual)d).")
                      % {"n": limit, "actual": len(value)})
    return value


def check_text(value: str, validation: dict) -> str:
    if "min_length" in validation and len(value) < validation["min_length"]:
        raise Invalid(_("Bitte geben Sie mindestens %(n)d Zeichen ein.") % {"n": validation["min_length"]})
    check_length(value, validation.get("max_length"))
    if "pattern" in validation and not re.fullmatch(validation["pattern"], value):
        custom = text(validation.get("pattern_message"), (get_language() or "de")[:2])
        raise Invalid(custom or _("Die Eingabe hat nicht das erwartete Format."))
    return value


_HOUSE_NUMBER = re.compile(r"^[0-9]{1,5}\s?[A-Za-z]?(\s?[-/]\s?[0-9]{0,5}\s?[A-Za-z]?)?$")


def parse_house_number(raw: str) -> str:
    value = raw.strip()
    if not _HOUSE_NUMBER.match(value):
        raise Invalid(_("Bitte geben Sie eine Hausnummer ein, z. B. 12 oder 12a."))
    return value


# --- Uploads (by content, never by file name) ------------------------------------------------------
FILE_KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
DEFAULT_MAX_UPLOAD = 5 * 1024 * 1024


def sniff_file_kind(head: bytes) -> str | None:
    """The file type by its magic bytes: 'pdf', 'png', 'jpeg' or None."""
    for kind, (_mime, signatures) in FILE_KINDS.items():
        if any(head.startswith(sig) for sig in signatures):
            return kind
    return None


def format_size(size: int) -> str:
    """A file size as German text ("5,7 MB", "12 KB") for upload errors; the Postfach uses it too."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",").replace(",0 MB", " MB")
    return f"{max(1, size // 1024)} KB"


def check_upload(content: bytes, validation: dict) -> str:
    """Return the MIME type; refuse empty, too large or disallowed content."""
    max_size = validation.get("max_size", DEFAULT_MAX_UPLOAD)
    if not content:
        raise Invalid(_("Die Datei ist leer. Bitte wählen Sie eine andere Datei."))
    if len(content) > max_size:
        raise Invalid(_("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(max)s.")
                      % {"size": format_size(len(content)), "max": format_size(max_size)})
    accepted = validation.get("accept", ["pdf", "png", "jpeg"])
    kind = sniff_file_kind(content[:16])
    if kind not in accepted:
        names = ", ".join(k.upper() for k in accepted)
        raise Invalid(_("Diese Datei ist kein erlaubter Dateityp. Erlaubt sind: %(types)s.") % {"types": names})
    return FILE_KINDS[kind][0]
