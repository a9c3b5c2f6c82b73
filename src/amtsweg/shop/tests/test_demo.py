import io

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.shop.demo import OFFERS, load_demo
from amtsweg.shop.models import Offer, Subscription
from amtsweg.shop.routing_link import online_link

pytestmark = pytest.mark.django_db


def test_demo_shop_is_idempotent_and_connects_saarbruecken():
    for spec in OFFERS:
        for key in spec["keys"]:
            PublicServiceFactory(key=key)
    saarbruecken = MunicipalityFactory(ars="100410100100", name="Saarbrücken, Landeshauptstadt",
                                       association__code="100410100", association__district__code="10041")
    authority = AuthorityFactory(municipality=saarbruecken)
    UserFactory(kommune_admin=True, authority=authority)
    DestinationFactory(authority=authority)
    load_demo(io.StringIO())
    load_demo(io.StringIO())
    assert Offer.objects.count() == len(OFFERS)
    assert Subscription.objects.filter(authority=authority, status="live").count() == 2
    assert online_link("99102013000000", "100410100100") is not None


def test_demo_shop_keeps_a_service_at_the_destination_routing_gave_it():
    """Issue 14: Saarbrücken receives its Hundesteuer at a destination of its own (on Amtsweg-Sachbearbeitung);
    connecting the shop offer moved the entry to the office's first destination (the Fachverfahren's)."""
    from amtsweg.core.actors import SYSTEM
    from amtsweg.routing import services as routing
    from amtsweg.routing.models import Responsibility

    for spec in OFFERS:
        for key in spec["keys"]:
            PublicServiceFactory(key=key)
    saarbruecken = MunicipalityFactory(ars="100410100100", name="Saarbrücken, Landeshauptstadt",
                                       association__code="100410100", association__district__code="10041")
    authority = AuthorityFactory(municipality=saarbruecken)
    UserFactory(kommune_admin=True, authority=authority)
    general = DestinationFactory(authority=authority)
    hundesteuer = DestinationFactory(authority=authority)
    routing.add_responsibility("99102013000000", "100410100100", authority, hundesteuer, actor=SYSTEM)
    load_demo(io.StringIO())
    assert Responsibility.objects.get(leika_key="99102013000000", area_ars="100410100100").destination == hundesteuer
    assert Subscription.objects.get(authority=authority, offer__slug="hundesteuer-online").destination == hundesteuer
    assert Subscription.objects.get(authority=authority, offer__slug="meldebescheinigung-online").destination == general
