"""The Leistung page's "Online beantragen" says where the service is online with routing's own resolution
(issue 16, item 1): a Land-wide fallback office makes it online in every Gemeinde, not only in those with a
live subscription."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.routing.resolution import invalidate
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory

HUNDESTEUER = "99102013000000"


@pytest.fixture
def hundesteuer_offer(db, settings):
    settings.ROUTING_INDEX_CHECK_SECONDS = 0  # every lookup reads the counter: each test sees its own data
    invalidate(bump=False)
    public_service = PublicServiceFactory(hundesteuer=True)
    OfferFactory(name="Hundesteuer online", public_services=[public_service])
    yield public_service.ozg_services.get()


def _page(client, service) -> str:
    return " ".join(client.get(reverse("catalogue:service", args=[service.ozg_id])).content.decode().split())


def test_a_land_wide_fallback_makes_the_service_online_in_every_gemeinde(
    client, saarland, offices, hundesteuer_offer, django_assert_num_queries
):
    land_office = offices["land"].authority
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=offices["land"], land=True)
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=offices["sb"])
    body = _page(client, hundesteuer_offer)
    assert ("Online in allen 3 Gemeinden des Landes Saarland: in 1 über die eigene Kommune, in den übrigen "
            f"über „{land_office.name}“.") in body
    assert "Online in 2 Kommunen" not in body
    # the count is kept with the routing index: a page view costs no query per Gemeinde (four of these ask for
    # the forms' and the Kommunen's answers to the citizen's questions and the forms' links, issue 16 item 3)
    with django_assert_num_queries(10):
        _page(client, hundesteuer_offer)


def test_only_places_that_can_receive_count_as_online(client, saarland, offices, hundesteuer_offer):
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(
        authority=offices["land"].authority, inactive=True), land=True)
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=offices["sb"])
    body = _page(client, hundesteuer_offer)
    assert "Online in 1 von 3 Gemeinden des Landes Saarland" in body


def test_no_online_link_where_no_office_can_receive(client, saarland, offices, hundesteuer_offer):
    ResponsibilityFactory(leika_key=HUNDESTEUER, destination=DestinationFactory(
        authority=offices["sb"].authority, keys=False))
    assert "Hundesteuer online" not in _page(client, hundesteuer_offer)


def test_the_leistung_page_lists_the_fees_the_kommunen_configured(client, kommune_admin):
    """Issue 16, item 3: "Was kostet es?" names the fee each connected Kommune set (what the citizen is charged),
    and says nothing of Kommunen that set none."""
    from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
    from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

    service = OzgServiceFactory()
    leika = PublicServiceFactory(ozg_services=[service])
    offer = OfferFactory(public_services=[leika])
    SubscriptionFactory(offer=offer, live=True, authority=kommune_admin.authority, local_fee_cents=1250)
    SubscriptionFactory(offer=offer, live=True)  # no fee of its own
    body = client.get(f"/leistungen/{service.ozg_id}/").content.decode()
    costs = body[body.index(">Was kostet es?</h2>"):body.index(">Welche Unterlagen brauchen Sie?</h2>")]
    assert f"<li>{kommune_admin.authority.name}: 12,50 €</li>" in costs
    assert costs.count("<li>") == 1 and "Angaben folgen" not in costs
