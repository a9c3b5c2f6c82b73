"""CI check (issue 13): `src/` uses no private name of Django, psycopg, httpx, httpcore, joserfc or
django-tasks-db, so that their next release cannot break Amtsweg silently.

A private name is one with a single leading underscore that the library itself defines (read from its
installed sources), or a module of its own whose name starts with one. Flagged, with file and line:

* imports of such a module or name (`from psycopg._queries import …`, `from httpx import _x`);
* attribute access `obj._name` (also `getattr(obj, "_name")`) where `obj` comes from one of the libraries
  (`connection._prepare_cursor`, `psycopg._queries`), or where `_name` is one of the libraries' private
  names and none of Amtsweg's own (our own `_helpers` are never flagged);
* methods `_name` of a class derived from a library class that replace the library's private method
  (`def _task_to_db_task` in a backend subclass);
* the internals the issue names that carry no underscore (`ServerBindingCursor`, `convert_query`, psycopg's
  statement-cache limits).

Underscore names the libraries document as public (`Model._meta`, `._state`, `._default_manager`,
`._base_manager`) are allowed. Run alone: `python src/amtsweg/core/tests/test_public_apis.py [SRC_DIR]`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

LIBRARIES = ("django", "psycopg", "httpx", "httpcore", "joserfc", "django_tasks_db")

# Documented in the libraries' reference: Model._meta (the Model _meta API), Model._state (model instance
# reference, "Other attributes"), Model._default_manager / _base_manager (managers documentation).
DOCUMENTED = frozenset({"_meta", "_state", "_default_manager", "_base_manager"})

# Internals without an underscore: Django's server-side binding cursor and SQLite placeholder conversion
# (neither documented), psycopg's statement-cache limits (in its private `_queries` module).
UNDOCUMENTED = frozenset({"ServerBindingCursor", "convert_query", "MAX_CACHED_STATEMENT_PARAMS",
                          "MAX_CACHED_STATEMENT_LENGTH"})

SRC = Path(__file__).resolve().parents[3]  # …/src

_DEFINITIONS = re.compile(
    r"^\s*(?:async\s+)?def\s+(_[A-Za-z0-9]\w*)"  # functions and methods
    r"|^\s*class\s+(_[A-Za-z0-9]\w*)"  # classes
    r"|\b(?:self|cls)\.(_[A-Za-z0-9]\w*)\s*(?::[^=\n]*)?=(?!=)"  # instance and class attributes
    r"|^\s*(_[A-Za-z0-9]\w*)\s*(?::[^=\n]*)?=(?!=)",  # module and class level names
    re.MULTILINE,
)


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in DOCUMENTED


@cache
def library_private_names() -> frozenset[str]:
    """Every private name the installed libraries define, from their sources (fast: a regular expression)."""
    names: set[str] = set()
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            for path in Path(root).rglob("*.py"):
                names.update(p.stem for p in path.relative_to(root).parents if p.name.startswith("_"))
                if path.stem.startswith("_") and not path.stem.startswith("__"):
                    names.add(path.stem)
                for match in _DEFINITIONS.finditer(path.read_text(encoding="utf-8", errors="replace")):
                    names.add(next(group for group in match.groups() if group))
    return frozenset(name for name in names if _is_private(name))


def _from_library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def _private_module(module: str) -> str | None:
    return next((part for part in module.split(".")[1:] if _is_private(part)), None)


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


class _Checker(ast.NodeVisitor):
    def __init__(self, path: str, own: frozenset[str], theirs: frozenset[str]) -> None:
        self.path, self.own, self.theirs = path, own, theirs
        self.library_names: set[str] = set()  # names bound to something imported from a library (any scope)
        self.found: list[str] = []

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.path}:{node.lineno}: {what}")

    def foreign(self, name: str) -> bool:
        return name in self.theirs and name not in self.own

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _from_library(alias.name):
                self.library_names.add(alias.asname or alias.name.split(".")[0])
                if private := _private_module(alias.name):
                    self.flag(node, f"imports the private module {alias.name} ({private})")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not _from_library(node.module):
            return
        if private := _private_module(node.module):
            self.flag(node, f"imports from the private module {node.module} ({private})")
        for alias in node.names:
            self.library_names.add(alias.asname or alias.name)
            if _is_private(alias.name) or alias.name in UNDOCUMENTED:
                self.flag(node, f"imports {alias.name} from {node.module}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._attribute(node, node.attr, node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (isinstance(node.func, ast.Name) and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):
            self._attribute(node, node.args[1].value, node.args[0])
        self.generic_visit(node)

    def _attribute(self, node: ast.AST, name: str, owner: ast.expr) -> None:
        if name in UNDOCUMENTED:
            self.flag(node, f"uses {name}, an undocumented library internal")
        elif _is_private(name):
            root = _root(owner)
            if isinstance(root, ast.Name) and root.id in self.library_names:
                self.flag(node, f"uses {name} of {root.id} (private to the library)")
            elif self.foreign(name):
                self.flag(node, f"uses {name}, a private name of {'/'.join(LIBRARIES)}")

    def visit_Constant(self, node: ast.Constant) -> None:
        """A dotted path in a string (`importorskip("psycopg._queries")`, `mock.patch("httpx….._pool")`)."""
        if (isinstance(node.value, str) and _DOTTED.fullmatch(node.value) and _from_library(node.value)
                and (private := _private_module(node.value))):
            self.flag(node, f"names {node.value} ({private} is private)")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in UNDOCUMENTED:
            self.flag(node, f"uses {node.id}, an undocumented library internal")


def _python_files(src: Path) -> Iterator[Path]:
    yield from sorted(p for p in src.rglob("*.py") if "migrations" not in p.parts)


def _library_bound(tree: ast.Module) -> dict[str, str]:
    """Names a module binds to something imported from one of the libraries, with its dotted path."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _from_library(alias.name):
                    bound = alias.asname or alias.name.split(".")[0]
                    names[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom) and not node.level and _from_library(node.module):
            names.update((alias.asname or alias.name, f"{node.module}.{alias.name}") for alias in node.names)
    return names


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (owner := _dotted(node.value)):
        return f"{owner}.{node.attr}"
    return None


