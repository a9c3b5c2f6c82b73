"""`responsible_office`: one answer for "Wer ist zuständig?", the place step and the intake (issue 16, item 1)."""

from __future__ import annotations

from django.urls import reverse

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing.resolution import responsible_office
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory

HUNDESTEUER = "99102013000000"


def test_online_only_where_the_destination_can_receive(db):
    live = ResponsibilityFactory(leika_key=HUNDESTEUER)
    office = responsible_office(HUNDESTEUER, ars=live.area_ars)
    assert office.online and office.destination == live.destination
    assert office.contact()["name"] == live.authority.name

    closed = ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(inactive=True))
    office = responsible_office(HUNDESTEUER, ars=closed.area_ars)
    assert office.found and not office.online and office.destination is None
    assert closed.authority.name in office.message

    keyless = ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(keys=False))
    assert not responsible_office(HUNDESTEUER, ars=keyless.area_ars).online


def test_a_place_without_entry_says_so_in_words(db):
    municipality = MunicipalityFactory(name="Homburg")
    ResponsibilityFactory(leika_key=HUNDESTEUER)  # somewhere else
    office = responsible_office(HUNDESTEUER, ars=municipality.ars)
    assert not office.found and not office.online
    assert "Homburg" in office.message and HUNDESTEUER not in office.message


def test_the_citizen_page_offers_no_online_application_where_the_intake_would_refuse(client, db):
    PublicServiceFactory(key=HUNDESTEUER, name="Hundesteuer Anmeldung")
    municipality = MunicipalityFactory(name="Neunkirchen")
    authority = AuthorityFactory(municipality=municipality, name="Bürgeramt Neunkirchen")
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(authority=authority, inactive=True))
    body = client.get(reverse("routing:who_is_responsible"), {"key": HUNDESTEUER, "ars": municipality.ars}
                      ).content.decode()
    assert "Bürgeramt Neunkirchen" in body
    assert "Online beantragen" not in body
    assert "nicht online beantragt werden" in body
