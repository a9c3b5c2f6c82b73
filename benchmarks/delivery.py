"""Benchmark: intake throughput relative to a bare two-insert endpoint (SQLite and PostgreSQL), and
delivery throughput to the reference Fachverfahren client over loopback with two workers.

Run from the repository root: `.venv/bin/python benchmarks/delivery.py [--quick]`. Every phase runs in
its own process on its own throw-away database (a temporary SQLite file; a database created on
postgres@127.0.0.1:5432 and dropped afterwards). Prints `intake_ratio_sqlite: N`,
`intake_ratio_postgres: N`, `delivery_per_s: N` (and the raw rates behind them).

Intake: one request = validate the answers (JSON schema) + encrypt data, metadata and one 3.6 KB attachment
for the destination (three RSA-OAEP-256/A256GCM JWEs) + persist case, submission, attachment and events +
write the outbox row and wake the workers, in one transaction. Bare: one request = two INSERTs (ORM,
autocommit). Both are views of the small benchmark site `benchmarks/intake_site` (the platform's settings
and URLs plus these two) and run through Django's full request/response cycle (test client, every
middleware) on the same database, taking turns over 9 rounds; each one's best round counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import PostgresDatabase

ROOT = Path(__file__).resolve().parent.parent


# --- phase helpers -----------------------------------------------------------------------------------

def _setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["AMTSWEG_VAR_DIR"] = var_dir
    os.environ["MEDIA_ROOT"] = str(Path(var_dir) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["AMTSWEG_EMBEDDED"] = "1"  # secrets generated into the throw-away var dir (also on PostgreSQL)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _destination(channels: list[str], callback_url: str = ""):
    from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory

    destination = DestinationFactory(channels=channels, callback_url=callback_url)
    ResponsibilityFactory(destination=destination)
    return destination


def _bench_env(destination) -> dict[str, str]:
    responsibility = destination.responsibilities.first()
    return {"AMTSWEG_BENCH_DESTINATION": str(destination.pk), "AMTSWEG_BENCH_LEIKA": responsibility.leika_key,
            "AMTSWEG_BENCH_ARS": responsibility.area_ars.ljust(12, "0")}


BODY = json.dumps({"data": {"vorname": "Erika", "nachname": "Mustermann", "hund": {"name": "Bello"}}})


def _rates(rounds: int, n: int) -> dict[str, float]:
    """Requests per second through Django's test client (every middleware, no HTTP server), endpoints taking
    turns in `rounds` rounds of `n` requests; the best round of each counts, so that a moment of load from
    elsewhere on the machine does not decide the ratio (as `timeit` takes the best of its repeats)."""
    from django.test import Client

    client = Client()
    best = {"/bare/": 0.0, "/intake/": 0.0}
    for path in best:  # warm-up
        for _ in range(max(5, n // 10)):
            assert client.post(path, BODY, content_type="application/json").status_code == 201
    for _ in range(rounds):
        for path in best:
            started = time.perf_counter()
            for _ in range(n):
                response = client.post(path, BODY, content_type="application/json")
                assert response.status_code == 201, response.content[:300]
            best[path] = max(best[path], n / (time.perf_counter() - started))
    return best


def phase_intake(database_url: str, n: int) -> dict:
    """Both endpoints through Django's full request cycle, on one throw-away database."""
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        os.environ["DJANGO_SETTINGS_MODULE"] = "intake_site.settings"
        _setup_django(database_url, tmp)
        destination = _destination(["pull", "callback"], "https://fachverfahren.example.org/callback")
        os.environ.update(_bench_env(destination))
        rates = _rates(rounds=ROUNDS, n=n)
        return {"bare_per_s": rates["/bare/"], "intake_per_s": rates["/intake/"]}


ROUNDS = 9  # with 5, one slow round of either endpoint (a PostgreSQL checkpoint, fsync jitter) swung the ratio by ±0.03


