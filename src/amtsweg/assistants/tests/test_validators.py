"""Property-based tests for the single-value validators."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from amtsweg.assistants.engine import validators as v

bban_de = st.text(alphabet="0123456789", min_size=18, max_size=18)


def make_iban(country: str, bban: str) -> str:
    return f"{country}{v.iban_check_digits(country, bban)}{bban}"


@given(bban_de)
def test_generated_german_ibans_pass(bban):
    iban = make_iban("DE", bban)
    assert v.parse_iban(iban) == iban
    spaced = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)).lower()
    assert v.parse_iban(spaced) == iban


@given(bban_de, st.integers(min_value=2, max_value=21), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_fails(bban, position, delta):
    iban = make_iban("DE", bban)
    digit = (int(iban[position]) + delta) % 10
    changed = iban[:position] + str(digit) + iban[position + 1:]
    with pytest.raises(v.Invalid):
        v.parse_iban(changed)


@given(bban_de, st.integers(min_value=4, max_value=20))
def test_swapping_adjacent_digits_fails(bban, position):
    iban = make_iban("DE", bban)
    assume(iban[position] != iban[position + 1])
    swapped = iban[:position] + iban[position + 1] + iban[position] + iban[position + 2:]
    with pytest.raises(v.Invalid):
        v.parse_iban(swapped)


def test_iban_messages_are_specific():
    with pytest.raises(v.Invalid, match="Prüfziffer"):
        v.parse_iban("DE02120300000000202052")
    with pytest.raises(v.Invalid, match="22 Zeichen"):
        v.parse_iban("DE0212030000000020205")
    with pytest.raises(v.Invalid, match="z. B."):
        v.parse_iban("keine iban")
    assert v.parse_iban("DE02 1203 0000 0000 2020 51") == "DE02120300000000202051"
    assert v.parse_iban("AT61 1904 3002 3457 3201") == "AT611904300234573201"


@given(st.integers(min_value=1001, max_value=99999))
def test_postcodes_with_five_digits_pass(number):
    assert v.parse_postcode(f"{number:05d}") == f"{number:05d}"


@pytest.mark.parametrize("raw", ["٦٦١١١", "６６１１１", "00123"])
def test_postcode_takes_only_ascii_digits(raw):
    """Arabic-Indic or full-width digits passed `\\d{5}` and were stored as the applicant's postcode."""
    with pytest.raises(v.Invalid, match="fünf Ziffern"):
        v.parse_postcode(raw)


@given(st.text(max_size=8))
def test_postcode_rejects_everything_else(raw):
    assume(not (len(raw.strip()) == 5 and raw.strip().isascii() and raw.strip().isdigit()))
    with pytest.raises(v.Invalid, match="fünf Ziffern"):
        v.parse_postcode(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0681 123456", "+49681123456"), ("+49 681 123456", "+49681123456"), ("+49 (0)681 12-34-56", "+49681123456"),
     ("0049 681/123456", "+49681123456"), ("(0681) 123 456", "+49681123456"), ("0170 1234567", "+491701234567"),
     ("+33 1 23 45 67 89", "+33123456789")],
)
def test_phone_numbers_normalise_to_e164(raw, expected):
    assert v.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["123456", "abc", "+49 0681 123", "0681", "+49 681 12345678901234", "06x1 1234"])
def test_bad_phone_numbers_fail(raw):
    with pytest.raises(v.Invalid):
        v.parse_phone(raw)


@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,5})?@[a-z]{2,10}\.(de|org|com)", fullmatch=True))
def test_emails_pass(address):
    assert v.parse_email(address) == address


@pytest.mark.parametrize("raw", ["name", "name@", "@beispiel.de", "name@beispiel", "a b@beispiel.de"])
def test_bad_emails_fail(raw):
    with pytest.raises(v.Invalid, match="name@beispiel.de"):
        v.parse_email(raw)


@given(st.integers(min_value=0, max_value=10**9))
def test_amount_round_trip_through_german_format(cents):
    formatted = v.format_cents(cents).removesuffix(" €")
    assert v.parse_amount(formatted, {}) == cents
    assert v.parse_amount(formatted.replace(".", ""), {}) == cents


@pytest.mark.parametrize(("raw", "cents"), [("12", 1200), ("12,5", 1250), ("12,50 €", 1250), ("12.50", 1250),
                                            ("1.234", 123400), ("1.234,56", 123456)])
def test_amount_formats(raw, cents):
    assert v.parse_amount(raw, {}) == cents


@pytest.mark.parametrize("raw", ["12,345", "1,2,3", "zwölf", "-5", "1.2.3,4"])
def test_bad_amounts_fail(raw):
    with pytest.raises(v.Invalid):
        v.parse_amount(raw, {})


@given(st.dates(min_value=date(1000, 1, 1)))
def test_dates_parse_in_german_and_iso_format(day):
    assert v.parse_date(day.strftime("%d.%m.%Y")) == day
    assert v.parse_date(day.isoformat()) == day


def test_impossible_dates_have_their_own_message():
    with pytest.raises(v.Invalid, match="Dieses Datum gibt es nicht"):
        v.parse_date("31.02.2024")
    with pytest.raises(v.Invalid, match="TT.MM.JJJJ"):
        v.parse_date("morgen")


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 1, 1)), st.integers(min_value=-400, max_value=400))
def test_relative_date_bounds(today, days):
    bound = f"today{days:+d}d"
    assert v.resolve_date_bound(bound, today).toordinal() == today.toordinal() + days


def test_relative_years_and_months_clamp_the_day():
    assert v.resolve_date_bound("today-18y", date(2024, 2, 29)) == date(2006, 2, 28)
    assert v.resolve_date_bound("today+1m", date(2024, 1, 31)) == date(2024, 2, 29)
    with pytest.raises(v.Invalid, match="nicht in der Zukunft"):
        v.check_date_bounds(date(2024, 1, 2), {"max_date": "today"}, date(2024, 1, 1))
    with pytest.raises(v.Invalid, match="nicht vor dem 01.01.2024"):
        v.check_date_bounds(date(2023, 12, 31), {"min_date": "2024-01-01"}, date(2024, 6, 1))


@given(st.binary(min_size=1, max_size=64))
def test_uploads_are_judged_by_content(content):
    kind = v.sniff_file_kind(content)
    if kind is None:
        with pytest.raises(v.Invalid, match="kein erlaubter Dateityp"):
            v.check_upload(content, {})
    else:
        assert v.check_upload(content, {}) == v.FILE_KINDS[kind][0]


def test_upload_limits():
    assert v.check_upload(b"%PDF-1.7 rest", {"accept": ["pdf"]}) == "application/pdf"
    with pytest.raises(v.Invalid, match="Erlaubt sind: PDF"):
        v.check_upload(b"\x89PNG\r\n\x1a\n....", {"accept": ["pdf"]})
    with pytest.raises(v.Invalid, match="zu groß"):
        v.check_upload(b"%PDF-" + b"x" * 2000, {"max_size": 1024})
    with pytest.raises(v.Invalid, match="leer"):
        v.check_upload(b"", {})


def test_a_whole_number_in_a_field_with_decimals_reads_without_a_trailing_zero():
    """Issue 16, item 6: 123 in a field allowing decimals was stored as 123.0 and shown as "123,0"."""
    from amtsweg.assistants.engine.validators import format_number, parse_number

    assert format_number(parse_number("123", {"decimals": 1})) == "123"
    assert format_number(parse_number("12,5", {"decimals": 1})) == "12,5"
    assert format_number(7) == "7"
