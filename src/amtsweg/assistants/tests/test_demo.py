import io

import pytest

from amtsweg.assistants.definition import check_definition
from amtsweg.assistants.demo import HUNDESTEUER, MELDEBESCHEINIGUNG, load_demo
from amtsweg.assistants.models import FormDefinition

pytestmark = pytest.mark.django_db


def test_demo_definitions_are_valid():
    check_definition(HUNDESTEUER)
    check_definition(MELDEBESCHEINIGUNG)


def test_demo_loads_three_published_forms_idempotently():
    out = io.StringIO()
    load_demo(out)
    load_demo(out)
    forms = {f.slug: f for f in FormDefinition.objects.all()}
    assert set(forms) == {"hundesteuer", "meldebescheinigung", "waffenbesitzkarte"}
    assert all(f.published_version() and f.versions.count() == 1 for f in forms.values())
    assert forms["meldebescheinigung"].fee_cents == 1000
    assert forms["hundesteuer"].leika_key == "99102013000000"
    assert forms["waffenbesitzkarte"].leika_key == "99089086000000"


def test_demo_routes_the_fim_service_to_the_land_office():
    from amtsweg.accounts.tests.factories import AuthorityFactory
    from amtsweg.routing.models import Responsibility
    from amtsweg.routing.resolution import resolve
    from amtsweg.routing.tests.factories import DestinationFactory

    destination = DestinationFactory(authority=AuthorityFactory(land_office=True))
    load_demo(io.StringIO())
    load_demo(io.StringIO())
    (responsibility,) = Responsibility.objects.filter(leika_key="99089086000000")
    assert responsibility.area_ars == "10" and responsibility.destination == destination
    assert resolve("99089086000000", ars="100410100100").destination == destination


def _fields(definition: dict) -> dict[str, dict]:
    return {f["id"]: f for step in definition["steps"] for fs in step["fieldsets"] for f in fs["fields"]}


def test_the_waffenbesitzkarte_is_an_application_not_the_cards_data():
    """Issue 16, item 6: FIM's S00000036 describes the card (Urkundennummer, issuing authority, seal, stamp); the
    demo asks what an applicant must show instead: person, need, weapons wished, expertise and storage."""
    load_demo(io.StringIO())
    definition = FormDefinition.objects.get(slug="waffenbesitzkarte").published_version().definition
    check_definition(definition)
    labels = " ".join(f["label"]["de"] for f in _fields(definition).values())
    for card_only in ("Urkundennummer", "Siegel", "Stempel", "Ausstellende", "ausstellende"):
        assert card_only not in labels
    fields = _fields(definition)
    assert fields["vorname"]["required"] and fields["familienname"]["required"]
    assert fields["beduerfnis"]["required"]
    assert fields["sachkunde"]["type"] == "file" and fields["sachkunde"]["required"]
    assert fields["aufbewahrung_nachweis"]["type"] == "file"
    weapons = next(fs for step in definition["steps"] for fs in step["fieldsets"] if fs["id"] == "waffe")
    assert weapons["repeat"]["min"] == 1 and {f["id"] for f in weapons["fields"]} >= {"waffenart", "kaliber"}


def test_every_demo_form_asks_for_the_applicants_name_and_has_no_identifier_as_a_number():
    load_demo(io.StringIO())
    for form in FormDefinition.objects.all():
        fields = _fields(form.published_version().definition)
        assert fields["vorname"]["required"] and fields["familienname"]["required"], form.slug
        numbers = [f["id"] for f in fields.values() if f["type"] == "number"]
        assert all(not any(word in f for word in ("nummer", "kennzeichen", "schluessel")) for f in numbers)
