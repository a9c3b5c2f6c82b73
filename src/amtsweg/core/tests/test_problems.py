"""Bad input never gives a 500 or an HTML error on an API: every API error is application/problem+json
(RFC 9457), pages outside the APIs keep their German HTML error pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions.tests.factories import ApiClientFactory, SubmissionFactory, bearer

pytestmark = pytest.mark.django_db


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["type"]
    return body


@pytest.fixture
def sender():
    responsibility = ResponsibilityFactory()
    DestinationKeyFactory(destination=responsibility.destination, signature=True)
    api_client = ApiClientFactory(scopes=["send:region:DE10"])
    client = Client(HTTP_AUTHORIZATION=bearer(api_client), raise_request_exception=False)
    client.api_client = api_client
    return client, responsibility


def test_json_nested_100000_deep_is_a_400_problem(sender):
    client, _ = sender
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/v1/submissions", body, content_type="application/json")
    assert "nested" in _problem(response, 400)["detail"]


def test_a_nul_character_in_json_is_a_400_problem(sender):
    client, responsibility = sender
    body = json.dumps({"destinationId": str(responsibility.destination_id), "announcedAttachments": [],
                       "serviceType": {"name": "Hund\u0000", "identifier": "urn:de:fim:leika:leistung:1"}})
    _problem(client.post("/v1/submissions", body, content_type="application/json"), 400)


def test_a_submit_body_above_the_request_size_limit_is_a_413_problem(sender, settings):
    client, responsibility = sender
    submission = SubmissionFactory(case__destination=responsibility.destination, sender=client.api_client)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"encryptedMetadata": "a" * 2000})
    _problem(client.put(f"/v1/submissions/{submission.pk}", body, content_type="application/json"), 413)


def test_an_unknown_api_path_is_a_404_problem_and_an_unknown_page_stays_html(client):
    _problem(client.get("/v1/gibt-es-nicht"), 404)
    _problem(client.get("/routing-api/v2/gibt-es-nicht"), 404)
    page = client.get("/gibt-es-nicht/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_server_error_under_an_api_path_is_a_500_problem_without_details(settings):
    from django.urls import path

    import amtsweg.urls as root

    def boom(request):
        raise RuntimeError("kaputt: geheimes Detail")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [*root.urlpatterns, path("v1/boom", boom),
                                                           path("boom/", boom)],
                                           "handler500": root.handler500})
    client = Client(raise_request_exception=False)
    body = _problem(client.get("/v1/boom"), 500)
    assert "geheim" not in json.dumps(body)
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_the_staff_api_answers_problems_for_unknown_rows_and_missing_logins(client):
    from amtsweg.accounts.testing import login_staff
    from amtsweg.accounts.tests.factories import UserFactory

    _problem(client.get("/verwaltung/zustellpunkte/api/"), 403)
    login_staff(client, UserFactory())
    _problem(client.get("/verwaltung/zustellpunkte/api/0190c1d6-0000-7000-8000-000000000000/"), 404)


def test_a_form_post_above_the_size_limit_is_a_german_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client(raise_request_exception=False).post("/konto/anmelden/", {"username": "a" * 2000})
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    assert "Anfrage nicht verarbeitet" in response.text and 'rel="icon"' in response.text
