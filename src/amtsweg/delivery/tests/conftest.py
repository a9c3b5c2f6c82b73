import pytest

from amtsweg.delivery.tests.endpoint import Endpoint


@pytest.fixture
def endpoint():
    """A callback endpoint on loopback answering 200 (set `.status` / `.delay` to change that)."""
    ep = Endpoint()
    yield ep
    ep.close()
