"""The names other apps build on: models, resolve(), validate_public_jwk()."""

import pytest

from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing.keys import KeyValidationError, validate_public_jwk
from amtsweg.routing.resolution import resolve
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory, public_jwk

pytestmark = pytest.mark.django_db


def test_resolve_by_ars_returns_authority_and_destination():
    responsibility = ResponsibilityFactory()
    result = resolve("99102013000000", ars=responsibility.area_ars)
    assert result.found
    assert result.authority == responsibility.authority
    assert result.destination == responsibility.destination
    assert result.destination.active_encryption_key().kid == responsibility.destination.keys.get().kid


def test_unknown_input_never_raises():
    MunicipalityFactory()
    for kwargs in ({"ars": "x"}, {"ags": "1"}, {"postcode": "abc"}, {}, {"ars": "100410100100"}):
        result = resolve("99102013000000", **kwargs)
        assert not result.found
        assert result.message


def test_validate_public_jwk_returns_public_form():
    jwk = public_jwk("encryption", "contract-kid-1")
    assert validate_public_jwk(jwk, "encryption")["kid"] == "contract-kid-1"
    with pytest.raises(KeyValidationError):
        validate_public_jwk({**jwk, "alg": "PS512"}, "encryption")


def test_destination_without_keys_has_no_active_key():
    assert DestinationFactory(keys=False).active_encryption_key() is None
