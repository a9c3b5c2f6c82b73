"""Every error of an API as `application/problem+json` (RFC 9457); German HTML pages everywhere else.

A machine talking to an API must never have to parse an HTML error page, and must never see a bare 500
caused by its own bad input. Three ways an error reaches a client, all end here:

* DRF views: `exception_handler` (settings `REST_FRAMEWORK["EXCEPTION_HANDLER"]`) turns every
  `APIException`, `Http404`, `PermissionDenied` and Django's request-size limits into a problem document;
  validation errors keep their field messages in the extension member `errors`.
* Errors Django answers before or outside a view (an unknown path under an API prefix, a body above
  `DATA_UPLOAD_MAX_MEMORY_SIZE`, an unhandled exception): `handler400/403/404/500`, hooked in
  `amtsweg.urls`, answer a problem document under `API_PATH_PREFIXES` and the German page elsewhere.
* A failed CSRF check (`CSRF_FAILURE_VIEW`): `csrf_failure`, a German page that explains the form expired,
  instead of Django's unstyled technical page; a problem document under the API prefixes.
* Views with their own problem types (the FIT-Connect Submission and Routing APIs keep the type URIs of
  the specifications) use `problem_response` or their own helper with the same shape.

A request body above the limit is a 413 (Content Too Large, RFC 9110), also where Django would say 400.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Paths served by the APIs (FIT-Connect Submission API and token, Routing API, shop API, staff JSON API,
# the OpenAPI document). Everything else is a page for people.
API_PATH_PREFIXES = (
    "/v1/",
    "/token",
    "/.well-known/",
    "/routing-api/",
    "/api/",
    "/verwaltung/zustellpunkte/api/",
)


def is_api_path(path: str) -> bool:
    return path.startswith(API_PATH_PREFIXES)


def problem_body(status: int, *, detail: str = "", title: str = "", type: str = "about:blank",  # noqa: A002
                 instance: str = "", **extensions: Any) -> dict[str, Any]:
    """A problem document. With `type` "about:blank" the title is the HTTP status phrase (RFC 9457 §4.2.1)."""
    body: dict[str, Any] = {"type": type, "title": title or HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


def problem_response(status: int, **fields: Any) -> HttpResponse:
    """A plain Django response with a problem document (see `problem_body` for the fields)."""
    return JsonResponse(problem_body(status, **fields), status=status, content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


class ContentTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is larger than this API accepts."
    default_code = "content_too_large"


def _as_api_exception(exc: Exception) -> Exception:
    """Django's input errors as the DRF exceptions with the right status (DRF would let them escape)."""
    if isinstance(exc, RequestDataTooBig):
        return ContentTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError("The request is malformed.")
    return exc


def exception_handler(exc: Exception, context: dict) -> Any:
    """DRF's handler, answering `application/problem+json`; None (→ handler500) for real server errors."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    detail = getattr(exc, "detail", None)
    fields: dict[str, Any] = {"instance": request.path if request is not None else ""}
    if isinstance(exc, Http404):
        fields["detail"] = "Not found."
    elif isinstance(exc, PermissionDenied):
        fields["detail"] = "You do not have permission to perform this action."
    elif isinstance(detail, str):
        fields["detail"] = detail
    elif detail is not None:  # field errors of a serializer: a list or a dict of lists
        fields["detail"] = "The request is invalid; see errors."
        fields["errors"] = detail
    response.data = problem_body(response.status_code, **fields)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


# --- Django's error handlers (hooked in amtsweg.urls) ---------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if is_api_path(request.path):
        detail = ContentTooLarge.default_detail if status == 413 else "The request is malformed."
        return problem_response(status, detail=detail, instance=request.path)
    response = defaults.bad_request(request, exception)
    response.status_code = status
    return response


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(403, detail="You do not have permission to perform this action.",
                                instance=request.path)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(404, detail="Not found.", instance=request.path)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(500, detail="An internal error occurred; it has been logged.",
                                instance=request.path)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: usually a form left open until its token or session expired, not an attack.

    People get a page in the site's frame that says so and leads back to the form (the referring page when
    it is on this site, else the start page); `reason` is Django's technical text and is never shown.
    """
    if is_api_path(request.path):
        return problem_response(403, detail="CSRF verification failed.", instance=request.path)
    referer = request.headers.get("referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()) else ""
    return render(request, "csrf_failure.html", {"back": back}, status=403)
