"""Demo credentials: one subscriber client per demo destination, idempotent, rotated when the file is gone."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.submissions import demo
from amtsweg.submissions.models import ApiClient

pytestmark = pytest.mark.django_db


def test_demo_clients_are_written_next_to_the_destination_keys(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    destination = DestinationFactory()
    AuthorityFactory(land_office=True, land__code="10", area_ars="10")
    keys = tmp_path / "demo-keys"
    keys.mkdir()
    (keys / "destinations.json").write_text(json.dumps([{"destinationId": str(destination.pk)}]))

    demo.load_demo(io.StringIO())
    credentials = json.loads((keys / str(destination.pk) / "api-client.json").read_text())
    assert credentials["scope"] == f"subscribe:destination:{destination.pk}"
    token = Client().post("/token", urlencode({"grant_type": "client_credentials", "client_id": credentials["clientId"],
                                               "client_secret": credentials["clientSecret"]}),
                          content_type="application/x-www-form-urlencoded")
    assert token.status_code == 200
    sender = json.loads((keys / "sender-api-client.json").read_text())
    assert sender["scope"] == "send:region:DE10"

    demo.load_demo(io.StringIO())  # idempotent: same clients, same secrets
    assert ApiClient.objects.count() == 2
    assert json.loads((keys / str(destination.pk) / "api-client.json").read_text()) == credentials

    (keys / str(destination.pk) / "api-client.json").unlink()
    demo.load_demo(io.StringIO())
    rotated = json.loads((keys / str(destination.pk) / "api-client.json").read_text())
    assert rotated["clientId"] == credentials["clientId"] and rotated["clientSecret"] != credentials["clientSecret"]
    assert ApiClient.objects.count() == 2
