"""What the benchmark scripts share: the throw-away PostgreSQL database each of them runs on.

A module beside the scripts (not a package): `python benchmarks/NAME.py` puts this folder first on
`sys.path`, so `import benchkit` works in the scripts and in the phases they start as subprocesses.
"""

from __future__ import annotations

import os
import uuid

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


class PostgresDatabase:
    """A throw-away PostgreSQL database, dropped on exit (also after a failed phase)."""

    def __init__(self, prefix: str):
        self.name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def __exit__(self, *exc) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def setup_django(database_url: str, var_dir: str) -> None:
    """Django on `database_url`, in embedded mode: the secrets (and the back office's KEK) are generated once
    into `var_dir`, so a kept database must be used with the same `var_dir` again."""
    import sys
    from pathlib import Path

    os.environ["DATABASE_URL"] = database_url
    os.environ["AMTSWEG_VAR_DIR"] = var_dir
    os.environ["MEDIA_ROOT"] = str(Path(var_dir) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["AMTSWEG_EMBEDDED"] = "1"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()


def kept_database(name: str) -> str:
    """The URL of database `name`, created if missing and kept afterwards (for data that takes long to make)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"
