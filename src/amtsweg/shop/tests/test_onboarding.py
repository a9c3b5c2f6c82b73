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


# --- issue 16, item 13: a Gemeinde of the reference directory without an Authority gets one ---------------
FULL_HEADER = "ars;angebot;zustaendige_stelle;email;telefon;oeffnungszeiten;gebuehr_eur;zustellpunkt\n"


def test_a_gemeinde_without_authority_gets_one_named_as_in_the_directory(land_operator):
    from amtsweg.accounts.models import AuditEntry, Authority
    from amtsweg.geo.tests.factories import MunicipalityFactory

    gemeinde = MunicipalityFactory(name="Perl")
    first, second = OfferFactory(slug="hundesteuer"), OfferFactory(slug="meldebescheinigung")
    text = (FULL_HEADER
            + f"{gemeinde.ars};hundesteuer;Steueramt Perl;steuer@perl.example;06867 660;;;\n"
            + f"{gemeinde.ars};meldebescheinigung;Bürgerbüro Perl;buergerbuero@perl.example;;;;\n")

    report = import_onboarding_csv(text.encode(), user=land_operator)

    assert report.ok, report.errors
    authority = Authority.objects.get(area_ars=gemeinde.ars)
    assert (authority.name, authority.kind, authority.municipality, authority.email, authority.phone) == (
        "Perl", Authority.Kind.MUNICIPALITY, gemeinde, "steuer@perl.example", "06867 660")
    assert report.authorities_created == ["Perl"] and report.created == 2
    assert set(Subscription.objects.filter(authority=authority).values_list("offer__slug", flat=True)) == {
        first.slug, second.slug}
    assert AuditEntry.objects.filter(action="authority.created", authority=authority).exists()


def test_keys_that_name_no_gemeinde_of_the_land_are_reported_by_line_and_nothing_is_created(land_operator):
    from amtsweg.accounts.models import Authority
    from amtsweg.geo.tests.factories import MunicipalityFactory
    from amtsweg.routing.tests.factories import DestinationFactory

    OfferFactory(slug="hundesteuer")
    bavarian = MunicipalityFactory(ars="091620000000", association__code="091620000",
                                   association__district__code="09162", association__district__land__code="09")
    fresh = MunicipalityFactory()
    foreign_destination = DestinationFactory()
    existing = AuthorityFactory()
    text = (FULL_HEADER
            + f"{existing.area_ars};hundesteuer;Steueramt;a@x.example;;;;\n"        # line 2: fine
            + "100419999999;hundesteuer;Steueramt;a@x.example;;;;\n"                   # line 3: no such Gemeinde
            + f"{bavarian.ars};hundesteuer;Steueramt;a@x.example;;;;\n"                # line 4: other Land
            + "100410100;hundesteuer;Steueramt;a@x.example;;;;\n"                      # line 5: a Verband
            + f"{fresh.ars};hundesteuer;Steueramt;a@x.example;;;;{foreign_destination.pk}\n")  # line 6

    report = import_onboarding_csv(text.encode(), user=land_operator)

    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "keine aktuelle Gemeinde" in reasons[3]
    assert "nicht zu Ihrem Land" in reasons[4]
    assert "12-stelligen Regionalschlüssel" in reasons[5]
    assert "Zustellpunkt" in reasons[6]
    assert not Authority.objects.filter(area_ars__in=[fresh.ars, bavarian.ars]).exists()
    assert not Subscription.objects.exists()
