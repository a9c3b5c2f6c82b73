"""Issue 13.7 guards over the source: JSON is never assembled as text."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_json_is_built_with_f_strings_or_concatenation():
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                if any('":' in p or p.startswith(('{"', ',"')) for p in parts):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                for side in (node.left, node.right):
                    if isinstance(side, ast.Constant) and isinstance(side.value, str) and '":' in side.value:
                        found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == [], "JSON built as text (use json.dumps / a serializer): " + ", ".join(found)
