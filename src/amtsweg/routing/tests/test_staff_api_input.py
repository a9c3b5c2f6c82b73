"""The staff destination API checks JSON types: wrong types, nulls, NUL characters and unknown fields are
400 problems with field errors; nothing is stored as a Python repr; no input gives a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(offices):
    client = Client(raise_request_exception=False)
    login_staff(client, UserFactory(authority=offices["sb"].authority))
    return client, f"/verwaltung/zustellpunkte/api/{offices['sb'].pk}/", offices["sb"]


def _patch(client, url, body):
    return client.patch(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("body, field", [
    ({"channels": None}, "channels"),
    ({"channels": [["pull"]]}, "channels"),
    ({"channels": "pull"}, "channels"),
    ({"channels": []}, "channels"),
    ({"channels": ["pull", "fax"]}, "channels"),
    ({"callbackUrl": None}, "callbackUrl"),
    ({"callbackUrl": ["https://example.org/"]}, "callbackUrl"),
    ({"name": "Hunde\u0000steuer"}, "NUL"),  # refused by the JSON parser already
    ({"name": ["Hundesteuer"]}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"notificationEmail": {"a": 1}}, "notificationEmail"),
    ({"status": None}, "status"),
    ({"callbackSecret": "x"}, "callbackSecret"),
])
def test_wrong_json_types_are_400_problems_naming_the_field(api, body, field):
    client, url, destination = api
    before = (destination.name, destination.channels, destination.callback_url)
    response = _patch(client, url, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert field in problem.get("errors", {}) or field in problem["detail"]
    destination.refresh_from_db()
    assert (destination.name, destination.channels, destination.callback_url) == before


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "{", "[" * 100_000])
def test_a_body_that_is_no_json_object_is_a_400_problem(api, body):
    client, url, _ = api
    response = _patch(client, url, body)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_valid_changes_are_stored_with_their_json_types(api):
    client, url, destination = api
    response = _patch(client, url, {"channels": ["pull", "email"], "notificationEmail": "post@example.org",
                                    "name": "Hundesteuerstelle"})
    assert response.status_code == 200, response.content
    destination.refresh_from_db()
    assert destination.channels == ["pull", "email"] and destination.name == "Hundesteuerstelle"
    # A rule across fields (callback channel without an address) is a 400 problem too.
    response = _patch(client, url, {"channels": ["callback"], "callbackUrl": ""})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