@cache
def _base_private_names(path: str) -> frozenset[str] | None:
    """The private names a library class and its library ancestors define (None: not importable)."""
    module, _dot, rest = path.partition(".")
    try:
        obj = importlib.import_module(module)
        for part in rest.split(".") if rest else []:
            try:
                obj = getattr(obj, part)
            except AttributeError:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
    except Exception:  # noqa: BLE001 - a base that cannot be imported here is judged by every library name
        return None
    if not isinstance(obj, type):
        return None
    names: set[str] = set()
    for cls in obj.__mro__:
        if _from_library(cls.__module__):
            # class attributes and methods, and (Python 3.13+) the attributes its methods set on `self`
            names.update(vars(cls), getattr(cls, "__static_attributes__", ()))
    return frozenset(name for name in names if _is_private(name))


def _replaceable(cls: ast.ClassDef, library_names: dict[str, str], theirs: frozenset[str]) -> frozenset[str]:
    """The private names of the library classes `cls` derives from (what it must not replace)."""
    names: set[str] = set()
    for base in cls.bases:
        dotted = _dotted(base.value if isinstance(base, ast.Subscript) else base)
        if dotted is None or dotted.split(".")[0] not in library_names:
            continue
        head, _dot, tail = dotted.partition(".")
        path = library_names[head] + (f".{tail}" if tail else "")
        found = _base_private_names(path)
        names.update(theirs if found is None else found)
    return frozenset(names)


