"""A world for the online rule of the maturity cells (issue 16 item 1), shared by the compute and page tests."""

from __future__ import annotations

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.assistants.tests.factories import FormDefinitionFactory, FormVersionFactory
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
from amtsweg.geo.tests.factories import DistrictFactory, MunicipalAssociationFactory, MunicipalityFactory
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

DOG = "99102013000000"  # Hundesteuer: a Land offer with a published form
PERMIT = "99012008001000"  # Baugenehmigung: only a planned offer (its form is published all the same)
#: The offers' forms carry LeiKa keys of their own (a form shared by bundled keys), so only the offers bring DOG
#: and PERMIT online here; a form keyed to the service itself counts everywhere (`compute.key_forms`, test_online).
DOG_FORM_KEY, PERMIT_FORM_KEY = "99102013001000", "99012008002000"


def build_fallback_world() -> dict:
    """A Saarland-like Land: a Land office responsible Land-wide for both services (deliverable), Gemeinde g1 with
    an own deliverable entry, g2 with an own entry whose destination is inactive (routing picks it: the most
    specific wins), g3 without an entry (Land fallback); in a second Kreis a Kreis office without keys for the
    permit, and g5 with an own permit entry and a live subscription to the planned permit offer."""
    kreis_a, kreis_b = DistrictFactory(), DistrictFactory()
    verband = MunicipalAssociationFactory(district=kreis_a)
    g1, g2, g3 = (MunicipalityFactory(association=verband, population=p) for p in (12_000, 4_000, 2_000))
    verband_b = MunicipalAssociationFactory(district=kreis_b)
    g4, g5 = (MunicipalityFactory(association=verband_b, population=p) for p in (7_000, 25_000))
    dog, permit = OzgServiceFactory(name="Hundesteuer"), OzgServiceFactory(name="Baugenehmigung")
    dog_key = PublicServiceFactory(key=DOG, leika_type="5", ozg_services=[dog])
    permit_key = PublicServiceFactory(key=PERMIT, leika_type="4", ozg_services=[permit])
    land_office = AuthorityFactory(land_office=True, land=g1.land)
    land_destination = DestinationFactory(authority=land_office)
    for key in (DOG, PERMIT):
        ResponsibilityFactory(destination=land_destination, leika_key=key, area_ars=g1.land.code)
    own = {g: AuthorityFactory(municipality=g) for g in (g1, g2, g5)}
    ResponsibilityFactory(destination__authority=own[g1], leika_key=DOG)
    ResponsibilityFactory(destination=DestinationFactory(authority=own[g2], inactive=True), leika_key=DOG)
    kreis_office = AuthorityFactory(district_office=True, district=kreis_b)
    ResponsibilityFactory(destination=DestinationFactory(authority=kreis_office, keys=False), leika_key=PERMIT)
    ResponsibilityFactory(destination__authority=own[g5], leika_key=PERMIT)
    dog_form = FormDefinitionFactory(leika_key=DOG_FORM_KEY)
    permit_form = FormDefinitionFactory(leika_key=PERMIT_FORM_KEY)
    FormVersionFactory(form=dog_form, published=True)
    FormVersionFactory(form=permit_form, published=True)
    dog_offer = OfferFactory(form_slug=dog_form.slug, public_services=[dog_key])
    permit_offer = OfferFactory(form_slug=permit_form.slug, public_services=[permit_key], planned=True)
    SubscriptionFactory(offer=permit_offer, authority=own[g5], live=True)
    return {"gemeinden": [g1, g2, g3, g4, g5], "kreise": [kreis_a, kreis_b], "verband": verband,
            "services": {DOG: dog, PERMIT: permit}, "land_office": land_office, "land_destination": land_destination,
            "own": own, "kreis_office": kreis_office, "dog_offer": dog_offer, "permit_offer": permit_offer,
            "dog_form": dog_form}
