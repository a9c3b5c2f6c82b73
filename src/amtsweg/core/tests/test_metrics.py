"""`/metrics` (`core.metrics`): never open without configuration, token and networks, the request metrics per
route group, bounded labels without personal data, and the host-wide sum in multiprocess mode."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from amtsweg.core import health, metrics

pytestmark = pytest.mark.django_db
SRC = Path(metrics.__file__).resolve().parents[2]


def _get(client, token: str | None = None, peer: str = "127.0.0.1"):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get("/metrics", headers=headers, REMOTE_ADDR=peer)


def test_without_configuration_nobody_gets_metrics(client, settings):
    settings.AMTSWEG_METRICS_TOKEN, settings.AMTSWEG_METRICS_ALLOWED_NETWORKS = "", []
    assert _get(client).status_code == 404
    assert _get(client, token="").status_code == 404
    assert _get(client, token="anything").status_code == 404


def test_the_token_must_match(client, settings):
    settings.AMTSWEG_METRICS_TOKEN, settings.AMTSWEG_METRICS_ALLOWED_NETWORKS = "richtig-geheim", []
    assert _get(client).status_code == 404
    assert _get(client, token="falsch").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Basic richtig-geheim"}).status_code == 404
    answer = _get(client, token="richtig-geheim", peer="203.0.113.9")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


def test_networks_alone_and_together_with_the_token(client, settings):
    settings.AMTSWEG_METRICS_TOKEN, settings.AMTSWEG_METRICS_ALLOWED_NETWORKS = "", ["10.20.0.0/16", "::1/128"]
    assert _get(client, peer="10.20.3.4").status_code == 200
    assert _get(client, peer="::1").status_code == 200
    assert _get(client, peer="10.21.0.1").status_code == 404
    # X-Forwarded-For is the caller's word: only the TCP peer counts
    assert client.get("/metrics", headers={"X-Forwarded-For": "10.20.3.4"}, REMOTE_ADDR="198.51.100.1").status_code \
        == 404
    settings.AMTSWEG_METRICS_TOKEN = "richtig-geheim"
    assert _get(client, peer="10.20.3.4").status_code == 404
    assert _get(client, token="richtig-geheim", peer="10.21.0.1").status_code == 404
    assert _get(client, token="richtig-geheim", peer="10.20.3.4").status_code == 200


def test_a_mistyped_network_stops_the_start():
    from amtsweg.environment import ConfigurationError, read

    with pytest.raises(ConfigurationError, match="AMTSWEG_METRICS_ALLOWED_NETWORKS"):
        read({"AMTSWEG_METRICS_ALLOWED_NETWORKS": "10.20.0.0/16,zehn.zwanzig"})


@pytest.mark.parametrize(("path", "group"), [
    ("/readyz", "probes"), ("/v1/submissions", "submission_api"), ("/token", "submission_api"),
    ("/routing-api/v2/info", "routing_api"), ("/antrag/hund/", "assistant"), ("/status/x/y/", "status"),
    ("/verwaltung/sachbearbeitung/", "casework"), ("/verwaltung/zustellpunkte/", "staff"), ("/orte/", "public"),
    ("/gibt/es/nicht/", "public"),
])
def test_route_groups_are_a_fixed_small_set(path, group):
    assert metrics.route_group(path) == group


def _samples(text: str):
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def test_requests_are_counted_and_timed_per_group_method_and_status_class(client, scrape_metrics):
    before = scrape_metrics()
    client.get("/v1/info")
    client.get("/v1/gibt-es-nicht")
    client.post("/orte/")
    after = scrape_metrics()

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("amtsweg_http_requests_total", group="submission_api", method="GET", status="2xx") == 1
    assert grew("amtsweg_http_requests_total", group="submission_api", method="GET", status="4xx") == 1
    assert grew("amtsweg_http_requests_total", group="public", method="POST", status="4xx") == 1
    assert grew("amtsweg_http_request_duration_seconds_count", group="submission_api") == 2
    assert grew("amtsweg_http_request_duration_seconds_bucket", group="submission_api", le="+Inf") == 2


def test_labels_are_bounded_and_carry_no_personal_data(client, scrape_metrics):
    """Requests with names and ids in path, query and headers: no label takes anything from them."""
    personal = "Mustermann"
    client.get(f"/orte/?q={personal}")
    client.get(f"/antrag/fortsetzen/{personal}-token/")
    client.get(f"/status/{personal}/signatur/")
    client.get(f"/{personal}/", headers={"X-Request-ID": f"{personal}-123456"})
    client.generic("PROPFIND", "/orte/")
    scrape_metrics()
    assert personal not in scrape_metrics.text and personal.lower() not in scrape_metrics.text
    groups = {group for _prefix, group in metrics.ROUTE_GROUPS} | {metrics.PUBLIC_GROUP}
    allowed = {
        "group": groups, "method": metrics.METHODS | {"other"}, "status": {"1xx", "2xx", "3xx", "4xx", "5xx"},
        "le": None, "source": {"form", "api", *metrics.metric_sources()},
        "status_outbox": {"pending", "in_flight", "dead"},
        "state": {"received", "in_progress", "inquiry"},
        "check": {"database", *health.readiness_checks()},
    }
    for sample in _samples(scrape_metrics.text):
        for label, value in sample.labels.items():
            if label == "le":
                float(value)
            elif label == "channel":
                from amtsweg.delivery import channels

                assert value in {name for name, _plugin in channels.register.items()}, value
            elif sample.name == "amtsweg_outbox_messages" and label == "status":
                assert value in allowed["status_outbox"]
            else:
                assert label in allowed, (sample.name, label)
                assert value in allowed[label], (sample.name, label, value)


def test_a_failing_source_is_reported_and_hides_nothing_else(client, scrape_metrics, monkeypatch):
    def broken():
        raise ConnectionError("database down")
        yield  # pragma: no cover

    monkeypatch.setattr(metrics, "_sources", {**metrics.metric_sources(), "broken": broken})
    samples = scrape_metrics()
    assert samples[("amtsweg_metrics_source_up", (("source", "broken"),))] == 0
    assert samples[("amtsweg_metrics_source_up", (("source", "outbox"),))] == 1
    assert "database down" not in scrape_metrics.text


def test_a_metric_source_name_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        metrics.metric_source("outbox")(lambda: iter(()))


_WORKER = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
django.setup()
from django.test import Client
client = Client()
if sys.argv[1] == "serve":
    for _ in range(int(sys.argv[2])):
        assert client.get("/healthz").status_code == 200
else:
    response = client.get("/metrics", headers={"Authorization": "Bearer mp-token"})
    sys.stdout.write(response.content.decode())
"""


def test_multiprocess_mode_adds_up_every_process_of_the_host(tmp_path):
    """What gunicorn's workers do: each process counts into PROMETHEUS_MULTIPROC_DIR, any one of them answers
    /metrics with the sum. Separate processes, as prometheus_client chooses its mode when imported."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "PROMETHEUS_MULTIPROC_DIR": str(folder),
           "AMTSWEG_METRICS_TOKEN": "mp-token", "AMTSWEG_VAR_DIR": str(tmp_path / "var"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'mp.sqlite3'}"}

    def run(*args):
        return subprocess.run([sys.executable, "-c", _WORKER, *args], env=env, capture_output=True, text=True,
                              timeout=120, check=True).stdout

    run("serve", "2")
    run("serve", "3")
    text = run("scrape")
    [total] = [s.value for s in _samples(text) if s.name == "amtsweg_http_requests_total"
               and s.labels == {"group": "probes", "method": "GET", "status": "2xx"}]
    assert total == 5  # 2 + 3 from two processes that have ended (the scrape itself is counted after it)
    assert len(list(folder.iterdir())) >= 2
