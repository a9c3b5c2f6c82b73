"""Prometheus metrics: `/metrics`, requests per route group, and gauges read from the database per scrape.

Two kinds of metric, because the web tier runs as many gunicorn processes on several hosts:

* **Counted in the process** (requests, their latency, intakes): prometheus_client counters and histograms.
  Under gunicorn each worker process counts for itself; with `PROMETHEUS_MULTIPROC_DIR` set (the
  environment variable prometheus_client reads when it is imported) they write to files in that folder and
  `/metrics` adds up every process of the host (prometheus_client's multiprocess mode). Without it (runserver,
  tests) `/metrics` shows the answering process alone.
* **State of the installation** (outbox depth, dead letters, back-office backlog, queue lag): not counted
  anywhere, but read when `/metrics` is scraped, with a few cheap indexed queries. Later apps contribute
  them through `metric_source` in their `AppConfig.ready` (core cannot import them, README "Architecture").
  Every web host answers the same values; alert rules take `max()` over the instances.

Labels are a small fixed set (route groups, methods, status classes, channel and state names), never
values from a request or an application: no URL, no id, no name.

`/metrics` is never public: it answers only a request with the configured bearer token
(`AMTSWEG_METRICS_TOKEN`) and/or from the configured networks (`AMTSWEG_METRICS_ALLOWED_NETWORKS`, the
direct peer address, not `X-Forwarded-For`); with neither configured it answers 404 to everybody.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

logger = logging.getLogger(__name__)
disable_created_metrics()  # no `_created` series beside every counter: they only double the scrape

# --- Requests per route group ---------------------------------------------------------------------------

# (path prefix, group), first match wins. A fixed, small set: the label's values are these names only.
ROUTE_GROUPS: tuple[tuple[str, str], ...] = (
    ("/healthz", "probes"), ("/readyz", "probes"), ("/metrics", "probes"),
    ("/static/", "static"),
    ("/v1/", "submission_api"), ("/token", "submission_api"), ("/.well-known/", "submission_api"),
    ("/routing-api/", "routing_api"),
    ("/api/", "other_api"),
    ("/antrag/", "assistant"),
    ("/status/", "status"),
    ("/postfach/", "postfach"),
    ("/anmeldung/", "login"), ("/konto/", "login"), ("/test-idp/", "login"),
    ("/bezahlung/", "payment"), ("/testbezahldienst/", "payment"),
    ("/verwaltung/sachbearbeitung/", "casework"),
    ("/verwaltung/", "staff"), ("/land/", "staff"), ("/django-admin/", "staff"),
)
PUBLIC_GROUP = "public"  # catalogue, place finder, legal pages, anything else
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

_process_metrics: list = []


def _registered(metric):
    """Counters and histograms of this process: kept here (not in prometheus_client's global registry),
    so `/metrics` chooses per scrape between this process's values and every process's files."""
    _process_metrics.append(metric)
    return metric


def counter(name: str, documentation: str, labelnames: Iterable[str] = ()) -> Counter:
    """A counter of this process (summed over the host's processes in multiprocess mode)."""
    return _registered(Counter(name, documentation, labelnames=tuple(labelnames), registry=None))


REQUESTS = counter("amtsweg_http_requests", "HTTP requests answered, by route group, method and status class.",
                   ("group", "method", "status"))
LATENCY = _registered(Histogram(
    "amtsweg_http_request_duration_seconds", "Time from the request entering Django to its answer, by route group.",
    labelnames=("group",), buckets=LATENCY_BUCKETS, registry=None,
))


def route_group(path: str) -> str:
    for prefix, group in ROUTE_GROUPS:
        if path.startswith(prefix):
            return group
    return PUBLIC_GROUP


class RequestMetricsMiddleware:
    """Counts and times every request (placed right after the request-id middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        group = route_group(request.path)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(group, method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(group).observe(time.perf_counter() - started)
        return response


# --- Gauges read per scrape -----------------------------------------------------------------------------

MetricSource = Callable[[], Iterable[Metric]]
_sources: dict[str, MetricSource] = {}


def metric_source(name: str) -> Callable[[MetricSource], MetricSource]:
    """Register `function` (no arguments, yields prometheus_client metric families) under `name`. It runs
    on every scrape; a failing source is logged and reported as `amtsweg_metrics_source_up{source=name} 0`
    instead of failing the whole answer."""

    def decorator(function: MetricSource) -> MetricSource:
        if name in _sources:
            raise ValueError(f"metric source {name!r} is registered twice")
        _sources[name] = function
        return function

    return decorator


def metric_sources() -> dict[str, MetricSource]:
    return dict(_sources)


class _SourcesCollector:
    def collect(self):
        up = GaugeMetricFamily("amtsweg_metrics_source_up",
                               "1 if the source of installation gauges answered on this scrape.", labels=["source"])
        for name, source in _sources.items():
            try:
                families = list(source())
            except Exception:  # noqa: BLE001 - a broken source (database down) must not hide the others
                logger.warning("metric source failed", extra={"source": name}, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def gauge(name: str, documentation: str, value: float | None = None, labels: Iterable[str] = ()) -> GaugeMetricFamily:
    """A gauge family for a metric source (shorthand for prometheus_client's GaugeMetricFamily)."""
    labels = list(labels)
    if labels:
        return GaugeMetricFamily(name, documentation, labels=labels)
    return GaugeMetricFamily(name, documentation, value=0 if value is None else value)


def registry_for_scrape() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if settings.PROMETHEUS_MULTIPROC_DIR:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=str(settings.PROMETHEUS_MULTIPROC_DIR))
    else:
        for metric in _process_metrics:
            registry.register(metric)
    registry.register(_SourcesCollector())
    return registry


# --- Access ----------------------------------------------------------------------------------------------


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def may_scrape(request: HttpRequest) -> bool:
    """True only if the configured protection lets this request through; never with nothing configured.

    Token and networks may be set together: then both must match. The token is compared in constant time.
    The network check uses the TCP peer (`REMOTE_ADDR`): scrape the web hosts directly, not through the
    public reverse proxy (whose address would be the peer)."""
    token = settings.AMTSWEG_METRICS_TOKEN
    networks = _networks(tuple(settings.AMTSWEG_METRICS_ALLOWED_NETWORKS))
    if not token and not networks:
        return False
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return False
    if networks:
        try:
            peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if not any(peer in network for network in networks):
            return False
    return True


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """`/metrics` in the Prometheus text format; 404 for everyone the protection does not let through (it
    does not even say that the endpoint exists)."""
    if not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(registry_for_scrape()), content_type=CONTENT_TYPE_LATEST)


@metric_source("readiness")
def readiness_metrics():
    """What `/readyz` says, for alert rules: 1/0 overall and per check (the check names are fixed)."""
    from amtsweg.core import health

    states = health.evaluate()
    checks = gauge("amtsweg_readiness_check", "1 if this readiness check passes (as in /readyz).", labels=("check",))
    for name, state in states.items():
        checks.add_metric([name], 1 if state == health.OK else 0)
    yield checks
    yield gauge("amtsweg_ready", "1 if /readyz answers 200 (no critical readiness check missing or failed).",
                0 if health.blocking(states) else 1)
