"""The background WAL checkpoints of the embedded SQLite database (`amtsweg.core.sqlite_wal`)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from amtsweg.core import sqlite_wal


def _wal_database(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # only explicit checkpoints, so the test sees what they do
    db.execute("CREATE TABLE t (v TEXT)")
    for _ in range(50):
        db.execute("INSERT INTO t VALUES (?)", ["x" * 3000])
    return db


def _counters(db: sqlite3.Connection) -> tuple[int, int]:
    """(frames in the WAL, frames copied into the database) as SQLite reports them after a checkpoint."""
    [(_busy, log, done)] = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    return log, done


def test_checkpoint_copies_the_wal_into_the_database(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    writer = _wal_database(path)
    reader = sqlite3.connect(path, isolation_level=None)
    frames = sqlite_wal.checkpoint(reader)
    assert frames > 50  # every insert wrote at least one page
    # Everything was copied: a second checkpoint finds the same frames, all of them done.
    assert _counters(writer) == (frames, frames)
    # The writer restarts the WAL from the beginning at its next transaction.
    writer.execute("INSERT INTO t VALUES ('y')")
    log, _done = _counters(writer)
    assert log < frames


def test_a_busy_checkpoint_is_skipped_not_raised(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    _wal_database(path).close()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")  # keeps every other connection out, checkpoints too
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO t VALUES ('z')")
    try:
        assert sqlite_wal.checkpoint(sqlite3.connect(path, isolation_level=None, timeout=0)) == 0
    finally:
        other.execute("ROLLBACK")


def test_one_thread_per_database_that_stops_when_the_file_goes(tmp_path, settings):
    settings.AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS = 0.01
    path = tmp_path / "db.sqlite3"
    _wal_database(str(path)).close()
    sqlite_wal.ensure_checkpointer(str(path))
    sqlite_wal.ensure_checkpointer(str(path))
    name = f"sqlite-checkpoint:{path.name}"
    threads = [t for t in threading.enumerate() if t.name == name]
    assert len(threads) == 1
    path.unlink()
    threads[0].join(timeout=5)
    assert not threads[0].is_alive()
    assert str(path) not in sqlite_wal._started


def test_switched_off_or_in_memory_starts_nothing(tmp_path, settings):
    before = set(sqlite_wal._started)
    sqlite_wal.ensure_checkpointer(":memory:")
    settings.AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS = 0
    sqlite_wal.ensure_checkpointer(str(tmp_path / "db.sqlite3"))
    assert sqlite_wal._started == before


@pytest.mark.django_db
def test_the_platform_database_checkpoints_in_the_background():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL checkpoints on its own")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == settings.AMTSWEG_SQLITE_AUTOCHECKPOINT_PAGES == 10_000
    deadline = time.monotonic() + 5
    name = str(connection.settings_dict["NAME"])
    while name not in sqlite_wal._started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert name in sqlite_wal._started


@pytest.mark.parametrize(
    ("database_url", "loaded"),
    [("postgres://postgres@127.0.0.1:5432/amtsweg_never_connected", False), ("sqlite:///{tmp}/db.sqlite3", True)],
    ids=["postgresql", "sqlite"],
)
def test_the_checkpoint_thread_is_left_out_of_postgresql_processes(tmp_path, database_url, loaded):
    """A fresh process on a PostgreSQL DATABASE_URL neither imports `sqlite_wal` nor listens for new
    connections (so no thread can start); on SQLite it does both."""
    script = (
        "import sys, django; django.setup();"
        "from django.db.backends.signals import connection_created;"
        "print('amtsweg.core.sqlite_wal' in sys.modules,"
        " connection_created.disconnect(dispatch_uid='amtsweg-sqlite-checkpoints'))"
    )
    env = {**os.environ, "DATABASE_URL": database_url.format(tmp=tmp_path),
           "DJANGO_SETTINGS_MODULE": "amtsweg.settings", "AMTSWEG_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(loaded), str(loaded)]
    assert sqlite_wal.DISPATCH_UID == "amtsweg-sqlite-checkpoints"


def test_uses_sqlite_looks_at_every_database():
    from amtsweg.core.apps import uses_sqlite

    postgres = {"ENGINE": "django.db.backends.postgresql"}
    assert not uses_sqlite({"default": postgres})
    assert uses_sqlite({"default": postgres, "archive": {"ENGINE": "django.db.backends.sqlite3"}})
