"""Sessions in PostgreSQL, read through the shared Redis cache when there is one (`REDIS_URL`).

Every citizen page reads the session (it says which drafts and receipts this browser may see). With the plain
database backend that is one SQL statement per page; on a deadline day it was 11 of the 55 statements of an
application through the form and about a tenth of the web hosts' CPU (issue 18, `benchmarks/application_cost.py`).
Django's `cached_db` backend reads the session from the cache and writes it to the database and the cache, so
the database stays the source of truth and a lost cache (Redis restarted) costs only reads.

Redis is not critical for the platform (`/readyz` reports it as degraded, intakes go on), so a cache that cannot
be reached must not refuse visitors. Django's backend falls back to the database when reading the cache fails
and when writing a saved session to it fails, but not when it puts a session it read from the database back
into the cache, nor in `exists()` (asked for each new session key): while Redis was down, every page answered
with an error. Here the database answers alone then. Ending a session (logout) still fails while the cache
cannot be reached, as in Django: it must not look ended while the cache may still hold it.

Only with a cache shared by every process (Redis): the per-process memory cache of the embedded mode would let a
process serve a session another process has changed or deleted, so settings use it only with `REDIS_URL`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches
from django.db import DatabaseError

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    """`cached_db`, reading from the database alone when the cache cannot be reached."""

    def load(self) -> dict:
        try:
            return super().load()
        except DatabaseError:
            raise
        except Exception:  # noqa: BLE001 - the cache failed (Django writes a session read from the database back)
            log.warning("session cache unavailable, reading the database")
            return db.SessionStore.load(self)

    def exists(self, session_key: str) -> bool:
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in caches[settings.SESSION_CACHE_ALIAS]:
                return True
        except Exception:  # noqa: BLE001 - any cache failure: the database answers alone
            log.warning("session cache unavailable, asking the database")
        return db.SessionStore.exists(self, session_key)
