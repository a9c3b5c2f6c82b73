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
