"""Readiness checks that later apps contribute to `/readyz`.

Core comes first in the import order (README "Architecture") and cannot ask, say, `geo` whether the
reference data is loaded; instead each app registers a named check in its `AppConfig.ready`, and the
probe runs them all.

The probe is cheap and bounded, because the load balancer asks it every few seconds on every host, also on
a host that is overloaded (issue 18: on the deadline day web1's `/readyz` took over 5 s and the balancer
took the last healthy host out):
- A check registered with `cache_seconds` is not run again for that long after it passed (per process): the
  keys and the reference data do not change between two probes, and a key check may be expensive (loading
  an RSA-4096 key costs about 0.25 s of CPU, a key held by a remote KMS a round trip). A failing check is
  run on every probe, so a host turns ready as soon as it is.
- Every part has `CHECK_TIMEOUT_SECONDS`. A check registered with `threaded=True` (one that does not touch
  the database; the keys) runs in a thread of its own and the probe stops waiting for it then; while it
  still hangs, later probes start no second thread for it. Checks on the database run in the request's
  thread on its connection, under a PostgreSQL statement timeout of the same length (the database's own
  `SELECT 1` before them waits for no lock). Not bounded: opening a new connection to a server that does not
  answer; the balancer's check timeout covers that.
- A part that did not answer in time is reported as "timeout", and that alone never takes a host out
  (`blocking`): slowness is what overload looks like, and a balancer that takes a slow host out moves its
  load onto the others until none is left. Only a definite "missing" or "unavailable" of a critical part
  answers 503.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import monotonic

ReadinessCheck = Callable[[], bool]
logger = logging.getLogger(__name__)
OK, MISSING, UNAVAILABLE, TIMEOUT = "ok", "missing", "unavailable", "timeout"

# How long one part may take. Far below the load balancer's check timeout (docs/betrieb.md: 10 s), so the
# probe's answer names the slow part instead of the balancer giving up on the whole host.
CHECK_TIMEOUT_SECONDS = 1.0
# How long a passed key check counts (per process). Keys change only with a restart (environment or files
# read once), so this bounds the probe's cost, not how fast a change is seen.
KEY_CACHE_SECONDS = 30.0
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cut off by statement_timeout


@dataclass(frozen=True)
class CheckOptions:
    critical: bool = True
    cache_seconds: float = 0.0
    threaded: bool = False


_checks: dict[str, ReadinessCheck] = {}
_options: dict[str, CheckOptions] = {}
_passed: dict[str, float] = {}  # check name → monotonic time it last passed (checks with cache_seconds)


@dataclass
class _Run:
    """One threaded check in flight; `state` is set before `done`."""

    done: threading.Event
    state: str = TIMEOUT


_running: dict[str, _Run] = {}
_lock = threading.Lock()


def readiness_check(name: str, *, critical: bool = True, cache_seconds: float = 0.0,
                    threaded: bool = False) -> Callable[[ReadinessCheck], ReadinessCheck]:
    """Register `function` (no arguments, True when ready) under `name`, the key it reports under in
    `/readyz`'s `checks`. A name registered twice is a programming error.

    `critical=False` for a part whose failure every host shares and that the platform survives: a
    failing check is reported (`reasons`, the metrics, an alert), but `/readyz` stays 200 ("degraded"), so a
    load balancer does not take every host out at once for it. `cache_seconds`: how long a pass counts in
    this process (for parts that do not change between probes). `threaded=True` for a check that does not
    use the database: it runs in a thread of its own, so the probe can stop waiting for it (module
    docstring); a check on the database must stay in the request's thread, whose connection it uses."""

    def decorator(function: ReadinessCheck) -> ReadinessCheck:
        if name in _checks:
            raise ValueError(f"readiness check {name!r} is registered twice")
        _checks[name] = function
        _options[name] = CheckOptions(critical=critical, cache_seconds=cache_seconds, threaded=threaded)
        return function

    return decorator


def _options_of(name: str) -> CheckOptions:
    return _options.get(name, CheckOptions())


def is_critical(name: str) -> bool:
    return _options_of(name).critical


def blocking(states: dict[str, str]) -> list[str]:
    """The parts that take this host out (`/readyz` 503, `amtsweg_ready` 0): critical ones that answered
    "missing" or failed. A timeout is reported, never blocking (module docstring)."""
    return [name for name, state in states.items() if state in (MISSING, UNAVAILABLE) and is_critical(name)]


def readiness_checks() -> dict[str, ReadinessCheck]:
    """The registered checks by name, in registration (INSTALLED_APPS) order."""
    return dict(_checks)


def forget() -> None:
    """Forget which checks passed, so the next probe runs every check (tests; a shell after a repair)."""
    with _lock:
        _passed.clear()


def database_answers() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _passed_recently(name: str, now: float) -> bool:
    cache_seconds = _options_of(name).cache_seconds
    with _lock:
        passed = _passed.get(name)
    return cache_seconds > 0 and passed is not None and now - passed < cache_seconds


