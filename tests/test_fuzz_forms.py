"""Fuzzing every HTML form: no hostile input (NUL, huge, wrong types, random files) may answer 5xx.

The forms are found, not listed: for each role (anonymous citizen, Kommune administrator, Land operator)
the test crawls the site from its entry pages along internal links and collects every `<form
method="post">`; each distinct form (by the view it posts to) is then fuzzed with
`amtsweg.core.testing.fuzz_form`. A new page with a form is fuzzed without touching this file.

Bounded and derandomized (CI): `AMTSWEG_FUZZ_FORM_EXAMPLES` posts per form, at most `MAX_PAGES` pages
crawled per role.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.core.testing import fuzz_form, page_forms
from amtsweg.delivery.tests.factories import OutboxMessageFactory
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory
from amtsweg.submissions.tests.factories import ApiClientFactory, payload_for, submit_payload

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("AMTSWEG_FUZZ_FORM_EXAMPLES", "8"))
MAX_PAGES = 120
NOT_CRAWLED = ("/static/", "/django-admin/", "/konto/abmelden/", "/anmeldung/abmelden/", "/i18n/")
NOT_CRAWLED_ENDINGS = (".pdf", ".csv", ".json", ".xml")


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.AMTSWEG_DELIVERY_EXPORT_ROOT = tmp_path / "export"
    responsibility = ResponsibilityFactory()
    authority = responsibility.destination.authority
    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key=responsibility.leika_key)
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    submit_payload(payload_for(responsibility))
    OutboxMessageFactory()
    ApiClientFactory(subscriber_for=responsibility.destination)
    offer = OfferFactory()
    SubscriptionFactory(offer=offer, authority=authority, live=True)
    return {
        "anonymous": None,
        "kommune_admin": UserFactory(kommune_admin=True, authority=authority),
        "land_operator": UserFactory(land_operator=True),
    }


def _view_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


def _crawl(client: Client, seeds: list[str]) -> dict[str, object]:
    """Distinct POST forms reachable from `seeds`, keyed by the view they post to."""
    forms: dict[str, object] = {}
    queue, seen = list(seeds), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_CRAWLED) or urlsplit(url).path.endswith(NOT_CRAWLED_ENDINGS):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        final = response.request["PATH_INFO"]
        found, links = page_forms(response.content.decode(), final)
        for form in found:
            forms.setdefault(_view_name(form.action), form)
        # A new kind of page is worth more than the 50th row of a list: one link per view name first.
        queue.extend(link for link in links if link not in seen)
    return forms


def test_no_form_answers_a_server_error_on_hostile_input(world):
    started = time.perf_counter()
    failures: list[str] = []
    fuzzed: set[str] = set()
    seeds = ["/", "/antrag/", "/antrag/testantrag/", "/zustaendigkeit/", "/konto/anmelden/", "/verwaltung/",
             "/land/angebote/"]
    for role, user in world.items():
        client = Client(raise_request_exception=False)

        def refresh(client, user=user):
            if user is not None and "_auth_user_id" not in client.session:
                login_staff(client, user)

        refresh(client)
        forms = _crawl(client, seeds)
        for view_name, form in sorted(forms.items()):
            if view_name in fuzzed:
                continue
            fuzzed.add(view_name)
            failures += fuzz_form(client, form, examples=EXAMPLES, refresh=refresh)
    elapsed = time.perf_counter() - started
    print(f"\nforms fuzzed: {len(fuzzed)} in {elapsed:.1f} s: {', '.join(sorted(fuzzed))}")
    assert len(fuzzed) >= 15
    assert failures == [], "\n".join(failures)
