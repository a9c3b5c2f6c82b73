"""Test helpers shared by all apps: axe-core checks, in-process WSGI, fuzzing (the browser: amtsweg.testkit.browser)."""

from __future__ import annotations

import contextlib
import dataclasses
from html.parser import HTMLParser
from urllib.parse import urljoin


def axe_violations(page, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
    """Run axe-core (shipped inside axe-playwright-python) on the page with the WCAG 2.1 AA rule set."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": list(tags)}})
    return results.response["violations"]


def assert_no_axe_violations(page) -> None:
    """Fail with axe's findings on the page as loaded.

    Waits for the load event first: a click that submits a form returns once the next page has started to
    load, and axe run on a half-parsed document would report a missing title or landmark that is not missing.
    """
    page.wait_for_load_state()
    violations = axe_violations(page)
    if violations:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
            for v in violations
        ]
        raise AssertionError(f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines))


@contextlib.contextmanager
def in_process_wsgi():
    """The project's WSGI application for in-process HTTP inside a test's database transaction.

    Django closes "old" database connections at the start and end of every request; inside a test's
    transaction that would close the connection under the test (Django's own test client does the same
    disconnect). Unhandled exceptions go through handler500 as in production, so a 5xx is visible.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# --- Fuzzing HTML forms --------------------------------------------------------------------------------


@dataclasses.dataclass
class HTMLForm:
    """A `<form method="post">` as a page renders it: where it posts and its fields with their values."""

    action: str
    fields: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # name → rendered values/options
    files: list[str] = dataclasses.field(default_factory=list)


class _FormCollector(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[HTMLForm] = []
        self.links: list[str] = []
        self._form: HTMLForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "a" and attributes.get("href", "").startswith("/"):
            self.links.append(attributes["href"].split("#")[0])
        elif tag == "form":
            post = attributes.get("method", "get").lower() == "post"
            self._form = HTMLForm(urljoin(self.page_url, attributes.get("action") or self.page_url)) if post else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and attributes.get("name"):
            name = attributes["name"]
            if tag == "input" and attributes.get("type") == "file":
                self._form.files.append(name)
            elif tag in ("input", "textarea", "button"):
                self._form.fields.setdefault(name, []).append(attributes.get("value", ""))
            elif tag == "select":
                self._select = name
                self._form.fields.setdefault(name, [])
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_forms(html: str, page_url: str) -> tuple[list[HTMLForm], list[str]]:
    """The POST forms and the site-internal links of a page."""
    collector = _FormCollector(page_url)
    collector.feed(html)
    return collector.forms, collector.links


def hostile_text():
    """Strings that break careless code: NUL and control characters, huge, numeric edge cases, markup."""
    from hypothesis import strategies as st

    text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
    return st.one_of(
        text,
        st.sampled_from(["", " ", "\x00", "a\x00b", "0", "-1", "1e309", "NaN", "99999999999999999999999",
                         "2026-02-30", "../../etc/passwd", "<script>alert(1)</script>", "{", "[" * 200,
                         "=1+1", "x" * 100_000, "ä" * 5_000, "\u202e\ufeff", "😀" * 100]),
    )


def fuzz_form(client, form: HTMLForm, *, examples: int = 10, refresh=None) -> list[str]:
    """Post hostile values to every field of `form` (and random bytes to every file field) and return
    the requests that answered 5xx. Each field keeps its rendered value or option half of the time, so
    the posts get past the first validation error. Bounded and derandomized for CI.

    `refresh(client)` runs before every post (e.g. to log in again after a form logged the user out).
    The client should be created with `raise_request_exception=False`, so a 500 is a status, not a raise.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    csrf = {k: v for k, v in form.fields.items() if k == "csrfmiddlewaretoken"}
    field_values = {
        name: st.one_of(st.sampled_from(values or [""]), hostile_text(), st.lists(hostile_text(), max_size=3))
        for name, values in form.fields.items() if name != "csrfmiddlewaretoken"
    }
    files = {name: st.binary(max_size=2_000).map(lambda b: SimpleUploadedFile("datei.bin", b)) for name in form.files}
    failures: list[str] = []

    @given(data=st.fixed_dictionaries({}, optional={**field_values, **files}))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def post(data):
        if refresh is not None:
            refresh(client)
        response = client.post(form.action, {**{k: v[0] for k, v in csrf.items()}, **data})
        if response.status_code >= 500:
            shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()}
            failures.append(f"POST {form.action} {shown!r} → {response.status_code}")

    post()
    return failures
