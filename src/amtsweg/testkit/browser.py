"""The one Playwright setup of the suite: Debian's chromium (``executable_path``), never a downloaded browser.

``browser`` (session) starts Playwright and chromium on first use; ``page`` is a fresh German-language
context and page per test. Browser tests are marked ``@pytest.mark.browser``.

Read the page after an action with Playwright's ``expect`` (it retries until the page shows what is asked),
not with ``is_visible()``, ``count()`` or ``content()``: those read at once, and a click that submits a form
returns when the next page starts loading, so under load they read the old or a half-parsed page.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used synchronously there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PAGE_TIMEOUT_MS = 15_000

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's chromium (CHROMIUM_PATH names another build); the tests never download a browser."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Debian chromium is missing: run bin/setup (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a loaded CI machine (two suites at once) answers in seconds.
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()
