"""Every error of an API as `application/problem+json` (RFC 9457); German HTML pages everywhere else.

The one module for problem documents of all APIs (Submission API and token endpoint, Routing API, shop API,
staff JSON API). A machine talking to an API must never have to parse an HTML error page, and must never see
a bare 500 caused by its own bad input. Four ways an error reaches a client, all end here:

* Services and views raise a `Problem` (or a subclass such as the Submission API's `SubmissionError`):
  status, type and title are the class's, the detail the occurrence's.
* DRF views: `exception_handler` (settings `REST_FRAMEWORK["EXCEPTION_HANDLER"]`) turns every `Problem`,
  DRF `APIException` (validation, authentication, throttling, 404, 405, 415 …), `Http404`,
  `PermissionDenied` and Django's request-size limits into a problem document; validation errors keep
  their field messages in the extension member `errors`. A view's `problem_type_base` (the specification's
  problem URI prefix) names the type of DRF's own errors; without it they are `about:blank`.
* Errors Django answers before or outside a view (an unknown path under an API prefix, a body above
  `DATA_UPLOAD_MAX_MEMORY_SIZE`, an unhandled exception): `handler400/403/404/500`, hooked in
  `amtsweg.urls`, answer a problem document under `API_PATH_PREFIXES` and the German page elsewhere.
* A failed CSRF check (`CSRF_FAILURE_VIEW`): `csrf_failure`, a German page that explains the form expired,
  instead of Django's unstyled technical page; a problem document under the API prefixes.

Language (README, "API language"): `type`, `title` and `status` are the machine-readable part and stay
English and fixed per problem type (RFC 9457 §3.1.3; for `about:blank` the HTTP status phrase);
`detail` and the messages in `errors` are for the person reading them and German (gettext, so a client
asking with `Accept-Language: en` gets English). Only the OAuth token endpoint answers RFC 6749 errors,
whose ASCII-only `error_description` is English.

A request body above the limit is a 413 (Content Too Large, RFC 9110), also where Django would say 400.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

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


def instance_uri(request: HttpRequest) -> str:
    """The problem's `instance`: the absolute URI of the request's path, percent-encoded.

    FIT-Connect's problem schema declares `instance` as `format: uri`, which a bare path is not (a URI has a
    scheme); a path with non-ASCII characters would not even be a URI reference. Absolute, the member also
    tells a client's log which installation answered. The query string is left out (it may carry search
    terms).
    """
    path = quote(request.path, safe=_PATH_SAFE, errors="replace")
    try:  # the origin, then the path (a path "//x" must not become the host x)
        origin = request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:  # the error being answered may be this very host: the configured address instead
        origin = settings.PUBLIC_BASE_URL
    return origin + path


# RFC 3986 §3.3: what a path segment may hold unencoded besides unreserved characters (no "%": the path is
# decoded, so a "%" in it is a literal one and is encoded; no "[", "]": they are allowed in hosts only).
_PATH_SAFE = "/!$&'()*+,;=:@~"


def problem_body(status: int, *, detail: str = "", title: str = "", type: str = "about:blank",  # noqa: A002
                 instance: str = "", **extensions: Any) -> dict[str, Any]:
    """A problem document. With `type` "about:blank" the title is the HTTP status phrase (RFC 9457 §4.2.1)."""
    body: dict[str, Any] = {"type": type, "title": title or HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = str(detail)
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


def no_content() -> HttpResponse:
    """A 204 answer: no body, hence no Content-Type (Django's HttpResponse would send text/html)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def problem_response(status: int, **fields: Any) -> HttpResponse:
    """A plain Django response with a problem document (see `problem_body` for the fields)."""
    return JsonResponse(problem_body(status, **fields), status=status, content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


class Problem(Exception):
    """An error an API answers with a problem document; raise it (or a subclass) from services and views.

    A subclass is one problem type: `status`, `slug` (appended to `type_base` to form the type URI; empty:
    `about:blank`) and the English `title` are fixed, the German `detail` names this occurrence. The services
    raising it need not know HTTP; `exception_handler` (DRF views) and `response` (plain views) render it.
    """

    status: int = 400
    slug: str = ""
    title: str = ""
    type_base: str = ""

    def __init__(self, detail: str = "", **extensions: Any):
        self.detail = str(detail or self.title or HTTPStatus(self.status).phrase)
        self.extensions = extensions
        super().__init__(self.detail)

    @property
    def type(self) -> str:
        return self.type_base + self.slug if self.slug else "about:blank"

    def body(self, instance: str = "") -> dict[str, Any]:
        return problem_body(self.status, detail=self.detail, title=self.title, type=self.type,
                            instance=instance, **self.extensions)

    def response(self, instance: str = "") -> HttpResponse:
        return problem_response(self.status, detail=self.detail, title=self.title, type=self.type,
                                instance=instance, **self.extensions)


class ProblemSerializer(serializers.Serializer):
    """The problem document (RFC 9457) as the OpenAPI document describes it for every API."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    instance = serializers.CharField(required=False)


class ContentTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("Der Inhalt der Anfrage ist größer, als diese Schnittstelle annimmt.")
    default_code = "content_too_large"


def as_api_exception(exc: Exception) -> Exception:
    """Django's input errors as the DRF exceptions with the right status (DRF would let them escape)."""
    if isinstance(exc, RequestDataTooBig):
        return ContentTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(_("Die Anfrage ist fehlerhaft."))
    return exc


def _messages(errors: Any, path: str = "") -> list[str]:
    """Field errors of a serializer (nested dicts and lists) as "field.sub: message" lines, for `detail`."""
    if isinstance(errors, dict):
        return [line for name, value in errors.items()
                for line in _messages(value, f"{path}.{name}" if path else str(name))]
    if isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            return [f"{path}: {e}" if path else str(e) for e in errors]
        return [line for i, value in enumerate(errors) for line in _messages(value, f"{path}[{i}]")]
    return [f"{path}: {errors}" if path else str(errors)]


def exception_handler(exc: Exception, context: dict) -> Any:
    """DRF's handler, answering `application/problem+json`; None (→ handler500) for real server errors."""
    request = context.get("request")
    instance = instance_uri(request) if request is not None else ""
    if isinstance(exc, Problem):
        set_rollback()
        return _json(exc.body(instance), exc.status)
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", None)
    fields: dict[str, Any] = {"instance": instance}
    type_base = getattr(context.get("view"), "problem_type_base", "")
    if type_base:
        slug = "unauthorized" if response.status_code == 401 else "request-error"
        fields["type"] = type_base + slug
    if isinstance(exc, Http404):
        fields["detail"] = _("Nicht gefunden.")
    elif isinstance(exc, PermissionDenied):
        fields["detail"] = _("Sie haben keine Berechtigung für diese Aktion.")
    elif isinstance(detail, str):
        fields["detail"] = detail
    elif detail is not None:  # field errors of a serializer: a list or a dict of lists
        fields["detail"] = _("Die Anfrage ist ungültig: %(errors)s") % {"errors": "; ".join(_messages(detail))}
        fields["errors"] = detail
    return _json(problem_body(response.status_code, **fields), response.status_code, headers=response)


def _json(body: dict[str, Any], status: int, *, headers: HttpResponse | None = None) -> HttpResponse:
    """The problem document as JSON whatever the view renders otherwise (the OpenAPI view renders YAML, and a
    client's Accept header that only names another type must not turn an error into a 406 or into YAML);
    the headers DRF set (WWW-Authenticate, Retry-After) are kept."""
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE,
                            json_dumps_params={"ensure_ascii": False})
    for name, value in (headers.items() if headers is not None else ()):
        if name.lower() != "content-type":
            response[name] = value
    return response


# --- Django's error handlers (hooked in amtsweg.urls) ---------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if is_api_path(request.path):
        detail = ContentTooLarge.default_detail if status == 413 else _("Die Anfrage ist fehlerhaft.")
        return problem_response(status, detail=detail, instance=instance_uri(request))
    response = defaults.bad_request(request, exception)
    response.status_code = status
    return response


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(403, detail=_("Sie haben keine Berechtigung für diese Aktion."),
                                instance=instance_uri(request))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(404, detail=_("Nicht gefunden."), instance=instance_uri(request))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return problem_response(500, detail=_("Ein interner Fehler ist aufgetreten; er wurde protokolliert."),
                                instance=instance_uri(request))
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: usually a form left open until its token or session expired, not an attack.

    People get a page in the site's frame that says so and leads back to the form (the referring page when
    it is on this site, else the start page); `reason` is Django's technical text and is never shown.
    """
    if is_api_path(request.path):
        return problem_response(403, detail=_("Die CSRF-Prüfung ist fehlgeschlagen."),
                                instance=instance_uri(request))
    referer = request.headers.get("referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()) else ""
    return render(request, "csrf_failure.html", {"back": back}, status=403)
