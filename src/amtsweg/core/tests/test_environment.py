"""The environment is read in one place (amtsweg.environment, typed), documented in one place (the README's
configuration table), and apps read Django settings, never the environment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from amtsweg import environment

SRC = Path(environment.__file__).resolve().parent
README = SRC.parent.parent / "README.md"
# Test tooling may read its own switches (CHROMIUM_PATH, AXES_ENABLED_IN_TESTS, fuzzing example counts).
NOT_APP_CODE = {"tests", "testkit", "migrations"}


def readme_variables() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}


def test_the_readme_table_lists_exactly_the_variables_read():
    declared = set(environment.Environment.model_fields)
    documented = readme_variables()
    assert declared - documented == set(), "read but not in the README's configuration table"
    assert documented - declared == set(), "in the README's configuration table but never read"


def test_every_variable_reaches_the_settings():
    settings_source = (SRC / "settings.py").read_text(encoding="utf-8")
    unused = [name for name in environment.Environment.model_fields if f"env.{name}" not in settings_source]
    assert unused == []


def _environ_reads(tree: ast.Module) -> list[int]:
    """Lines that read the environment: os.environ.get/[...]/in, os.getenv. Copying the whole environment for
    a child process ({**os.environ, …}) and os.environ.setdefault("DJANGO_SETTINGS_MODULE", …) are no reads."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "getenv":
            lines.append(node.lineno)
        if not (isinstance(node, ast.Attribute) and node.attr == "environ"):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Dict) or (isinstance(parent, ast.Call) and getattr(parent.func, "id", "") == "dict"):
            continue
        if isinstance(parent, ast.Attribute) and parent.attr == "setdefault":
            continue
        lines.append(node.lineno)
    return sorted(lines)


def test_apps_read_settings_not_the_environment():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if path.name == "environment.py" or NOT_APP_CODE & set(relative.parts) or path.name == "conftest.py":
            continue
        for line in _environ_reads(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"amtsweg/{relative}:{line}")
    assert offenders == [], "declare the variable in amtsweg/environment.py and read django.conf.settings"


def test_the_check_finds_a_read():
    tree = ast.parse("import os\nA = os.environ.get('A')\nB = os.environ['B']\nC = 'C' in os.environ\n"
                     "D = os.getenv('D')\nE = {**os.environ, 'X': '1'}\nos.environ.setdefault('F', 'f')\n")
    assert _environ_reads(tree) == [2, 3, 4, 5]


def test_values_are_typed_and_an_empty_variable_counts_as_unset():
    env = environment.read({"DEBUG": "1", "ALLOWED_HOSTS": "amtsweg.example, www.amtsweg.example,",
                            "DB_CONN_MAX_AGE": "0", "SECRET_KEY": "", "LOG_LEVEL": "warning"})
    assert env.DEBUG is True and env.DB_CONN_MAX_AGE == 0 and env.LOG_LEVEL == "WARNING"
    assert env.ALLOWED_HOSTS == ["amtsweg.example", "www.amtsweg.example"]
    assert env.SECRET_KEY == "" and env.AMTSWEG_EMBEDDED is None and env.PUBLIC_BASE_URL is None


@pytest.mark.parametrize(("name", "value"), [
    ("DEBUG", "vielleicht"), ("DB_CONN_MAX_AGE", "lang"), ("AMTSWEG_TRUSTED_PROXIES", "-1"),
    ("LOG_LEVEL", "LAUT"), ("AMTSWEG_DELIVERY_LEASE_SECONDS", "0"),
])
def test_a_wrong_value_stops_the_start_naming_the_variable(name, value):
    with pytest.raises(environment.ConfigurationError, match=rf"{name}='{value}'"):
        environment.read({name: value})
