import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_unknown_page_gets_a_german_404_in_the_page_frame(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert 'rel="icon"' in response.text


@pytest.mark.django_db
def test_server_error_page_is_german_and_promises_nothing_is_lost(settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("kaputt")

    import amtsweg.urls as root

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [*root.urlpatterns, path("boom/", boom)]})
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Technischer Fehler" in response.text and "nicht" in response.text
    # the legal links of the normal frame (issue 16)
    for href, label in (("/impressum/", "Impressum"), ("/datenschutz/", "Datenschutz"),
                        ("/barrierefreiheit/", "Barrierefreiheit")):
        assert f'href="{href}">{label}</a>' in response.text


@pytest.mark.django_db
def test_a_failed_csrf_check_gets_a_german_page_in_the_frame_with_a_way_back():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/anmelden/", {"username": "x", "password": "y"},
                           HTTP_REFERER="http://testserver/konto/anmelden/")
    assert response.status_code == 403
    assert "Formular abgelaufen" in response.text and 'rel="icon"' in response.text
    assert 'href="http://testserver/konto/anmelden/"' in response.text
    assert "DEBUG" not in response.text and "CSRF" not in response.text
    foreign = client.post("/konto/anmelden/", {}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in foreign.text and "Zur Startseite" in foreign.text


def test_a_failed_csrf_check_under_an_api_prefix_is_a_problem_document(rf):
    from django.conf import settings
    from django.utils.module_loading import import_string

    response = import_string(settings.CSRF_FAILURE_VIEW)(rf.post("/api/anything"), reason="CSRF cookie not set.")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == 403
