"""`Cache-Control: no-store` on every page that shows an applicant's personal data, decided in one place.

A draft step, the summary, the receipt (page and PDF) or the status page must never be kept by a browser's
back/forward cache, a shared computer's disk cache or a proxy: the next user of the same machine or proxy
would see the applicant's name, address and answers. Views do not each remember to say so; this middleware
adds Django's never-cache headers (`no-store`, `private`, `max-age=0`, ...) to every response of the routes
named in `PERSONAL_DATA_ROUTES`.

Routes are named as strings ("namespace:name"), so the core app imports none of the later apps. Staff pages
get the same headers from `amtsweg.accounts.access`. `core/tests/test_privacy.py` walks the URLconf and fails
for any route outside the staff area and the APIs that is neither here nor in its list of public pages, so a
new page (e.g. a citizen's Postfach) has to be decided on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERSONAL_DATA_ROUTES = frozenset({
    # the application assistant: own drafts, place, steps, summary, save-and-resume, payment return, receipt
    "assistants:start", "assistants:resume", "assistants:place", "assistants:step", "assistants:summary",
    "assistants:saved", "assistants:payment_return", "assistants:receipt", "assistants:receipt_pdf",
    # the applicant's status page (signed link) and the page that explains it (shows the reference)
    "submissions:status", "submissions:status_help",
    # back from the payment provider (names the payment reference)
    "payments:return",
    # the login chooser names the logged-in citizen; the identity providers' answers carry the assertion
    "identity:choose", "identity:saml-acs", "identity:oidc-callback",
    # the citizen's Postfach: their applications, messages and notices
    "postfach:index", "postfach:message", "postfach:attachment", "postfach:notice", "postfach:notice_signature",
    # the applicant's own copy of everything stored (Auskunft nach Art. 15 DSGVO)
    "postfach:data_export",
})


def never_cached(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in PERSONAL_DATA_ROUTES


class NoStoreMiddleware:
    """Mark responses of `PERSONAL_DATA_ROUTES` as never to be stored (also error and redirect answers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if never_cached(request):
            add_never_cache_headers(response)
        return response
