"""Rules that keep the test suite one suite: each fixture defined once, tests independent of each other's
modules, one Playwright setup. They read the sources (AST), so they fail on the commit that breaks them."""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
SOURCES = [REPO / "conftest.py", *sorted((REPO / "src").rglob("*.py")), *sorted((REPO / "tests").rglob("*.py"))]
BROWSER_PLUGIN = REPO / "src" / "amtsweg" / "testkit" / "browser.py"


@functools.cache
def _parsed() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
                 for path in SOURCES if "migrations" not in path.parts)


def _trees():
    yield from _parsed()


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
        isinstance(target, ast.Name) and target.id == "fixture")


def _fixture_name(node: ast.FunctionDef) -> str:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value
    return node.name


def fixture_definitions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(_is_fixture, node.decorator_list)):
                found[_fixture_name(node)].append(f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            modules.append((node.lineno, "." * node.level + (node.module or "")))
            if node.module is None:  # from . import test_views
                modules += [(node.lineno, "." * node.level + alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            modules += [(node.lineno, alias.name) for alias in node.names]
    return modules


def test_every_fixture_is_defined_once():
    """Shared fixtures live in amtsweg.testkit.fixtures, app-only ones in the app's tests/conftest.py; a
    second definition with the same name would shadow the first for some tests and not others."""
    twice = {name: places for name, places in fixture_definitions().items() if len(places) > 1}
    assert not twice, f"fixtures defined more than once (share them in amtsweg/testkit/fixtures.py): {twice}"


def test_no_module_imports_a_test_module_or_a_conftest():
    """Helpers that several test modules use belong in a helper module (factories.py, flows.py, …), so a
    test module can be moved, renamed or deleted without breaking another one."""
    offenders = []
    for path, tree in _trees():
        for line, module in _imported_modules(tree):
            last = module.rsplit(".", 1)[-1]
            if last.startswith("test_") or last == "conftest":
                offenders.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not offenders, offenders


def test_playwright_is_started_only_by_the_browser_plugin():
    """One Playwright setup: Debian's chromium through `executable_path`, never a downloaded browser."""
    starters = sorted(str(path.relative_to(REPO)) for path, tree in _trees() for node in ast.walk(tree)
                      if isinstance(node, ast.Name | ast.alias)
                      and getattr(node, "id", getattr(node, "name", None)) in {"sync_playwright", "async_playwright"})
    assert starters and set(starters) == {str(BROWSER_PLUGIN.relative_to(REPO))}, starters
    assert "executable_path=chromium_path()" in BROWSER_PLUGIN.read_text()


def test_the_rules_see_what_they_check():
    """The checks above would pass vacuously if they read no sources."""
    definitions = fixture_definitions()
    assert {"saarland", "page", "browser", "kommune_a", "endpoint"} <= definitions.keys()
    assert any(path.name == "conftest.py" for path in SOURCES)
