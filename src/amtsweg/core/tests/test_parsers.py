"""`amtsweg.core.parsers.loads`: JSON from outside, bounded in depth, without NUL, surrogates or NaN."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.core.parsers import MAX_DEPTH, JSONInputError, loads, nesting_depth


def test_deep_nesting_is_refused_before_json_recurses():
    with pytest.raises(JSONInputError, match="verschachtelt"):
        loads(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(JSONInputError, match="verschachtelt"):
        loads('{"a":' * 100_000 + "1" + "}" * 100_000)
    with pytest.raises(JSONInputError):
        loads(b"[" * 100_000)  # unbalanced


def test_nesting_at_the_limit_and_brackets_inside_strings_are_fine():
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    text = json.dumps({"jwe": "[{" * 10_000, "list": [[1, 2]] * 1000, "escaped": '\\"[[[' * 100})
    assert loads(text)["jwe"] == "[{" * 10_000


@pytest.mark.parametrize("text, reason", [
    ('{"name": "a\\u0000b"}', "NUL"),
    ('{"a\\u0000": 1}', "NUL"),
    ('["\\ud800"]', "Surrogate"),
    ('{"x": NaN}', "NaN"),
    ('[Infinity]', "Infinity"),
    ('{"x": ', "Fehlerhaftes JSON"),
    (b'\xff\xfe\xfa', "JSON"),
])
def test_values_that_break_later_layers_are_refused(text, reason):
    with pytest.raises(JSONInputError, match=reason):
        loads(text)


@settings(max_examples=200, derandomize=True, database=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=30))
def test_the_depth_scan_never_underestimates(value):
    text = json.dumps(value).encode()

    def depth(v) -> int:
        if isinstance(v, list):
            return 1 + max((depth(x) for x in v), default=0)
        if isinstance(v, dict):
            return 1 + max((depth(x) for x in v.values()), default=0)
        return 0

    assert nesting_depth(text, at_least=0) == depth(value)
