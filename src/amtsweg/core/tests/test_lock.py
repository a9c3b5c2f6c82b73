"""The hash-pinned lock files match pyproject.toml (issue 13, item 3).

bin/setup and CI install exactly `requirements-dev.lock`; production installs `requirements.lock`. A
dependency added to pyproject.toml without `bin/lock` would be missing on a fresh machine (bin/setup's
`pip check` stops there too, but only on a fresh install); this test says so wherever the tests run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_DIR = Path(settings.PROJECT_DIR)
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, str]:
    """name -> version of every pinned package in a lock file; each pin must carry at least one hash."""
    text = (PROJECT_DIR / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    found = {}
    for entry in entries:
        match = PIN.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{lock}: {match.group(1)} has no hash"
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def project() -> dict:
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())


def runtime_requirements() -> list[Requirement]:
    data = project()
    return [Requirement(r) for r in data["project"]["dependencies"] + data["build-system"]["requires"]]


def dev_requirements() -> list[Requirement]:
    return [Requirement(r) for r in project()["project"]["optional-dependencies"]["dev"]]


def assert_locked(requirements: list[Requirement], lock: str) -> None:
    locked = pins(lock)
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement} is not in {lock}")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{requirement}: {lock} has {locked[name]}")
    assert not problems, "; ".join(problems) + " - run bin/lock (README: Dependencies)"


def test_the_dev_lock_holds_every_dependency_in_its_range():
    assert_locked(runtime_requirements() + dev_requirements(), "requirements-dev.lock")


def test_the_production_lock_holds_the_runtime_dependencies_at_the_dev_locks_versions():
    assert_locked(runtime_requirements(), "requirements.lock")
    production, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in production} == production


def test_the_readme_says_why_each_dependency_is_there():
    section = (PROJECT_DIR / "README.md").read_text().split("## Dependencies and why they are here", 1)[1]
    section = section.split("\n## ", 1)[0]
    named = " , ".join(line.split("|")[1].strip().lower() for line in section.splitlines()
                       if line.startswith("| ") and not line.startswith("| dependency"))
    declared = [Requirement(r) for r in project()["project"]["dependencies"]] + dev_requirements()
    missing = [str(r) for r in declared if not re.search(rf"(^|[\s,(]){re.escape(r.name.lower())}($|[\s,)])", named)]
    assert not missing, f"no line in the README's dependency table for {missing}"
