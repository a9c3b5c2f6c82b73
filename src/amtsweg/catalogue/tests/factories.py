"""Factories for the OZG catalogue."""

import factory

from amtsweg.catalogue.models import LifeSituation, OzgService, PublicService, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Themenfeld {n}")


class LifeSituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeSituation
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Lebenslage {n}")
    topic = factory.SubFactory(TopicFactory)


class OzgServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OzgService
        django_get_or_create = ("ozg_id",)

    ozg_id = factory.Sequence(lambda n: 10000 + n)
    name = factory.Sequence(lambda n: f"OZG-Leistung {n}")
    life_situation = factory.SubFactory(LifeSituationFactory)
    topic = factory.SelfAttribute("life_situation.topic")


class PublicServiceFactory(factory.django.DjangoModelFactory):
    """A LeiKa-Leistung with a 14-digit key, linked to one OZG-Leistung."""

    class Meta:
        model = PublicService
        django_get_or_create = ("key",)
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"99{n:012d}")
    name = factory.Sequence(lambda n: f"Leistung {n}")
    leika_type = "1"

    @factory.post_generation
    def ozg_services(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [OzgServiceFactory()]
        self.ozg_services.add(*extracted)

    class Params:
        # Real LeiKa keys used by the demo services.
        hundesteuer = factory.Trait(key="99102013000000", name="Hundesteuer")
        meldebescheinigung = factory.Trait(
            key="99115004001005", name="Melderegisterauskunft - Erteilung Selbstauskunft"
        )
        baugenehmigung = factory.Trait(key="99012008001000", name="Baugenehmigung Erteilung")
