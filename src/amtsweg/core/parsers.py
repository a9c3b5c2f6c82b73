"""JSON from outside, bounded: the one `loads` for request bodies, uploads and JOSE headers.

Python's `json.loads` recurses once per nesting level, so `[` × 100,000 ends in a `RecursionError` (a 500,
and deep C recursion can crash a worker thread with a small stack). It also accepts `\\u0000` and lone
surrogates (`\\ud800`), which PostgreSQL refuses to store and UTF-8 cannot encode: both surface as a 500
far away from the input. `loads` refuses all three up front with `JSONInputError` (a `ValueError`), so
every caller that already turns a `ValueError` into "malformed input" keeps working.

`JSONParser` is DRF's JSON parser on top of it (the default parser of every API, see
`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`): the client gets a 400 problem document naming the reason.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64  # form definitions, the deepest documents accepted, nest about 10 levels

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # brackets inside strings do not nest
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JSONInputError(ValueError):
    """The input is not JSON we accept; the message says why (safe to show to the sender)."""


def nesting_depth(data: bytes, *, at_least: int = MAX_DEPTH) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it.

    Cheap for ordinary bodies: with no more than `at_least` opening brackets the count itself is returned
    (an upper bound, which is all a limit needs). Otherwise strings are cut out and the brackets summed
    up, all in C loops but the final accumulate.
    """
    opening = data.count(b"[") + data.count(b"{")
    if opening <= at_least:
        return opening
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


def _check_strings(value: Any) -> None:
    """No NUL and no lone surrogates in any key or string (iterative: the depth is bounded already)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise JSONInputError(_("JSON-Zeichenketten dürfen kein NUL-Zeichen (\\u0000) enthalten."))
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise JSONInputError(
                        _("JSON-Zeichenketten dürfen keine einzelnen Surrogate (\\ud800-\\udfff) enthalten.")
                    ) from None


def _no_constant(name: str) -> None:
    raise JSONInputError(_("%(name)s ist kein JSON.") % {"name": name})


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` for untrusted input: depth, NUL, surrogates and NaN refused (`JSONInputError`)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if nesting_depth(raw, at_least=max_depth) > max_depth:
        raise JSONInputError(_("JSON ist tiefer als %(n)d Ebenen verschachtelt.") % {"n": max_depth})
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:  # brackets the skeleton scan miscounted (invalid JSON); json stops here anyway
        raise JSONInputError(_("JSON ist tiefer als %(n)d Ebenen verschachtelt.") % {"n": max_depth}) from None
    except UnicodeDecodeError as exc:
        raise JSONInputError(_("JSON muss UTF-8-kodiert sein.")) from exc
    except json.JSONDecodeError as exc:
        raise JSONInputError(_("Fehlerhaftes JSON: %(msg)s (Zeile %(line)d, Spalte %(column)d).")
                             % {"msg": exc.msg, "line": exc.lineno, "column": exc.colno}) from exc
    _check_strings(value)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through `loads`: malformed, too deep, NUL or surrogates → 400 (`ParseError`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return loads(stream.read())
        except JSONInputError as exc:
            raise ParseError(str(exc)) from exc


INT32_MAX = 2**31 - 1
_QUERY_INTEGER = re.compile(r"-?[0-9]+")


def query_int(value: str, *, minimum: int, maximum: int = INT32_MAX) -> int:
    """A query parameter declared `type: integer` (OpenAPI, `format: int32`) with its bounds; ValueError
    otherwise. Stricter than `int()`, which also takes "+5", " 5", "1_0" and non-ASCII digits ("５") that no
    schema-following client sends and that the schema does not allow."""
    if not _QUERY_INTEGER.fullmatch(value):
        raise ValueError(value)
    number = int(value)
    if not minimum <= number <= maximum:
        raise ValueError(value)
    return number
