"""Time-ordered UUIDs (version 7, RFC 9562) for the keys of rows written on every intake.

A random (version 4) key puts each new row's index entry on a random page of the index: on a large
table that page is rarely in memory, and PostgreSQL writes a full copy of it to its WAL the first time it
changes after a checkpoint. A version 7 key starts with the time, so new entries go to the end of the
index, whose pages are hot. The last 62 bits are random, so keys stay unguessable and unique; they do
tell when they were made (to about a quarter of a microsecond), which the event log says anyway.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)


def uuid7() -> uuid.UUID:
    """A version 7 UUID: 48 bits of Unix time in milliseconds, 12 bits of sub-millisecond time (RFC 9562
    §6.2, method 3: keys made in the same millisecond by one process still sort by time), 62 random bits."""
    ns = time.time_ns()
    ms, sub = divmod(ns, 1_000_000)
    random = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | ((sub * 4096 // 1_000_000) << 64) | _VERSION_AND_VARIANT | random)
