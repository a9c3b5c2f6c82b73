"""Fixtures shared by every app's tests."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used synchronously there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright):
    from amtsweg.core.testing import CHROMIUM_ARGS, chromium_path

    browser = _playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):
    """Login throttling is tested explicitly; other tests must not trip over each other's failures."""
    settings.AXES_ENABLED = os.environ.get("AXES_ENABLED_IN_TESTS", "1") == "1"


@pytest.fixture(autouse=True)
def _sender_callbacks_to_loopback(settings):
    """Test endpoints listen on http://127.0.0.1; `delivery/tests/test_ssrf.py` switches the guard back on."""
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (mails, routing API) live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
