import pytest


def test_healthz_answers_without_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_missing_reference_data(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["reference_data"] == "missing"
    assert response.json()["reasons"] == ["reference_data: missing"]


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/quellen/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_readiness_check_name_is_registered_once():
    from amtsweg.core.health import readiness_check, readiness_checks

    assert "reference_data" in readiness_checks()  # geo's, registered in its AppConfig.ready
    with pytest.raises(ValueError, match="registered twice"):
        readiness_check("reference_data")(lambda: True)


@pytest.mark.django_db
def test_readyz_reports_every_registered_check(client, monkeypatch):
    from amtsweg.core import health

    monkeypatch.setattr(health, "_checks", {"first": lambda: True, "second": lambda: False})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "first": "ok", "second": "missing"}
    assert response.json()["reasons"] == ["second: missing"]