def _run_phase(name: str, database_url: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--database-url", database_url, "-n", str(n)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])



def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("--database-url")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.phase:
        result = {"intake": phase_intake, "delivery": phase_delivery}[args.phase](args.database_url, args.n)
        print(json.dumps(result))
        return
    n = 60 if args.quick else 300
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        sqlite = _run_phase("intake", f"sqlite:///{tmp}/intake.sqlite3", n)
    print(f"intake_sqlite_per_s: {sqlite['intake_per_s']:.1f}")
    print(f"bare_sqlite_per_s: {sqlite['bare_per_s']:.1f}")
    print(f"intake_ratio_sqlite: {sqlite['intake_per_s'] / sqlite['bare_per_s']:.2f}")
    with PostgresDatabase("amtsweg_deliv_bench") as url:
        pg = _run_phase("intake", url, n)
    print(f"intake_postgres_per_s: {pg['intake_per_s']:.1f}")
    print(f"bare_postgres_per_s: {pg['bare_per_s']:.1f}")
    print(f"intake_ratio_postgres: {pg['intake_per_s'] / pg['bare_per_s']:.2f}")
    m = 200 if args.quick else 1000
    delivery = _run_phase("delivery", "postgres", m)
    for key, value in delivery.items():
        print(f"{key}: {value}")


def phase_delivery(database: str, n: int) -> dict:
    """N submissions wait (intake done, events sealed); then two workers start and the clock runs until
    the reference client (spool mode) has fetched every one and confirmed its receipt."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    import django

    django.setup()  # only for the helpers' imports; every platform process has its own environment
    from amtsweg.delivery.tests.e2e import Listener
    from amtsweg.delivery.tests.harness import Platform
    from amtsweg.submissions.tests.factories import SECRET

    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp, \
            Platform(Path(tmp), database, lease_seconds=60, callback_timeout=60) as platform:
        info = platform.manage("setup", str(Path(tmp) / "fv"), "http://127.0.0.1:9/unset")
        submitted = 0
        while submitted < n:
            submitted += len(platform.manage("submit", str(min(200, n - submitted)))["submitted"])
        platform.manage("seal")
        platform.start_server(workers=2, threads=8)
        args = [sys.executable, "-m", "amtsweg_subscriber", "--base-url", platform.base_url,
                "--client-id", info["client_id"], "--client-secret", SECRET,
                "--private-key", str(Path(info["key_dir"]) / "decrypt.jwk.json"),
                "--signing-key", str(Path(info["key_dir"]) / "sign.jwk.json"), "--out", info["out_dir"]]
        listener = Listener([*args, "--spool-only"], info["callback_secret"], interval=0, env=platform.env)
        try:
            platform.manage("set-callback", listener.url)
            started = time.perf_counter()
            platform.start_workers(2, sweep=False)
            while sum(1 for line in listener.lines if line.get("status") == "received") < n:
                if time.perf_counter() - started > 300:
                    statuses = [line.get("status") for line in listener.lines]
                    raise RuntimeError(f"delivery did not finish in 5 minutes: {platform.status()} "
                                       f"client: {sorted(set(statuses))} x {len(statuses)}")
                time.sleep(0.01)
            # Throughput from the first to the last confirmed receipt: start-up of the freshly started
            # processes (imports, first token) is not delivery work.
            received = [t for t, line in zip(listener.arrivals, listener.lines, strict=False)
                        if line.get("status") == "received"]
            elapsed = (received[-1] - received[0]) / (n - 1) * n
            first_receipt_after = received[0] - started
        finally:
            listener.stop()
        # Outside the timed path: decrypt, verify, write and accept what was received.
        processing = time.perf_counter()
        out = subprocess.run([*args, "--poll", "--once"], env=platform.env, capture_output=True, text=True,
                             timeout=1800, check=True)
        accepted = sum(1 for line in out.stdout.splitlines() if json.loads(line)["status"] == "accepted")
        processing = time.perf_counter() - processing
        state = platform.status()
        assert accepted == n and state["accepted_submissions"] == n and state["max_accepts_per_submission"] == 1
        return {"delivery_per_s": round(n / elapsed, 1), "delivery_submissions": n,
                "client_decrypt_accept_per_s": round(n / processing, 1), "delivery_database": database,
                "delivery_first_receipt_after_s": round(first_receipt_after, 1),
                "delivery_incl_startup_per_s": round(n / (received[-1] - started), 1)}


if __name__ == "__main__":
    main(sys.argv[1:])
