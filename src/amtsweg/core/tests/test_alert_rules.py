"""deploy/prometheus/alerts.yml: loads, covers what issue 18 asks to alert on, and names only metrics the
application exports (a renamed metric would otherwise silence its alert without anyone noticing)."""

import re
from pathlib import Path

import pytest
import yaml

RULES = Path(__file__).resolve().parents[4] / "deploy" / "prometheus" / "alerts.yml"
# PromQL words that are not metric names, and the series Prometheus makes itself.
PROMQL = {
    "sum", "min", "max", "avg", "count", "rate", "irate", "increase", "deriv", "histogram_quantile", "clamp_min",
    "by", "without", "and", "or", "unless", "on", "ignoring", "bool", "e",
}
PROMETHEUS_OWN = {"up"}
SUFFIXES = ("_bucket", "_count", "_sum")


def _rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _metric_names(expr: str) -> set[str]:
    text = re.sub(r'"[^"]*"', "", expr)  # label values
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)  # grouping label lists
    return {word for word in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text)} - PROMQL


@pytest.mark.django_db
def test_every_metric_in_an_alert_rule_is_exported(client, scrape_metrics):
    client.get("/healthz")  # so that the labelled request series have samples
    exported = {name for name, _labels in scrape_metrics()}
    families = exported | {name.removesuffix(suffix) for name in exported for suffix in SUFFIXES}
    rules = _rules()
    assert rules
    for rule in rules:
        assert {"alert", "expr", "labels", "annotations"} <= rule.keys(), rule
        unknown = _metric_names(rule["expr"]) - families - PROMETHEUS_OWN
        assert not unknown, f"{rule['alert']}: not exported by /metrics: {sorted(unknown)}"


def test_the_issues_alerts_are_all_there():
    used = set().union(*(_metric_names(rule["expr"]) for rule in _rules()))
    assert {
        "amtsweg_outbox_oldest_undelivered_age_seconds", "amtsweg_outbox_dead_letters",
        "amtsweg_casework_oldest_received_age_seconds", "amtsweg_http_requests_total",
        "amtsweg_http_request_duration_seconds_bucket", "amtsweg_queue_lag_seconds", "amtsweg_ready",
    } <= used


def test_the_name_check_would_catch_a_typo():
    assert _metric_names('max(amtsweg_outbox_dead_leters{x="y"}) > 0') == {"amtsweg_outbox_dead_leters"}
    assert _metric_names("histogram_quantile(0.95, sum by (le, group) (rate(a_bucket[5m])))") == {"a_bucket"}
