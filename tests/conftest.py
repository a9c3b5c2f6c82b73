"""Fixtures for the top-level tests: Debian's chromium driven from a thread of its own.

Playwright's sync API allows one running instance per thread. When the whole suite runs, the apps' browser
tests (``src/amtsweg/conftest.py``, not visible from ``tests/``) keep theirs alive in the main thread until
the session ends, so a second one there fails ("Sync API inside the asyncio loop"). These fixtures therefore
start Playwright in a dedicated thread and hand the test a ``page`` that forwards every call into that
thread, so the test code reads exactly like any other Playwright test.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CALL_TIMEOUT_S = 60  # no single browser call may hang the test; Playwright's own timeouts are shorter


class BrowserThread:
    """One thread that owns a sync Playwright and a chromium; `call` runs a callable there."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e2e-browser")
        self._playwright = None
        self.browser = None
        self.call(self._start)

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        from amtsweg.core.testing import CHROMIUM_ARGS, chromium_path

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)

    def call(self, fn, *args, **kwargs):
        return self._executor.submit(fn, *args, **kwargs).result(timeout=CALL_TIMEOUT_S)

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.call(self.browser.close)
            if self._playwright is not None:
                self.call(self._playwright.stop)
        finally:
            self._executor.shutdown(wait=True)


class InBrowserThread:
    """Proxy for a Playwright object (Page, Locator, Keyboard…) living in the browser thread.

    Attribute reads and method calls run in that thread; Playwright objects they return are wrapped again,
    plain values (str, bool, dict, None…) come back as they are.
    """

    __slots__ = ("_target", "_thread")

    def __init__(self, target: Any, thread: BrowserThread) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_thread", thread)

    def _wrap(self, value: Any) -> Any:
        if type(value).__module__.startswith("playwright."):
            return InBrowserThread(value, self._thread)
        return value

    def __getattr__(self, name: str) -> Any:
        value = self._thread.call(getattr, self._target, name)
        if callable(value) and not type(value).__module__.startswith("playwright."):
            def method(*args, **kwargs):
                return self._wrap(self._thread.call(value, *args, **kwargs))

            return method
        return self._wrap(value)

    def __repr__(self) -> str:
        return f"InBrowserThread({self._target!r})"


@pytest.fixture(scope="session")
def browser_thread():
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.fixture
def page(browser_thread):
    """A fresh German-language browser context and page (like the apps' `page` fixture)."""
    context = browser_thread.call(browser_thread.browser.new_context, locale="de-DE")
    real = browser_thread.call(context.new_page)
    browser_thread.call(real.set_default_timeout, 15_000)
    yield InBrowserThread(real, browser_thread)
    browser_thread.call(context.close)


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):
    """As in the apps' conftest: login throttling is tested explicitly elsewhere."""
    settings.AXES_ENABLED = os.environ.get("AXES_ENABLED_IN_TESTS", "1") == "1"
