"""Operational endpoints: liveness and readiness probes."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtsweg.core.health import readiness_checks


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. Does not touch the database on purpose."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: the database answers and every registered readiness check (`core.health`) passes."""
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        checks["database"] = "unavailable"
        ok = False
    if ok:
        for name, check in readiness_checks().items():  # registered by later apps (geo: reference data)
            ready = check()
            checks[name] = "ok" if ready else "missing"
            ok = ok and ready
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
