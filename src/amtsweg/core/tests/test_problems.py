"""Bad input never gives a 500 or an HTML error on an API: every API error is application/problem+json
(RFC 9457), pages outside the APIs keep their German HTML error pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

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
def sender_and_responsibility():
    responsibility = ResponsibilityFactory()
    DestinationKeyFactory(destination=responsibility.destination, signature=True)
    api_client = ApiClientFactory(scopes=["send:region:DE10"])
    client = Client(HTTP_AUTHORIZATION=bearer(api_client), raise_request_exception=False)
    client.api_client = api_client
    return client, responsibility


def test_json_nested_100000_deep_is_a_400_problem(sender_and_responsibility):
    client, _ = sender_and_responsibility
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/v1/submissions", body, content_type="application/json")
    assert "verschachtelt" in _problem(response, 400)["detail"]


def test_a_nul_character_in_json_is_a_400_problem(sender_and_responsibility):
    client, responsibility = sender_and_responsibility
    body = json.dumps({"destinationId": str(responsibility.destination_id), "announcedAttachments": [],
                       "serviceType": {"name": "Hund\u0000", "identifier": "urn:de:fim:leika:leistung:1"}})
    _problem(client.post("/v1/submissions", body, content_type="application/json"), 400)


def test_a_submit_body_above_the_request_size_limit_is_a_413_problem(sender_and_responsibility, settings):
    client, responsibility = sender_and_responsibility
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


def test_drf_errors_are_problems_with_a_german_detail_and_field_errors_in_errors():
    """Item 13.7: validation, 405 and 404 of a DRF view all answer the one problem shape; `detail` German (an
    English catalogue on request), `title` the fixed English status phrase, field messages in `errors`."""
    from amtsweg.accounts.testing import login_staff
    from amtsweg.accounts.tests.factories import UserFactory

    destination = ResponsibilityFactory().destination
    client = Client(raise_request_exception=False)
    login_staff(client, UserFactory(authority=destination.authority))
    url = f"/verwaltung/zustellpunkte/api/{destination.pk}/"
    invalid = _problem(client.patch(url, json.dumps({"name": "x" * 201, "status": "weg"}),
                                    content_type="application/json"), 400)
    assert invalid["type"] == "about:blank" and invalid["title"] == "Bad Request"
    assert set(invalid["errors"]) == {"name", "status"}
    assert invalid["detail"].startswith("Die Anfrage ist ungültig: ") and "name: " in invalid["detail"]
    not_allowed = _problem(client.delete(url), 405)
    assert not_allowed["title"] == "Method Not Allowed" and "nicht erlaubt" in not_allowed["detail"]
    assert _problem(client.get(url.replace(str(destination.pk), "0190c1d6-0000-7000-8000-000000000000")),
                    404)["detail"] == "Nicht gefunden."
    with translation.override("de"):  # the request activates English; the next test gets German back
        english = _problem(client.get("/routing-api/v2/routes", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert english["title"] == "Missing parameter" and english["detail"] == "The parameter leikaKey is required."


def test_a_problem_raised_by_a_service_keeps_its_type_title_and_extensions():
    from amtsweg.core.problems import Problem

    class Gone(Problem):
        status, slug, title, type_base = 410, "gone", "Gone for good", "https://example.org/problems/"

    body = Gone("Der Eintrag ist gelöscht.", since="2026").body("/x")
    assert body == {"type": "https://example.org/problems/gone", "title": "Gone for good", "status": 410,
                    "detail": "Der Eintrag ist gelöscht.", "instance": "/x", "since": "2026"}
    assert Problem().body() == {"type": "about:blank", "title": "Bad Request", "status": 400,
                                "detail": "Bad Request"}


@pytest.mark.parametrize(("path", "instance"), [
    ("/v1/submissions/ä b", "http://testserver/v1/submissions/%C3%A4%20b"),
    ("/v1/destinations/[x]%", "http://testserver/v1/destinations/%5Bx%5D%25"),
    ("//evil.example/v1/x", "http://testserver//evil.example/v1/x"),
])
def test_the_instance_of_a_problem_is_an_absolute_uri_of_this_installation(path, instance):
    """FIT-Connect's problem schema says `instance` is `format: uri` (issue 15, item 7): absolute, encoded,
    and a path can never turn into another host."""
    from django.test import RequestFactory

    from amtsweg.core.problems import instance_uri

    request = RequestFactory().get("/")
    request.path = path
    assert instance_uri(request) == instance
    assert _problem(Client().get("/v1/submissions/%C3%A4"), 401)["instance"] == "http://testserver/v1/submissions/%C3%A4"


def test_the_instance_on_a_disallowed_host_names_the_configured_address(settings):
    from django.test import RequestFactory

    from amtsweg.core.problems import instance_uri

    settings.PUBLIC_BASE_URL = "https://amtsweg.example"
    request = RequestFactory().get("/v1/info", HTTP_HOST="angreifer.example")
    assert instance_uri(request) == "https://amtsweg.example/v1/info"
