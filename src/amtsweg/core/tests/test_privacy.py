"""Pages with an applicant's personal data are never cached (`Cache-Control: no-store, private`).

One application goes through every citizen page with real data (steps, summary, receipt, PDF, status page);
each answer of a route in `PERSONAL_DATA_ROUTES` must forbid storing. A second test walks the URLconf so
that a new citizen-facing route cannot slip through undecided.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from amtsweg.assistants.models import Receipt
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.assistants.tests.flows import DETAILS, PERSON
from amtsweg.core.privacy import PERSONAL_DATA_ROUTES
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import status

# Routes outside the staff area and the APIs without personal data: public pages, probes, machine endpoints,
# the embedded test providers (fictitious persons), login and logout actions.
PUBLIC_ROUTES = frozenset({
    "core:healthz", "core:readyz", "core:metrics", "core:sources", "core:imprint", "core:privacy", "core:accessibility",
    "set_language",
    "catalogue:home", "catalogue:topic", "catalogue:life_situation", "catalogue:search", "catalogue:service",
    "catalogue:places", "catalogue:municipality", "routing:who_is_responsible",
    "assistants:list",
    # the maturity measurement's open data per Land: aggregates per Kommune
    "maturity:public_index", "maturity:public_land",
    "identity:logout", "identity:start", "identity:saml-metadata", "identity:test-idp-saml-metadata",
    "identity:test-idp-saml-sso", "identity:test-idp-oidc-discovery", "identity:test-idp-oidc-authorize",
    "identity:test-idp-oidc-token", "identity:test-idp-oidc-jwks",
    "payments:notify", "payments:tbd-create", "payments:tbd-status", "payments:tbd-pay",
})
# Staff pages (never cached by amtsweg.accounts.access, the admin by Django) and the APIs (own headers).
STAFF_OR_API_PREFIXES = ("verwaltung/", "land/", "konto/", "django-admin/", "v1/", "token", ".well-known/", "api/",
                         "routing-api/")


def _routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace) if p)
            yield from _routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, f"{namespace}:{pattern.name}" if namespace else pattern.name


def _assert_no_store(response, what: str) -> None:
    header = response.get("Cache-Control", "")
    directives = {d.strip() for d in header.split(",")}
    assert {"no-store", "private"} <= directives, f"{what}: Cache-Control {header!r}"


def test_every_citizen_route_is_decided():
    undecided = sorted(name for route, name in _routes() if not route.startswith(STAFF_OR_API_PREFIXES)
                       and name not in PERSONAL_DATA_ROUTES | PUBLIC_ROUTES)
    assert not undecided, f"decide: personal data (core.privacy) or public (this test): {undecided}"
    known = {name for _route, name in _routes()}
    assert known >= PERSONAL_DATA_ROUTES


@pytest.mark.django_db
def test_pages_with_personal_data_forbid_storing(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    FormVersionFactory(published=True, form__slug="testantrag")
    responsibility = ResponsibilityFactory(leika_key="99102013000000")
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    seen: set[str] = set()

    def visit(method: str, url: str, data=None):
        response = getattr(client, method)(url, data or {})
        name = resolve(url.split("?")[0]).view_name
        seen.add(name)
        _assert_no_store(response, f"{method.upper()} {name}")
        return response

    start_url = reverse("assistants:start", args=["testantrag"])
    visit("get", start_url)
    place_url = visit("post", start_url)["Location"]
    visit("get", place_url)
    step1 = visit("post", place_url, {"postcode": "66111", "action": "next"})["Location"]
    visit("get", step1)
    visit("post", step1, dict(PERSON, given_name=""))  # the page with errors echoes what was typed
    step2 = visit("post", step1, PERSON)["Location"]
    step3 = visit("post", step2, DETAILS)["Location"]
    summary_url = visit("post", step3, {"action": "next"})["Location"]
    saved_url = summary_url.replace("/pruefen/", "/gespeichert/")
    visit("get", saved_url)
    resume_url = client.get(saved_url).context["link"].removeprefix("http://testserver")
    visit("get", resume_url)
    visit("get", summary_url)
    visit("get", summary_url.replace("/pruefen/", "/zahlung/"))
    receipt_url = visit("post", summary_url, {"declaration": "yes"})["Location"]
    visit("get", receipt_url)
    receipt = Receipt.objects.get()
    visit("get", reverse("assistants:receipt_pdf", args=[receipt.id]))
    visit("get", status.status_path(receipt.reference))
    visit("get", reverse("submissions:status_help", args=[receipt.reference]))
    visit("get", reverse("payments:return", args=["AW-unbekannt"]))
    visit("get", reverse("identity:choose"))
    visit("get", reverse("identity:oidc-callback", args=["test-oidc"]))  # no login running: refused, not stored
    visit("post", reverse("identity:saml-acs", args=["bundid"]))
    visit("get", reverse("postfach:index"))
    signed = [receipt.reference, status.signature(receipt.reference)]
    visit("get", reverse("postfach:message", args=[*signed, uuid.uuid4()]))  # messages: postfach/tests
    visit("get", reverse("postfach:attachment", args=[*signed, uuid.uuid4()]))
    visit("get", reverse("postfach:notice", args=[*signed, uuid.uuid4()]))
    visit("get", reverse("postfach:notice_signature", args=[*signed, uuid.uuid4()]))
    visit("get", reverse("postfach:data_export", args=signed))  # no back-office case here: a 404, still no-store
    assert seen == PERSONAL_DATA_ROUTES


@pytest.mark.django_db
def test_refusals_on_those_routes_are_not_stored_either(client):
    """A 404 for someone else's receipt is no personal data, but a cached error must not hide a later page."""

    response = client.get(reverse("assistants:receipt", args=[uuid.uuid4()]))
    assert response.status_code == 404
    _assert_no_store(response, "404 receipt")
    public = client.get(reverse("assistants:list"))
    assert "no-store" not in public.get("Cache-Control", "")
