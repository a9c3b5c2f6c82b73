"""What a PDF made by fpdf2 really prints, for tests: the characters of its fonts' ToUnicode maps.

fpdf2 writes text as glyph ids of an embedded font subset; each subset's ToUnicode CMap says which character
each glyph draws. A character whose glyph was missing (and dropped) is in none of them.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_BFCHAR = re.compile(r"beginbfchar\n(.*?)endbfchar", re.DOTALL)
_PAIR = re.compile(r"<([0-9A-F]+)> <([0-9A-F]+)>")


def _streams(pdf: bytes):
    for match in _STREAM.finditer(pdf):
        try:
            yield zlib.decompress(match.group(1)).decode("latin-1")
        except zlib.error:
            yield match.group(1).decode("latin-1")


def printed_characters(pdf: bytes) -> set[str]:
    chars: set[str] = set()
    for stream in _streams(pdf):
        for block in _BFCHAR.findall(stream):
            for _code, utf16 in _PAIR.findall(block):
                chars.update(bytes.fromhex(utf16).decode("utf-16-be"))
    return chars
