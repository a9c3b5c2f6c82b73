"""A whole installation in separate processes, for fault tests and the delivery benchmark.

    with Platform(tmp_dir, database="sqlite" | "postgres") as platform:
        platform.start_server()                      # gunicorn on a free loopback port
        info = platform.manage("setup")               # destination, keys, API client (JSON)
        platform.start_workers(2)                     # `amtsweg db_worker` processes (+ one sweep)
        ...

Every process uses its own throw-away database (a SQLite file in the temp folder or a database created
on postgres@127.0.0.1 and dropped at the end), so tests can SIGKILL workers and cut database
connections without touching the test run's own database. The Django side of the helper commands runs
in a subprocess too: `python -m amtsweg.delivery.tests.harness <command>`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
AMTSWEG = ["-c", "from amtsweg.cli import main; main()"]  # the `amtsweg` command, as `python -c`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:
        return False


class Platform:
    def __init__(self, tmp: Path, database: str = "sqlite", *, lease_seconds: float = 3.0,
                 backoff_base: float = 0.2, callback_timeout: float = 2.0):
        self.tmp = Path(tmp)
        self.database = database
        self.pg_name = f"amtsweg_deliv_h_{os.getpid()}_{uuid.uuid4().hex[:6]}" if database == "postgres" else None
        url = (f"postgres://postgres@127.0.0.1:5432/{self.pg_name}?application_name=amtsweg" if self.pg_name
               else f"sqlite:///{self.tmp / 'platform.sqlite3'}")
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": url,
            "AMTSWEG_VAR_DIR": str(self.tmp / "var"),
            "MEDIA_ROOT": str(self.tmp / "var" / "media"),
            "DJANGO_SETTINGS_MODULE": "amtsweg.settings",
            "PUBLIC_BASE_URL": self.base_url,
            "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "AMTSWEG_DELIVERY_LEASE_SECONDS": str(lease_seconds),
            "AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS": str(backoff_base),
            "AMTSWEG_DELIVERY_BACKOFF_MAX_SECONDS": "2",
            "AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS": str(callback_timeout),
            "AMTSWEG_DELIVERY_SWEEP_INTERVAL_SECONDS": "0.5",
            "DB_CONN_MAX_AGE": "600",
            # The Fachverfahren under test listens on http://127.0.0.1 (the guard's production rules are
            # pinned in test_ssrf and routing's test_callback_guard).
            "AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS": "1",
            "AMTSWEG_EMBEDDED": "1",  # secrets generated into the platform's var dir, also on PostgreSQL
        })
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.server: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.sweeper: subprocess.Popen | None = None
        self.restarts = 0

    # --- lifecycle ---
    def __enter__(self) -> Platform:
        (self.tmp / "var").mkdir(parents=True, exist_ok=True)
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
        self.run([*AMTSWEG, "migrate", "--verbosity", "0"])
        return self

    def __exit__(self, *exc) -> None:
        for process in [*self.workers, self.sweeper, self.server]:
            if process and process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.sweeper, self.server]:
            if process:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def run(self, args: list[str], timeout: float = 300) -> str:
        out = subprocess.run([sys.executable, *args], env=self.env, capture_output=True, text=True,
                             timeout=timeout, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{args} failed:\n{out.stderr[-4000:]}")
        return out.stdout

    def manage(self, command: str, *args: str) -> dict:
        """Run a helper command (below) against the platform's database; returns its JSON answer."""
        out = self.run(["-m", "amtsweg.delivery.tests.harness", command, *args])
        return json.loads(out.strip().splitlines()[-1])

    def start_server(self, workers: int = 2, threads: int = 4) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "amtsweg.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
             "--log-level", "warning"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("platform server did not start")

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [sys.executable, *AMTSWEG, "db_worker", "--interval", "0.05", "--no-startup-delay",
             "--worker-id", f"w{len(self.workers)}-{uuid.uuid4().hex[:6]}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def start_workers(self, n: int, sweep: bool = True) -> None:
        for _ in range(n):
            self.start_worker()
        if sweep and self.sweeper is None:
            self.sweeper = subprocess.Popen(
                [sys.executable, *AMTSWEG, "delivery_sweep", "--interval", "0.5"],
                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )

    def supervise(self) -> None:
        """What systemd or Kubernetes do in production: restart workers that exited."""
        for i, worker in enumerate(self.workers):
            if worker.poll() is not None:
                self.restarts += 1
                self.workers[i] = subprocess.Popen(worker.args, env=self.env, stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL)

    def kill_worker(self, index: int = 0) -> None:
        os.kill(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait()

    def terminate_database_connections(self) -> int:
        """PostgreSQL: cut every connection of the platform's processes (as a database restart does)."""
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()", [self.pg_name]
            ).fetchall()
        return len(rows)

    def _query(self, sql: str) -> list[tuple]:
        if self.pg_name:
            import psycopg

            with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{self.pg_name}") as conn:
                return conn.execute(sql).fetchall()
        import sqlite3

        conn = sqlite3.connect(self.tmp / "platform.sqlite3", timeout=10)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def status(self) -> dict:
        """Counts straight from the database (cheap enough to poll; no Django start-up)."""
        accepts = self._query(
            "SELECT submission_id, COUNT(*) FROM submissions_event WHERE event_type = "
            "'https://schema.fitko.de/fit-connect/events/accept-submission' GROUP BY submission_id"
        )
        return {
            "outbox": dict(self._query("SELECT status, COUNT(*) FROM delivery_outboxmessage GROUP BY status")),
            "submissions": dict(self._query("SELECT status, COUNT(*) FROM submissions_submission GROUP BY status")),
            "accepted_submissions": len(accepts),
            "max_accepts_per_submission": max((n for _sid, n in accepts), default=0),
            "attempts": self._query("SELECT COALESCE(SUM(attempts), 0) FROM delivery_outboxmessage")[0][0],
        }

    def wait_until(self, predicate, timeout: float, interval: float = 0.2) -> dict:
        deadline = time.monotonic() + timeout
        state = self.status()
        while not predicate(state):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; last state: {state}")
            time.sleep(interval)
            self.supervise()
            state = self.status()
        return state


# --- commands run inside the platform's environment ----------------------------------------------------

def _setup(out_dir: str, callback_url: str) -> dict:
    from amtsweg.core import platform_keys
    from amtsweg.delivery.tests.e2e import make_fachverfahren

    platform_keys.signing_key()  # create the key file before several server processes race to create it
    fv = make_fachverfahren(Path(out_dir), channels=("pull", "callback"))
    fv.destination.callback_url = callback_url
    fv.destination.save()
    return {"destination_id": str(fv.destination.pk), "client_id": fv.client_id,
            "callback_secret": fv.destination.callback_secret, "key_dir": str(fv.key_dir),
            "out_dir": str(fv.out_dir)}


def _fachverfahren():
    from amtsweg.routing.models import Responsibility

    return Responsibility.objects.select_related("destination").latest("pk")


def _submit(n: str) -> dict:
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    responsibility = _fachverfahren()
    ids = [str(submit_payload(payload_for(responsibility, applicant_email=None)).pk) for _ in range(int(n))]
    return {"submitted": ids}


def _set_callback(url: str) -> dict:
    destination = _fachverfahren().destination
    destination.callback_url = url
    destination.save(update_fields=["callback_url"])
    return {"callback_url": url}


def _seal() -> dict:
    """Sign pending events now, as the platform's background sealing does between intake and delivery."""
    from amtsweg.submissions import events

    total = 0
    while sealed := events.seal_pending(limit=500):
        total += sealed
    return {"sealed": total}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, *args = argv
    result = {"setup": _setup, "submit": _submit, "set-callback": _set_callback, "seal": _seal}[command](*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
