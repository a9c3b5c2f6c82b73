"""Time-ordered UUIDs (version 7, RFC 9562) for the keys of rows written on every intake.

A random (version 4) key puts each new row's index entry on a random page of the index: on a large
table that page is rarely in memory, and PostgreSQL writes a full copy of it to its WAL the first time it
changes after a checkpoint. A version 7 key starts with the time, so new entries go to the end of the
index, whose pages are hot. The rest is random (or a randomly seeded counter), so keys stay unguessable
and unique; they do tell when they were made, which the event log says anyway.

Python 3.14 has `uuid.uuid7` in the standard library; it is used where it exists. `uuid7_fallback` is only
for Python 3.12 and 3.13 and produces the same format (version 7, RFC variant, Unix milliseconds first).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)


def uuid7_fallback() -> uuid.UUID:
    """A version 7 UUID for Pythons without `uuid.uuid7`: 48 bits of Unix time in milliseconds, 12 bits of
    sub-millisecond time (RFC 9562 §6.2, method 3: keys made in the same millisecond by one process still
    sort by time), 62 random bits."""
    ns = time.time_ns()
    ms, sub = divmod(ns, 1_000_000)
    random = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | ((sub * 4096 // 1_000_000) << 64) | _VERSION_AND_VARIANT | random)


#: The generator in use: the standard library's on Python >= 3.14, else the fallback above.
GENERATOR: Callable[[], uuid.UUID] = getattr(uuid, "uuid7", uuid7_fallback)


def uuid7() -> uuid.UUID:
    """A new version 7 UUID from `GENERATOR`.

    A function of this module rather than an alias of `uuid.uuid7`, because model fields name it as their
    default: migrations then refer to `amtsweg.core.ids.uuid7` on every Python, never to `uuid.uuid7`,
    which a migration written on 3.14 would otherwise import and 3.12 does not have."""
    return GENERATOR()