def _defined(tree: ast.Module, theirs: frozenset[str]) -> Iterator[tuple[ast.AST, str, bool]]:
    """(node, name, replaces-a-library's) for every private name the module defines: functions, classes,
    module/class level names and `self.`/`cls.` attributes. In a class derived from a library class, a
    method or attribute the library class (or a library ancestor) defines itself replaces the library's."""
    library_names = _library_bound(tree)

    def walk(node: ast.AST, replaceable: frozenset[str]) -> Iterator[tuple[ast.AST, str, bool]]:
        for child in ast.iter_child_nodes(node):
            inner = replaceable
            if isinstance(child, ast.ClassDef):
                inner = _replaceable(child, library_names, theirs)
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [child.name]
            elif isinstance(child, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                names = [t.id if isinstance(t, ast.Name) else t.attr for t in targets
                         if isinstance(t, ast.Name) or (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                                        and t.value.id in {"self", "cls"})]
            else:
                names = []
            for name in names:
                if _is_private(name):
                    yield child, name, name in replaceable
            yield from walk(child, inner)

    yield from walk(tree, frozenset())


def private_uses(src: Path = SRC) -> list[str]:
    """`file:line: what` for every use of a library's private name under `src`."""
    theirs = library_private_names()
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _python_files(src)}
    own: set[str] = {path.stem for path in trees if path.stem.startswith("_")}
    replaced: dict[Path, list[tuple[ast.AST, str]]] = {}
    for path, tree in trees.items():
        for node, name, replaces in _defined(tree, theirs):
            if replaces:
                replaced.setdefault(path, []).append((node, name))
            else:
                own.add(name)
    found: list[str] = []
    for path, tree in trees.items():
        checker = _Checker(str(path.relative_to(src.parent)), frozenset(own), theirs)
        checker.library_names = set(_library_bound(tree))
        checker.visit(tree)
        for node, name in replaced.get(path, []):
            checker.flag(node, f"replaces {name}, private to a library base class")
        found.extend(checker.found)
    return sorted(set(found), key=lambda line: (line.split(":")[0], int(line.split(":")[1]), line))


def test_src_uses_no_private_name_of_its_libraries():
    found = private_uses()
    assert not found, "private library internals in src/ (issue 13):\n" + "\n".join(found)


def test_the_check_finds_what_the_issue_removed(tmp_path):
    """The check itself can fail: each kind of use it looks for is found in a small module, and our own
    private helpers, documented underscore names and names merely shared with a library are not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "bad.py").write_text(
        "from django.db import connection\n"
        "from django.db.backends.postgresql.base import ServerBindingCursor\n"
        "from django_tasks_db.backend import DatabaseBackend\n"
        "from psycopg import _queries\n"
        "import httpx._transports.default\n"
        "\n"
        "class Backend(DatabaseBackend):\n"
        "    def _task_to_db_task(self, task, args, kwargs):\n"
        "        return None\n"
        "\n"
        "def cursor(transport, stream):\n"
        "    transport._pool = None\n"
        "    out = getattr(stream, '_out', stream)\n"
        "    return connection._prepare_cursor(ServerBindingCursor(connection.connection)), out\n"
        "\n"
        "LIMITS = __import__('pytest').importorskip('psycopg._queries')\n"
        "\n"
        "class Transport(httpx.HTTPTransport):\n"
        "    def __init__(self):\n"
        "        self._pool = None\n"
    )
    (package / "good.py").write_text(
        "from django.db import models\n"
        "\n"
        "def _lookup(index):\n"
        "    return index\n"
        "\n"
        "class Thing(models.Model):\n"
        "    def _own_helper(self):\n"
        "        return self._meta.db_table, self._state.adding, type(self)._default_manager, _lookup(1)\n"
        "\n"
        "def resolve(resolution):\n"
        "    return resolution._lookup({})\n"
    )
    found = private_uses(package)
    assert all(line.startswith("pkg/bad.py:") for line in found), found
    lines = {int(line.split(":")[1]) for line in found}
    assert lines == {2, 4, 5, 8, 12, 13, 14, 16, 20}, found


if __name__ == "__main__":
    import os

    import django

    sys.path.insert(0, str(SRC))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    django.setup()  # the base classes of our models and forms are imported to read their private names
    uses = private_uses(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else SRC)
    print("\n".join(uses) or "no private library names used")
    sys.exit(1 if uses else 0)
