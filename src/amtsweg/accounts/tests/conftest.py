import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.geo.tests.factories import LandFactory, MunicipalityFactory


@pytest.fixture
def kommune_a(db):
    return AuthorityFactory(name="Bürgeramt A")


@pytest.fixture
def kommune_b(db):
    return AuthorityFactory(name="Bürgeramt B")


@pytest.fixture
def other_land_kommune(db):
    bayern = LandFactory(code="09", name="Bayern")
    municipality = MunicipalityFactory(
        ars="091620000000", association__code="091620000", association__land=bayern,
        association__district__code="09162", association__district__land=bayern, name="München",
    )
    return AuthorityFactory(municipality=municipality, name="Kreisverwaltungsreferat München")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Many accounts per test: a fast hasher keeps the suite quick (the real one is tested by Django)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
