"""geo's readiness check: an instance without reference data does not take traffic."""

import pytest

from amtsweg.geo.tests.factories import MunicipalityFactory


@pytest.mark.django_db
def test_readyz_turns_ready_once_the_reference_data_is_loaded(client):
    assert client.get("/readyz").json()["checks"]["reference_data"] == "missing"
    MunicipalityFactory()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["checks"]["reference_data"] == "ok"
