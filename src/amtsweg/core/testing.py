"""Test helpers shared by all apps: Debian chromium via Playwright, axe-core checks."""

from __future__ import annotations

import os
import shutil

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
    """Debian's chromium; the tests never download a browser."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Debian chromium is missing: run bin/setup (apt-get install chromium)")
    return path


def axe_violations(page, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
    """Run axe-core (shipped inside axe-playwright-python) on the page with the WCAG 2.1 AA rule set."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": list(tags)}})
    return results.response["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    if violations:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"]) for n in v["nodes"][:5])
            for v in violations
        ]
        raise AssertionError(f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines))
