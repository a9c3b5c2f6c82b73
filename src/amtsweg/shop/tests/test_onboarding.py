"""The Land's bulk onboarding from CSV, called directly: line numbers, the shared reader's rules, all or nothing."""

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.shop.models import Subscription
from amtsweg.shop.onboarding import import_onboarding_csv
from amtsweg.shop.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

HEADER = "ars;angebot;zustaendige_stelle;email;oeffnungszeiten\n"


def test_error_names_the_line_where_the_record_starts_after_a_quoted_field_spanning_lines(land_operator):
    """A quoted field with line breaks (opening hours as Excel writes them) spans several physical lines: the
    next record's error must name the line the staff see in their editor, not the record's ordinal number."""
    offer = OfferFactory(slug="hundesteuer")
    good, other = AuthorityFactory(), AuthorityFactory()
    text = (
        HEADER                                                                             # line 1
        + f'{good.area_ars};{offer.slug};Steueramt;steuer@x.example;"Mo 8-12\nDi 14-18"\n'  # lines 2-3
        + "\n"                                                                             # line 4: blank
        + f"{other.area_ars};{offer.slug};Steueramt;kaputt;\n"                             # line 5
    )

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert [(e.line, "E-Mail-Adresse" in e.reason) for e in report.errors] == [(5, True)]
    assert not Subscription.objects.exists()


def test_opening_hours_over_several_lines_are_stored_as_written(land_operator):
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    text = HEADER + f'{good.area_ars};{offer.slug};Steueramt;steuer@x.example;"Mo 8-12\r\nDi 14-18"\r\n'

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert report.ok and report.created == 1
    assert Subscription.objects.get().opening_hours == "Mo 8-12\r\nDi 14-18"


def test_a_row_with_more_fields_than_the_header_is_reported_not_a_crash(land_operator):
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    text = HEADER + f"{good.area_ars};{offer.slug};Steueramt;steuer@x.example;Mo;zu viel\n"

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert [(e.line, e.reason) for e in report.errors] == [(2, "6 Felder statt 5.")]


def test_short_rows_leave_the_optional_columns_empty_and_blank_rows_are_skipped(land_operator):
    """A row may stop after its last filled column (as before the shared reader); a row of only separators
    (Excel's trailing ";;;;" lines) is a blank line, as in every import (it used to be reported as a bad row)."""
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    text = HEADER + f"{good.area_ars};{offer.slug};Steueramt;steuer@x.example\n;;;;\n"

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert report.ok and report.created == 1
    assert Subscription.objects.get().opening_hours == ""


def test_delimiter_is_taken_from_the_header_line_not_from_commas_in_the_values(land_operator):
    """Commas in the values (opening hours, fees) must not outvote the header's semicolons."""
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    hours = "Mo, Di, Mi, Do, Fr: 8-12, Di, Do: 14-18, Sa, So, feiertags geschlossen"  # 10 commas
    text = HEADER + f"{good.area_ars};{offer.slug};Steueramt;steuer@x.example;{hours}\n"

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert report.ok, report.errors


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_file_in_a_windows_encoding_from_excel_is_read_with_its_umlauts(land_operator, encoding):
    """German Excel saves plain "CSV" as Windows-1252 (issue 16, item 12): converted, and the report says so."""
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    text = HEADER.replace("\n", "\r\n") + f"{good.area_ars};{offer.slug};Bürgeramt Größe;a@x.example;Mo 8-12\r\n"

    report = import_onboarding_csv(text.encode(encoding), user=land_operator)

    assert report.ok, report.errors
    assert Subscription.objects.get().office_name == "Bürgeramt Größe"
    assert "Windows-1252" in report.notes[0]


def test_overlong_opening_hours_are_refused_like_in_the_staff_form(land_operator):
    """Walk finding after issue 12: opening hours had no length limit anywhere."""
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    text = HEADER + f"{good.area_ars};{offer.slug};Steueramt;steuer@x.example;{'x' * 1001}\n"

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert [(e.line, "oeffnungszeiten" in e.reason) for e in report.errors] == [(2, True)]
    assert not Subscription.objects.exists()


def test_the_configure_form_limits_the_opening_hours():
    from amtsweg.shop.forms import ConfigureForm

    data = {"office_name": "Steueramt", "contact_email": "steuer@x.example", "opening_hours": "x" * 1001}
    form = ConfigureForm(data)
    assert not form.is_valid()
    assert "höchstens 1000 Zeichen" in form.errors["opening_hours"][0]
    assert 'maxlength="1000"' in str(form["opening_hours"])
