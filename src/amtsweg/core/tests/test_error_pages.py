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
