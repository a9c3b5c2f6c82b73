"""Fuzzing every HTML form: no hostile input (NUL, huge, wrong types, random files) may answer 5xx.

The forms are found, not listed: for each role (anonymous citizen, Kommune administrator, Land operator)
the test crawls the site from its entry pages along internal links and collects every `<form
method="post">`; each distinct form (by the view it posts to) is then fuzzed with
`amtsweg.core.testing.fuzz_form`. A new page with a form is fuzzed without touching this file.

The world has a measured Kommune (maturity), so the declaration form is fuzzed too.

Bounded and derandomized (CI): `AMTSWEG_FUZZ_FORM_EXAMPLES` posts per form, at most `MAX_PAGES` pages
crawled per role.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.core.testing import HTMLForm, fuzz_form, page_forms
from amtsweg.delivery.tests.factories import OutboxMessageFactory
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.maturity import compute
from amtsweg.payments.tests.factories import TestPaymentOrderFactory
from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.shop.models import Subscription
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory
from amtsweg.submissions.tests.factories import ApiClientFactory, payload_for, submit_payload

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("AMTSWEG_FUZZ_FORM_EXAMPLES", "6"))
MAX_PAGES = 120
PAGES_PER_VIEW = 3
NOT_CRAWLED = ("/static/", "/django-admin/", "/konto/abmelden/", "/anmeldung/abmelden/", "/i18n/")
NOT_CRAWLED_ENDINGS = (".pdf", ".csv", ".json", ".xml")
SEEDS = ["/", "/antrag/", "/antrag/testantrag/", "/zustaendigkeit/", "/konto/anmelden/", "/konto/profil/",
         "/verwaltung/", "/land/angebote/"]
# Forms the crawl posts once with their rendered values (and these) to reach the pages behind them: the
# assistant's steps exist only for a draft, which its start page creates.
ADVANCE = {
    "accounts:login": [{"username": "fuzz-login", "password": UserFactory.password_plain}],
    "assistants:start": [{}],
    "assistants:place": [{"postcode": "66111", "action": "next"}, {"postcode": "66111", "action": "save"}],
}


@pytest.fixture
def fuzz_forms_world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.AMTSWEG_DELIVERY_EXPORT_ROOT = tmp_path / "export"
    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True
    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    authority = destination.authority
    published = FormVersionFactory(published=True, form__slug="testantrag", form__leika_key=responsibility.leika_key)
    FormVersionFactory(form=published.form)  # a draft version: edit and publish forms
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    submitted = submit_payload(payload_for(responsibility))
    OutboxMessageFactory(dead=True, authority=authority)
    ApiClientFactory(subscriber_for=destination)
    DestinationKeyFactory(destination=destination, retired_at=timezone.now(),  # in its grace period
                          valid_until=timezone.now() + timedelta(days=7))
    UserFactory(username="fuzz-login", kommune_admin=True, authority=authority)  # see ADVANCE: the TOTP step
    SubscriptionFactory(offer=OfferFactory(), authority=authority, live=True)
    SubscriptionFactory(offer=OfferFactory(), authority=authority)  # ordered: configure and review forms
    OfferFactory()  # not ordered yet: the order form
    UserFactory(authority=authority, is_active=False)
    configured = SubscriptionFactory(offer=OfferFactory(), authority=authority,
                                     status=Subscription.Status.CONFIGURED)
    AuthorityFactory()  # a Kommune not connected yet: the Land's reminder form
    order = TestPaymentOrderFactory()
    # A measured Kommune (as in maturity/tests/test_views.py): its maturity page, and the declaration form
    # behind it, exist only for an Area with relevant services.
    PublicServiceFactory(key=responsibility.leika_key, leika_type="5", ozg_services=[OzgServiceFactory()])
    compute.recompute_all(actor=SYSTEM)
    return {
        "seeds": [*SEEDS, f"/testbezahldienst/bezahlen/{order.transaction_id}/",
                  f"/status/{submitted.public_reference}/", f"/verwaltung/shop/anschluss/{configured.pk}/pruefen/"],
        "roles": {
            "anonymous": None,
            "kommune_staff": UserFactory(authority=authority),
            "kommune_admin": UserFactory(kommune_admin=True, authority=authority),
            "land_operator": UserFactory(land_operator=True),
        },
    }


def _view_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


def _crawl(client: Client, seeds: list[str]) -> dict[str, HTMLForm]:
    """Distinct POST forms reachable from `seeds`, keyed by the view they post to.

    Breadth first, but a kind of page not seen yet goes before the umpteenth row of a list (at most
    `PAGES_PER_VIEW` pages per view), so the page budget reaches every area.
    """
    forms: dict[str, HTMLForm] = {}
    queue, seen, per_view = list(seeds), set(), Counter()
    while queue and len(seen) < MAX_PAGES:
        queue.sort(key=lambda link: per_view[_view_name(link)] > 0)  # stable: unseen kinds first
        url = queue.pop(0)
        view_name = _view_name(url)
        if (url in seen or per_view[view_name] >= PAGES_PER_VIEW or url.startswith(NOT_CRAWLED)
                or urlsplit(url).path.endswith(NOT_CRAWLED_ENDINGS)):
            continue
        seen.add(url)
        per_view[view_name] += 1
        response = client.get(url, follow=True)
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        found, links = page_forms(response.content.decode(), response.request["PATH_INFO"])
        queue.extend(link for link in links if link not in seen)
        for form in found:
            form_view = _view_name(form.action)
            if form_view in forms:
                continue
            forms[form_view] = form
            for values in ADVANCE.get(form_view, []):
                data = {name: options[0] for name, options in form.fields.items() if options}
                advanced = client.post(form.action, {**data, **values}, follow=True)
                queue.append(advanced.request["PATH_INFO"])
    return forms


def test_no_form_answers_a_server_error_on_hostile_input(fuzz_forms_world):
    started = time.perf_counter()
    failures: list[str] = []
    fuzzed: set[str] = set()
    for user in fuzz_forms_world["roles"].values():
        client = Client(raise_request_exception=False)

        def refresh(client, user=user):
            if user is not None and "_auth_user_id" not in client.session:
                login_staff(client, user)

        refresh(client)
        forms = _crawl(client, fuzz_forms_world["seeds"])
        for view_name, form in sorted(forms.items()):
            if view_name in fuzzed:
                continue
            fuzzed.add(view_name)
            failures += fuzz_form(client, form, examples=EXAMPLES, refresh=refresh)
    elapsed = time.perf_counter() - started
    print(f"\nforms fuzzed: {len(fuzzed)} in {elapsed:.1f} s: {', '.join(sorted(fuzzed))}")
    assert len(fuzzed) >= 40
    assert "maturity:declare" in fuzzed
    assert failures == [], "\n".join(failures)
