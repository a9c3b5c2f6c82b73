"""Fault tests: the whole installation in separate processes (gunicorn, two `db_worker`s, the sweep, the
reference client listening for callbacks), on a throw-away database of the run's kind. Between workers
and client sits a proxy that answers 500, hangs past the timeout, or holds a callback while we SIGKILL
the worker or cut every database connection. Afterwards every submission is delivered and accepted
exactly once: none lost, none duplicated."""

import contextlib
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from amtsweg.delivery.tests.e2e import Listener
from amtsweg.delivery.tests.harness import Platform, free_port, postgres_available
from amtsweg.submissions.tests.factories import SECRET

DATABASE = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
TIMEOUT = 90  # seconds a fault scenario may take to heal; the scenarios take a few seconds each


class FaultyProxy:
    """Forwards callbacks to the reference client, or misbehaves as told (`mode`)."""

    def __init__(self, target: str):
        self.target, self.mode, self.hold_seconds = target, "pass", 0.0
        self.received = 0
        self.holding = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.received += 1
                mode = proxy.mode
                if mode == "500":
                    return self._answer(500)
                if mode == "hang":
                    time.sleep(3.0)  # beyond the platform's callback timeout (2 s)
                    return self._answer(504)
                if mode == "hold":
                    proxy.holding.set()
                    time.sleep(proxy.hold_seconds)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("content-type", "callback-authentication", "callback-timestamp")}
                try:
                    status = httpx.post(proxy.target, content=body, headers=headers, timeout=60).status_code
                except httpx.HTTPError:
                    status = 502
                with contextlib.suppress(OSError):  # the worker that asked may have been killed meanwhile
                    self._answer(status)

            def _answer(self, status):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks/amtsweg"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    if DATABASE == "postgres" and not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    tmp = tmp_path_factory.mktemp("faults")
    with Platform(tmp, DATABASE) as platform:
        info = platform.manage("setup", str(tmp / "fv"), "http://127.0.0.1:9/not-yet")
        platform.start_server()
        client_args = [
            sys.executable, "-m", "amtsweg_subscriber", "--base-url", platform.base_url,
            "--client-id", info["client_id"], "--client-secret", SECRET,
            "--private-key", str(Path(info["key_dir"]) / "decrypt.jwk.json"),
            "--signing-key", str(Path(info["key_dir"]) / "sign.jwk.json"), "--out", info["out_dir"],
        ]
        listener = Listener(client_args, info["callback_secret"], env=platform.env)
        proxy = FaultyProxy(listener.url)
        platform.manage("set-callback", proxy.url)
        platform.start_workers(2)
        try:
            yield platform, proxy, Path(info["out_dir"])
        finally:
            proxy.close()
            listener.stop()


def written(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))


def everything_delivered_once(platform, out_dir, submitted: int) -> None:
    state = platform.wait_until(
        lambda s: s["outbox"].get("delivered", 0) == submitted and s["accepted_submissions"] == submitted,
        timeout=TIMEOUT,
    )
    assert set(state["outbox"]) == {"delivered"}
    assert state["submissions"] == {"accepted": submitted}
    assert state["max_accepts_per_submission"] == 1
    assert len(written(out_dir)) == submitted


SUBMITTED = {"n": 0}


def submit(platform, n: int) -> list[str]:
    ids = platform.manage("submit", str(n))["submitted"]
    SUBMITTED["n"] += len(ids)
    return ids


def test_baseline_delivery_through_workers_and_client(installation):
    platform, proxy, out_dir = installation
    submit(platform, 3)
    everything_delivered_once(platform, out_dir, SUBMITTED["n"])


@pytest.mark.parametrize("fault", ["500", "hang"])
def test_fachverfahren_answers_500_or_times_out(installation, fault):
    platform, proxy, out_dir = installation
    proxy.mode = fault
    before = proxy.received
    submit(platform, 3)
    platform.wait_until(lambda s: proxy.received >= before + 2 and s["outbox"].get("pending", 0) > 0, timeout=TIMEOUT,
                        interval=0.2)
    proxy.mode = "pass"
    everything_delivered_once(platform, out_dir, SUBMITTED["n"])


def test_fachverfahren_unreachable(installation):
    platform, proxy, out_dir = installation
    platform.manage("set-callback", f"http://127.0.0.1:{free_port()}/nobody-listens")
    submit(platform, 3)
    platform.wait_until(lambda s: s["attempts"] > SUBMITTED["n"] and s["outbox"].get("pending", 0) > 0,
                        timeout=TIMEOUT, interval=0.2)
    platform.manage("set-callback", proxy.url)
    everything_delivered_once(platform, out_dir, SUBMITTED["n"])


def test_worker_killed_in_the_middle_of_a_delivery(installation):
    platform, proxy, out_dir = installation
    proxy.holding.clear()
    proxy.mode, proxy.hold_seconds = "hold", 1.5
    submit(platform, 3)
    assert proxy.holding.wait(TIMEOUT), "no callback arrived"
    for index in range(len(platform.workers)):  # the one holding the callback is among them
        platform.kill_worker(index)
    proxy.mode = "pass"
    platform.supervise()  # restart them, as a process supervisor would
    everything_delivered_once(platform, out_dir, SUBMITTED["n"])
    assert platform.restarts >= 2


@pytest.mark.skipif(DATABASE != "postgres", reason="SQLite has no server connections to cut; runs on PostgreSQL")
def test_database_connections_cut_in_the_middle_of_a_delivery(installation):
    platform, proxy, out_dir = installation
    proxy.holding.clear()
    proxy.mode, proxy.hold_seconds = "hold", 1.0
    submit(platform, 3)
    assert proxy.holding.wait(TIMEOUT), "no callback arrived"
    assert platform.terminate_database_connections() > 0
    proxy.mode = "pass"
    everything_delivered_once(platform, out_dir, SUBMITTED["n"])
