"""WAL checkpoints for the embedded SQLite database, off the request path.

In WAL mode every commit appends its pages to the `-wal` file, and by default the commit that takes the
file past 1,000 pages copies them back into the database and syncs it (an automatic checkpoint). With
the intake writing ~34 pages per application that is every ~30th submission, and that request then
waits for the copy and the fsync. SQLite's documentation suggests the alternative used here: writers only
checkpoint as a safety net (`wal_autocheckpoint` of 10,000 pages), and a background thread per process
runs a PASSIVE checkpoint every `AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS` (0.1 s). A PASSIVE
checkpoint never blocks readers or writers; if another process is checkpointing already, this one simply
skips its turn; with nothing new in the WAL it is a few reads of shared memory.

Under a steady stream of commits the WAL file then grows up to the safety net (~40 MB) before a writer
restarts it from the beginning (a restart needs a moment in which everything is copied back and no commit
came in between); that is the price of never making a request wait for a checkpoint.

Nothing here changes what is committed or when: a commit is durable in the WAL either way
(`synchronous=NORMAL`), and the checkpoint only moves pages into the main file.

Only processes with an SQLite database load this module (`amtsweg.core.apps.CoreConfig.ready`): on
PostgreSQL, production's database, no thread is started and no connection signal is listened to.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

#: The `connection_created` receiver's id (`CoreConfig.ready` connects it only for SQLite).
DISPATCH_UID = "amtsweg-sqlite-checkpoints"

_started: set[str] = set()
_lock = threading.Lock()


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        ensure_checkpointer(str(connection.settings_dict["NAME"]))


def ensure_checkpointer(database: str) -> None:
    """Start this process's checkpoint thread for `database` (a file path) once; in-memory databases and
    an interval of 0 (switched off) start nothing."""
    interval = settings.AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS
    if interval <= 0 or not database or database == ":memory:" or database.startswith("file:"):
        return
    with _lock:
        if database in _started:
            return
        _started.add(database)
    thread = threading.Thread(
        target=_run, args=(database, interval), name=f"sqlite-checkpoint:{os.path.basename(database)}", daemon=True
    )
    thread.start()


def checkpoint(connection: sqlite3.Connection) -> int:
    """One PASSIVE checkpoint; returns how many frames the WAL holds (0: empty, or busy elsewhere)."""
    try:
        # fetchall: a statement left unfinished would keep a read transaction open and, with it, the WAL
        # from being restarted.
        [(busy, frames, _done)] = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.OperationalError:  # locked by another process's checkpoint: next turn
        return 0
    return 0 if busy else frames


def _run(database: str, interval: float) -> None:
    connection = None
    try:
        # mode=rw: never create a database file that is not there (any more)
        uri = f"{Path(database).resolve().as_uri()}?mode=rw"
        connection = sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False, isolation_level=None)
        inode = os.stat(database).st_ino
        while _same_file(database, inode):  # ends when the file is deleted or replaced (test databases)
            checkpoint(connection)
            time.sleep(interval)
    except (sqlite3.OperationalError, OSError):  # the file is gone; otherwise writers still checkpoint
        logger.info("SQLite checkpoint thread stopped", exc_info=True)
    except Exception:
        logger.warning("SQLite checkpoint thread stopped", exc_info=True)
    finally:
        if connection is not None:
            connection.close()
        with _lock:
            _started.discard(database)


def _same_file(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino == inode
    except FileNotFoundError:
        return False
