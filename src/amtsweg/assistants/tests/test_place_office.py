"""The place step answers with the same function as "Wer ist zuständig?" and the intake (issue 16, item 1):
a place without an online office is refused at once with the office's contact, never at the final submit;
the receipt, its PDF and the status page name the office the application went to."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.assistants.models import Draft, Receipt
from amtsweg.assistants.pdf import mandate_lines, office_lines
from amtsweg.assistants.services import load_state, receipt_summary
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.geo.models import Municipality
from amtsweg.geo.tests.factories import MunicipalityFactory, PostcodeAreaFactory
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory

from .factories import FormVersionFactory, sample_definition
from .flows import DETAILS, PERSON, complete_until_summary, start

HUNDESTEUER = "99102013000000"


@pytest.fixture
def real_routing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AMTSWEG_RESPONSIBLE_OFFICE = "amtsweg.routing.resolution.responsible_office"
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"


def test_a_place_without_any_responsible_office_is_refused_at_the_place_step(client, published, real_routing):
    PostcodeAreaFactory(postcode="66424", municipality=MunicipalityFactory(name="Homburg"))
    response = client.post(start(client), {"postcode": "66424", "action": "next"})
    assert response.status_code == 200  # no redirect into a form that can never be sent
    body = response.content.decode()
    assert "Für 66424 Homburg nicht online möglich" in body
    assert "noch keine zuständige Stelle eingetragen" in body
    assert load_state(Draft.objects.get()).place == {}  # the place was not stored


def test_an_office_that_cannot_receive_online_is_named_with_its_contact(client, published, real_routing):
    municipality = MunicipalityFactory(name="Neunkirchen")
    authority = AuthorityFactory(municipality=municipality, name="Bürgeramt Neunkirchen", phone="06821 202-0")
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(authority=authority, inactive=True))
    PostcodeAreaFactory(postcode="66538", municipality=municipality)
    body = client.post(start(client), {"postcode": "66538", "action": "next"}).content.decode()
    assert "Für 66538 Neunkirchen nicht online möglich" in body
    assert "Zuständig ist Bürgeramt Neunkirchen" in body and "06821 202-0" in body


def test_a_land_wide_office_is_named_on_place_step_receipt_pdf_and_status_page(client, published, real_routing):
    land_office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt", phone="0681 9712-0")
    ResponsibilityFactory(leika_key=HUNDESTEUER, land=True, destination=DestinationFactory(authority=land_office))
    municipality = MunicipalityFactory(name="Neunkirchen")
    PostcodeAreaFactory(postcode="66111", municipality=municipality)

    # "Wer ist zuständig?" offers this very form for the place
    PublicServiceFactory(key=HUNDESTEUER, name="Hundesteuer Anmeldung")
    page = client.get(reverse("routing:who_is_responsible"), {"key": HUNDESTEUER, "ars": municipality.ars})
    assert "Landesverwaltungsamt" in page.content.decode()
    assert reverse("assistants:start", args=[published.form.slug]) in page.content.decode()

    summary_url = complete_until_summary(client)
    assert "Landesverwaltungsamt" in client.get(summary_url).content.decode()
    receipt_url = client.post(summary_url, {"declaration": "yes"})["Location"]
    body = client.get(receipt_url).content.decode()
    assert "Landesverwaltungsamt" in body and "0681 9712-0" in body
    assert "Stelle für Neunkirchen" not in body

    office = receipt_summary(Receipt.objects.get())["office"]
    lines = office_lines(office)
    assert lines[0] == "Zuständige Stelle: Landesverwaltungsamt" and "Telefon: 0681 9712-0" in lines
    assert not any("ARS" in line for line in lines)

    status_url = urlsplit(client.get(receipt_url).context["status_url"]).path
    status = client.get(status_url).content.decode()
    assert "Landesverwaltungsamt" in status and "0681 9712-0" in status


def test_refusal_at_submit_says_why_and_leads_back_to_the_place(client, published, real_routing):
    """The office stopped receiving between place step and submit: the citizen reads the real reason."""
    responsibility = ResponsibilityFactory(leika_key=HUNDESTEUER)
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    summary_url = complete_until_summary(client)
    responsibility.destination.status = "inactive"
    responsibility.destination.save()
    response = client.post(summary_url, {"declaration": "yes"}, follow=True)
    body = response.content.decode()
    assert "einigen Minuten" not in body
    assert "nicht online beantragt werden" in body
    assert response.redirect_chain[-1][0].endswith("/ort/")


@pytest.mark.django_db
def test_the_sepa_mandate_names_the_payee_and_its_creditor_identifier(client, real_routing):
    """A walk found the mandate without a Gläubiger-ID (issue 16): the payee's ID is data of the responsible
    authority, shown in the mandate once the place step has found it; without one the text says when it comes."""
    from .factories import FormVersionFactory, sample_definition

    definition = sample_definition()
    iban = next(f for f in definition["steps"][1]["fieldsets"][0]["fields"] if f["id"] == "iban")
    iban["sepa_mandate"] = True
    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key=HUNDESTEUER, definition=definition)
    responsibility = ResponsibilityFactory(leika_key=HUNDESTEUER)
    authority = responsibility.authority
    authority.sepa_creditor_id = "DE98ZZZ09999999999"
    authority.save()
    PostcodeAreaFactory(postcode="66111", municipality=authority.municipality)
    from .flows import PERSON

    step1 = client.post(start(client), {"postcode": "66111", "action": "next"})["Location"]
    details = client.get(client.post(step1, PERSON)["Location"]).content.decode()
    assert "SEPA-Lastschriftmandat" in details
    assert "Gläubiger-Identifikationsnummer</dt>" in details and "DE98ZZZ09999999999" in details
    assert f"{authority.name}</dd>" in details


@pytest.mark.django_db
def test_a_creditor_identifier_is_checked_where_the_authority_enters_it():
    from amtsweg.accounts.forms import AuthorityContactForm
    from amtsweg.core import keyformats

    assert keyformats.is_sepa_creditor_id("DE98ZZZ09999999999")
    assert not keyformats.is_sepa_creditor_id("DE99ZZZ09999999999")  # check digits wrong
    assert not keyformats.is_sepa_creditor_id("DE98ZZZ0999999999")  # a German one has 18 characters
    authority = AuthorityFactory()
    form = AuthorityContactForm({"sepa_creditor_id": "de98 zzz0 9999 9999 99"}, instance=authority)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sepa_creditor_id"] == "DE98ZZZ09999999999"
    form = AuthorityContactForm({"sepa_creditor_id": "DE12ZZZ09999999999"}, instance=authority)
    assert not form.is_valid() and "Prüfziffer" in str(form.errors["sepa_creditor_id"])


def _start_with(client, slug: str, ars: str) -> str:
    response = client.post(reverse("assistants:start", args=[slug]) + "?" + urlencode({"ars": ars}))
    assert response.status_code == 302
    return response["Location"]


def test_the_place_from_who_is_responsible_is_preselected_with_its_office(client, published, real_routing):
    land_office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt", phone="0681 9712-0")
    ResponsibilityFactory(leika_key=HUNDESTEUER, land=True, destination=DestinationFactory(authority=land_office))
    municipality = MunicipalityFactory(name="Neunkirchen")
    PostcodeAreaFactory(postcode="66538", municipality=municipality)

    place_url = _start_with(client, published.form.slug, municipality.ars)
    response = client.get(place_url)
    body = " ".join(response.content.decode().split())
    assert "Ihr Ort: 66538 Neunkirchen" in body  # not asked again ...
    assert "Landesverwaltungsamt" in body and "0681 9712-0" in body  # ... and the office at once
    assert 'name="postcode" value="66538"' in body  # still changeable
    assert "error-summary" not in body

    next_url = client.post(place_url, {"postcode": "66538", "action": "next"})["Location"]
    assert "place" not in next_url
    assert load_state(Draft.objects.get()).place["ars"] == municipality.ars


def test_a_linked_place_sharing_its_postcode_is_the_chosen_gemeinde(client, published, real_routing):
    land_office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt")
    ResponsibilityFactory(leika_key=HUNDESTEUER, land=True, destination=DestinationFactory(authority=land_office))
    first, second = MunicipalityFactory(name="Aachtal"), MunicipalityFactory(name="Zweibach")
    PostcodeAreaFactory(postcode="66333", municipality=first)
    PostcodeAreaFactory(postcode="66333", municipality=second)
    body = client.get(_start_with(client, published.form.slug, second.ars)).content.decode()
    assert f'value="{second.ars}" checked' in body and f'value="{first.ars}" checked' not in body


@pytest.mark.parametrize("ars", ["abc", "12345", "999999999999", "<script>", "foreign"])
def test_an_invalid_unknown_or_foreign_ars_is_ignored_without_error(client, published, real_routing, ars):
    if ars == "foreign":  # a real Gemeinde for which the service has no responsible office at all
        ars = MunicipalityFactory(name="Irgendwo").ars
        PostcodeAreaFactory(postcode="80331", municipality=Municipality.objects.get(ars=ars))
    place_url = start(client) + "?" + urlencode({"ars": ars})
    response = client.get(place_url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "place-linked" not in body and "error-summary" not in body and "nicht online möglich" not in body
    assert 'name="postcode" value=""' in body


def test_the_receipt_and_pdf_repeat_the_sepa_mandate_with_the_creditor_id(client, db, real_routing):
    """Issue 16: the mandate on the form named the payee's Gläubiger-ID, the receipt and its PDF (what the
    citizen keeps of the mandate) did not."""
    definition = sample_definition()
    iban = next(f for f in definition["steps"][1]["fieldsets"][0]["fields"] if f["id"] == "iban")
    iban["sepa_mandate"] = True
    FormVersionFactory(published=True, form__slug="testantrag", definition=definition)
    office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt", sepa_creditor_id="DE98ZZZ09999999999")
    ResponsibilityFactory(leika_key=HUNDESTEUER, land=True, destination=DestinationFactory(authority=office))
    PostcodeAreaFactory(postcode="66111", municipality=MunicipalityFactory(name="Neunkirchen"))
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    step3 = client.post(step2, {**DETAILS, "iban": "DE02 1203 0000 0000 2020 51"})["Location"]
    summary_url = client.post(step3, {"action": "next"})["Location"]
    body = client.get(client.post(summary_url, {"declaration": "yes"})["Location"]).content.decode()
    mandate = body[body.index("SEPA-Lastschriftmandat"):]
    assert "Landesverwaltungsamt" in mandate and "DE98ZZZ09999999999" in mandate
    lines = mandate_lines(receipt_summary(Receipt.objects.get()))
    assert "Zahlungsempfänger: Landesverwaltungsamt" in lines
    assert "Gläubiger-Identifikationsnummer: DE98ZZZ09999999999" in lines


def test_no_mandate_on_the_receipt_without_a_direct_debit(client, published, real_routing):
    office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt", sepa_creditor_id="DE98ZZZ09999999999")
    ResponsibilityFactory(leika_key=HUNDESTEUER, land=True, destination=DestinationFactory(authority=office))
    PostcodeAreaFactory(postcode="66111", municipality=MunicipalityFactory(name="Neunkirchen"))
    summary_url = complete_until_summary(client)
    body = client.get(client.post(summary_url, {"declaration": "yes"})["Location"]).content.decode()
    assert "SEPA-Lastschriftmandat" not in body and "DE98ZZZ09999999999" not in body
    assert mandate_lines(receipt_summary(Receipt.objects.get())) == []
