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
    KEK in `casework`) and the reference data (`geo`). 503 with the parts that are not ready in `reasons`."""
    checks = health.evaluate()
    reasons = [f"{name}: {state}" for name, state in checks.items() if state != health.OK]
    body = {"status": "unavailable" if reasons else "ok", "checks": checks}
    if reasons:
        body["reasons"] = reasons
    return JsonResponse(body, status=503 if reasons else 200)
