"""Operational endpoints: liveness and readiness probes."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsweg.core import health


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. Does not touch the database on purpose."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: the database answers and every registered readiness check (`core.health`) passes: the
    queue (`delivery`), the keys (platform signing key and trust anchors here, draft key in `assistants`,
    KEK in `casework`) and the reference data (`geo`). 503 with the parts that are not ready in `reasons`;
    a failing non-critical part (the queue: intakes go on, the sweep delivers later) or a part that did not
    answer in time is named there too, but the answer stays 200 with status "degraded". Cheap and bounded
    (`core.health`): passed key checks count for a while, every part has a time limit."""
    checks = health.evaluate()
    failing = [name for name, state in checks.items() if state != health.OK]
    blocking = health.blocking(checks)
    status = "unavailable" if blocking else "degraded" if failing else "ok"
    body = {"status": status, "checks": checks}
    if failing:
        body["reasons"] = [f"{name}: {checks[name]}" for name in failing]
    return JsonResponse(body, status=503 if blocking else 200)
