"""Factories for tenants (Authorities) and accounts, with named states.

    AuthorityFactory()                 a Kommune (Gemeinde) office
    AuthorityFactory(district_office=True) / (land_office=True)
    UserFactory()                      Kommune staff of a new Kommune
    UserFactory(kommune_admin=True)    administrator (a confirmed TOTP device is created: see `totp_device`)
    UserFactory(land_operator=True)    operator of the Land of its authority
    UserFactory(citizen=True)          citizen account without authority
Passwords are always `PASSWORD` (also reachable as `UserFactory.password_plain`).
"""

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.models import Authority, User
from amtsweg.geo.tests.factories import DistrictFactory, LandFactory, MunicipalityFactory


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = Authority.Kind.MUNICIPALITY
    area_ars = factory.LazyAttribute(lambda o: o.municipality.ars)
    name = factory.LazyAttribute(lambda o: f"Bürgeramt {o.municipality.name}")
    email = factory.Sequence(lambda n: f"buergeramt{n}@kommune.example")
    phone = "0681 123456"
    street = "Rathausplatz 1"
    postcode = "66111"
    city = factory.LazyAttribute(lambda o: o.municipality.name)

    class Params:
        district_office = factory.Trait(
            municipality=None,
            district=factory.SubFactory(DistrictFactory),
            kind=Authority.Kind.DISTRICT,
            area_ars=factory.LazyAttribute(lambda o: o.district.code),
            name=factory.LazyAttribute(lambda o: f"Kreisverwaltung {o.district.name}"),
            city="Kreisstadt",
        )
        land_office = factory.Trait(
            municipality=None,
            land=factory.SubFactory(LandFactory),
            kind=Authority.Kind.LAND,
            area_ars=factory.LazyAttribute(lambda o: o.land.code),
            name=factory.LazyAttribute(lambda o: f"Landesamt {o.land.name}"),
            city="Landeshauptstadt",
        )


PASSWORD = "korrekt-Pferd-Batterie-42"


class UserFactory(factory.django.DjangoModelFactory):

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = "Erika"
    last_name = "Mustermann"
    role = User.Role.KOMMUNE_STAFF
    authority = factory.SubFactory(AuthorityFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        kommune_admin = factory.Trait(role=User.Role.KOMMUNE_ADMIN)
        land_operator = factory.Trait(
            role=User.Role.LAND_OPERATOR, authority=factory.SubFactory(AuthorityFactory, land_office=True)
        )
        citizen = factory.Trait(role=User.Role.CITIZEN, authority=None)

    @factory.post_generation
    def totp_device(self, create, extracted, **kwargs):
        """Users that must use TOTP get a confirmed device (pass totp_device=False to skip)."""
        if create and extracted is not False and self.requires_totp:
            TOTPDevice.objects.create(user=self, name="Authenticator", confirmed=True)
        if create:
            self.save()


UserFactory.password_plain = PASSWORD
