"""Factories for the shop, with named states.

    OfferFactory()                       available EfA offer in the Saarland with agreement v1
    OfferFactory(planned=True) / (retired=True) / (population_sharing=True) / (fixed_fee=True)
    SubscriptionFactory()                ordered subscription of a new Kommune
    SubscriptionFactory(live=True)       live since 1 January of last year, with accepted agreement and destination
"""

from datetime import date

import factory

from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.shop.models import AgreementAcceptance, AgreementVersion, Offer, Subscription


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"angebot-{n}")
    name = factory.Sequence(lambda n: f"Online-Dienst {n}")
    description = "Ein Online-Dienst nach dem Prinzip Einer für Alle."
    land_code = "10"
    provider_name = "Land Saarland"
    provider_kind = Offer.ProviderKind.LAND
    kind = Offer.Kind.EFA
    status = Offer.Status.AVAILABLE
    licence = "EUPL-1.2"
    operating_model = "Betrieb im Landesrechenzentrum"
    annual_cost_cents = 1_200_000
    cost_sharing = Offer.Sharing.EQUAL
    maturity_level = 3

    class Params:
        planned = factory.Trait(status=Offer.Status.PLANNED)
        retired = factory.Trait(status=Offer.Status.RETIRED)
        population_sharing = factory.Trait(cost_sharing=Offer.Sharing.POPULATION)
        fixed_fee = factory.Trait(cost_sharing=Offer.Sharing.FIXED, fixed_fee_cents=120_000)

    @factory.post_generation
    def public_services(self, create, extracted, **kwargs):
        if create:
            self.public_services.add(*(extracted if extracted is not None else [PublicServiceFactory()]))

    @factory.post_generation
    def agreement(self, create, extracted, **kwargs):
        if create and extracted is not False:
            AgreementVersionFactory(offer=self, version=1)


class AgreementVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementVersion

    offer = factory.SubFactory(OfferFactory, agreement=False)
    version = 1
    title = "Nutzungsvereinbarung"
    text = factory.LazyAttribute(lambda o: f"§ 1 Gegenstand\nNachnutzung des Online-Dienstes, Fassung {o.version}.")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    offer = factory.SubFactory(OfferFactory)
    authority = factory.SubFactory(AuthorityFactory)
    office_name = factory.LazyAttribute(lambda o: o.authority.name)
    contact_email = "buergeramt@kommune.example"

    class Params:
        live = factory.Trait(
            status=Subscription.Status.LIVE,
            live_since=factory.LazyFunction(lambda: date(date.today().year - 1, 1, 1)),
        )

    @factory.post_generation
    def accepted_by(self, create, extracted, **kwargs):
        if create and (extracted or self.status == Subscription.Status.LIVE):
            user = extracted or UserFactory(kommune_admin=True, authority=self.authority)
            agreement = self.offer.current_agreement()
            AgreementAcceptance.objects.create(subscription=self, agreement=agreement, accepted_by=user,
                                               accepted_by_username=user.username, agreement_sha256=agreement.sha256)
