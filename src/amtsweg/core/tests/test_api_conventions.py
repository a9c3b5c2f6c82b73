"""Issue 13.7 guards over the source: JSON is never assembled as text, and public keys have one serializer."""

from __future__ import annotations

import ast
from pathlib import Path

from amtsweg.core.jwk import PUBLIC_MEMBERS, JWKSerializer, public_jwk

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


def test_one_jwk_serializer_and_it_shows_only_public_members():
    declaring = [f"{path.relative_to(SRC)}:{node.lineno}" for path, tree in _sources() for node in ast.walk(tree)
                 if isinstance(node, ast.ClassDef)
                 and any(isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "kty" for t in item.targets)
                         for item in node.body)]
    assert declaring == ["amtsweg/core/jwk.py:19"]
    assert tuple(JWKSerializer().fields) == PUBLIC_MEMBERS
    private = {"kty": "RSA", "kid": "k1", "alg": "PS512", "key_ops": ["verify"], "n": "AQAB", "e": "AQAB",
               "d": "geheim", "p": "geheim", "x": "?"}
    assert public_jwk(private, kid="k2") == {"kty": "RSA", "kid": "k2", "alg": "PS512", "key_ops": ["verify"],
                                             "n": "AQAB", "e": "AQAB"}
