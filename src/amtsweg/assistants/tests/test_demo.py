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
    assert forms["waffenbesitzkarte"].published_version().definition["source"]["id"] == "S00000036"


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