def _record(name: str, state: str) -> str:
    if state == OK and _options_of(name).cache_seconds > 0:
        with _lock:
            _passed[name] = monotonic()
    return state


def _run(name: str, check: ReadinessCheck) -> str:
    """The check's state. Exceptions are logged without their message and never shown: the answer names
    parts, not their configuration or secrets."""
    try:
        return _record(name, OK if check() else MISSING)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            logger.warning("readiness check timed out", extra={"check": name})
            return TIMEOUT
        logger.warning("readiness check failed", extra={"check": name}, exc_info=True)
        return UNAVAILABLE


@contextmanager
def _statement_timeout(seconds: float) -> Iterator[None]:
    """On PostgreSQL, statements inside are cancelled after `seconds` (a lock held by a migration, a server
    that does not keep up), in a transaction of their own (`SET LOCAL`)."""
    from django.db import connection, transaction

    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                           [f"{max(1, round(seconds * 1000))}ms"])
            previous = cursor.fetchone()[0]
        yield
        if nested and not transaction.get_rollback():  # a released savepoint keeps SET LOCAL: give it back
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


def _run_on_database(checks: dict[str, ReadinessCheck], database_ok: bool) -> dict[str, str]:
    """Checks in the request's thread (they may use its database connection). On PostgreSQL, once the
    database answered, in one transaction under a statement timeout of `CHECK_TIMEOUT_SECONDS`; after a
    part that did not pass (its failed statement aborts the transaction) the rest go on in a new one.
    Otherwise (SQLite, whose reads do not wait for writers; a database that is down) one after the other,
    as they are."""
    from django.db import connection, transaction

    pending = list(checks.items())
    if not database_ok or connection.vendor != "postgresql":
        return {name: _run(name, check) for name, check in pending}
    states: dict[str, str] = {}
    while pending:
        name, check = pending.pop(0)
        try:
            with _statement_timeout(CHECK_TIMEOUT_SECONDS):
                while True:
                    states[name] = _run(name, check)
                    if states[name] != OK:
                        transaction.set_rollback(True)
                        break
                    if not pending:
                        break
                    name, check = pending.pop(0)
        except Exception:  # noqa: BLE001 - the transaction could not begin or end: the part at hand failed
            logger.warning("readiness check failed", extra={"check": name}, exc_info=True)
            if states.get(name, OK) == OK:
                states[name] = UNAVAILABLE
    return states


def _start(name: str, check: ReadinessCheck) -> _Run:
    """The check's run in a daemon thread of its own, or the one still in flight (at most one per check and
    process, however long it hangs)."""
    with _lock:
        run = _running.get(name)
        if run is not None:
            return run
        run = _running[name] = _Run(done=threading.Event())

    def target() -> None:
        try:
            run.state = _run(name, check)
        finally:
            with _lock:
                _running.pop(name, None)
            run.done.set()

    threading.Thread(target=target, name=f"readiness-{name}", daemon=True).start()
    return run


def evaluate() -> dict[str, str]:
    """Every check's state: "ok", "missing" (it answered: not ready), "unavailable" (it failed) or
    "timeout" (no answer within `CHECK_TIMEOUT_SECONDS`). The database comes first; the others run even
    when it is down (keys and a Redis queue do not need it), so an operator sees every part that is missing
    at once. Threaded checks run while the request's thread does the database's."""
    names = {"database": database_answers, **_checks}
    started = monotonic()
    states: dict[str, str] = {name: OK for name in names if _passed_recently(name, started)}
    in_flight = {name: _start(name, check) for name, check in names.items()
                 if name not in states and _options_of(name).threaded}
    if "database" not in states:
        states["database"] = _run("database", database_answers)
    states.update(_run_on_database({name: check for name, check in names.items()
                                    if name not in states and name not in in_flight},
                                   database_ok=states["database"] == OK))
    for name, run in in_flight.items():
        if run.done.wait(max(0.0, started + CHECK_TIMEOUT_SECONDS - monotonic())):
            states[name] = run.state
        else:
            logger.warning("readiness check timed out", extra={"check": name})
            states[name] = TIMEOUT
    return {name: states[name] for name in names}


# --- Core's own parts: the platform signing key and the trust anchors of the administration PKI ----------


@readiness_check("signing_key", cache_seconds=KEY_CACHE_SECONDS, threaded=True)
def platform_signing_key_loads() -> bool:
    """Routes and the event log are signed with it: without it no intake can record its events."""
    from amtsweg.core.platform_keys import signing_key

    signing_key()
    return True


@readiness_check("trust_anchors", cache_seconds=KEY_CACHE_SECONDS, threaded=True)
def trust_anchors_load() -> bool:
    """Every destination key's chain is checked against them; none configured means every key is refused."""
    from amtsweg.core import pki

    return bool(pki.trust_anchors())
