"""README, settings and the import-linter contract name one layer order (issue 13, item 12).

`lint-imports` (in .ci/run) checks the code against the contract in pyproject.toml; this test checks that
the contract, `INSTALLED_APPS` and the README's architecture (its diagram and its table of apps) say the
same, and that every installed Amtsweg app is placed in the contract.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.PROJECT_DIR)


def contract_layers() -> list[list[str]]:
    """The layers contract's layers from the bottom up, each a list of app names."""
    config = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = [[name.strip().removeprefix("amtsweg.") for name in re.split(r"[|:]", line)]
              for line in contract["layers"]]
    return list(reversed(layers))


def rank_of() -> dict[str, int]:
    return {app: rank for rank, layer in enumerate(contract_layers()) for app in layer}


def installed_apps() -> list[str]:
    return [app.removeprefix("amtsweg.") for app in settings.INSTALLED_APPS if app.startswith("amtsweg.")]


def assert_in_layer_order(apps: list[str], where: str) -> None:
    ranks = rank_of()
    missing = [app for app in apps if app not in ranks]
    assert not missing, f"{where}: {missing} not in the import-linter contract (pyproject.toml)"
    out_of_order = [(a, b) for a, b in zip(apps, apps[1:], strict=False) if ranks[a] > ranks[b]]
    assert not out_of_order, f"{where}: {out_of_order} against the contract's layer order"


def test_every_installed_app_is_in_the_contract_in_the_same_order():
    apps = installed_apps()
    assert_in_layer_order(apps, "INSTALLED_APPS")
    assert sorted(apps) == sorted(rank_of()), "the contract names an app that is not installed"


def test_the_readme_table_lists_the_apps_in_layer_order():
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    table = [m.group(1) for m in re.finditer(r"^\| `(\w+)` \|", section, re.MULTILINE)]
    apps = [app for app in table if app != "amtsweg_subscriber"]
    assert_in_layer_order(apps, "README table")
    assert sorted(apps) == sorted(installed_apps())


def test_the_readme_diagram_is_the_contract():
    readme = (PROJECT_DIR / "README.md").read_text()
    diagram = re.search(r"^    core → .*?(?=\n\n)", readme, re.MULTILINE | re.DOTALL).group(0)
    layers = [[app.strip() for app in step.split("|")] for step in re.split(r"→", diagram)]
    assert layers == contract_layers()


def test_the_contract_binds_core_and_spares_only_tests():
    """Its lowest layer is core, and its ignore list exempts test modules only, no production import."""
    config = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"] if c["type"] == "layers"]
    assert contract["layers"][-1] == "amtsweg.core"
    assert all(".tests." in rule.split("->")[0] for rule in contract.get("ignore_imports", []))
