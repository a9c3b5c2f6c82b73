"""Factories for the municipality directory. Keys are consistent: a Gemeinde's ARS starts with its Kreis's code."""

import factory

from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality, PostcodeArea


class LandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Land
        django_get_or_create = ("code",)

    code = "10"
    name = "Saarland"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    land = factory.SubFactory(LandFactory)
    code = factory.Sequence(lambda n: f"10{(41 + n) % 100:03d}")
    name = factory.Sequence(lambda n: f"Landkreis {n}")


class MunicipalAssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalAssociation
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    land = factory.SelfAttribute("district.land")
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}{n % 10000:04d}")
    name = factory.Sequence(lambda n: f"Verband {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    """A current Gemeinde; `ars` is built from its association so that the hierarchy is consistent."""

    class Meta:
        model = Municipality
        django_get_or_create = ("ars",)

    association = factory.SubFactory(MunicipalAssociationFactory)
    district = factory.SelfAttribute("association.district")
    land = factory.SelfAttribute("association.land")
    ars = factory.LazyAttributeSequence(lambda o, n: f"{o.association.code}{(n % 999) + 1:03d}")
    ags = factory.LazyAttribute(lambda o: o.ars[:5] + o.ars[9:12])
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    population = 10_000

    class Params:
        ended = factory.Trait(ended_on=factory.Faker("past_date"))
        without_population = factory.Trait(population=None)


class PostcodeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostcodeArea

    municipality = factory.SubFactory(MunicipalityFactory)
    ags = factory.SelfAttribute("municipality.ags")
    place_name = factory.SelfAttribute("municipality.name")
    postcode = factory.Sequence(lambda n: f"{66000 + n:05d}")
