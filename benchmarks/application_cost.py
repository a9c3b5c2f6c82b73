"""Benchmark: what one Hundesteuer application through the form costs the platform, independent of the load.

Run from the repository root: `.venv/bin/python benchmarks/application_cost.py [--applications 30]
[--database-url postgres://…] [--profile FILE]`. Without `--database-url` it uses a throw-away PostgreSQL
database on 127.0.0.1 (benchkit), loaded with the demo data as `benchmarks/stichtag.py` loads them.

Walks the same pages as a citizen of `stichtag_locustfile.py` (start, place, halter, hund, zahlung, summary,
receipt: 13 requests, each POST form-encoded with the CSRF token read from its page, CSRF checks on) through
Django's test client in this process, with DEBUG off. CPU time is the figure that matters for capacity: wall time
on a shared machine stretches with the other load, CPU time does not. It prints

* `application_cpu_ms`: CPU of this process (Django, the intake's encryption) per application,
* `application_db_cpu_ms`: CPU of the PostgreSQL backend serving this process's connection per application,
* `application_requests`, `application_queries`: requests and SQL statements per application,
* `step_queries_<page>`, `step_cpu_ms_<page>`: statements and CPU per request,
* `application_wall_ms` for reference.

`--profile FILE` writes a cProfile of the measured applications (and prints the top functions).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402 - the folder is put first above
from hundesteuer_steps import steps  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE = re.compile(r"AW-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
TICKS = os.sysconf("SC_CLK_TCK")
FORM_ENCODED = "application/x-www-form-urlencoded"


def backend_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Counter:
    """Counts SQL statements and CPU time per page name (a connection execute wrapper; `timed`)."""

    def __init__(self):
        self.current = ""
        self.per_page: dict[str, int] = {}
        self.cpu: dict[str, float] = {}

    def timed(self, name: str, call, *args):
        self.current = name
        self.per_page.setdefault(name, 0)
        started = time.process_time()
        try:
            return call(*args)
        finally:
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - started

    def clear(self) -> None:
        self.per_page.clear()
        self.cpu.clear()

    def __call__(self, execute, sql, params, many, context):
        self.per_page[self.current] = self.per_page.get(self.current, 0) + 1
        return execute(sql, params, many, context)


def apply(client, n: int, counter: Counter) -> str:
    """One application; returns its reference."""
    def page(path: str, name: str) -> str:
        response = counter.timed(name, client.get, path)
        match = CSRF.search(response.content.decode()) if response.status_code == 200 else None
        if match is None:
            raise SystemExit(f"{name}: HTTP {response.status_code} without a form")
        return match.group(1)

    def post(path: str, name: str, data: dict) -> str:
        # form-encoded, as a browser and locust's `data=` send it (the test client's default is multipart, whose
        # parsing would be counted as the platform's cost)
        response = counter.timed(f"{name}_post", client.post, path, urlencode(data), FORM_ENCODED)
        if response.status_code != 302:
            raise SystemExit(f"{name} (POST): HTTP {response.status_code} instead of a redirect")
        return response["Location"]

    token = page("/antrag/hundesteuer/", "start")
    path = post("/antrag/hundesteuer/", "start", {"csrfmiddlewaretoken": token})
    for name, data in steps(datetime.date.today(), n):
        token = page(path, name)
        path = post(path, name, {"csrfmiddlewaretoken": token, **data})
    response = counter.timed("eingang", client.get, path)
    match = REFERENCE.search(response.content.decode())
    if match is None:
        raise SystemExit(f"receipt without reference (HTTP {response.status_code})")
    return match.group(0)


LOAD_DEMO_APPS = ("core", "accounts", "routing", "assistants", "submissions", "delivery")


def load_demo() -> None:
    import importlib
    import io

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", interactive=False, verbosity=0)
    call_command("import_reference", verbosity=0)
    for app in LOAD_DEMO_APPS:
        try:
            module = importlib.import_module(f"amtsweg.{app}.demo")
        except ModuleNotFoundError:
            continue
        with transaction.atomic():
            module.load_demo(io.StringIO())


def measure(args, database_url: str, var_dir: str) -> None:
    os.environ["DEBUG"] = "0"
    os.environ["AXES_ENABLED"] = "1"
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # one backend for the whole run, so its CPU can be read
    benchkit.setup_django(database_url, var_dir)
    from django.db import connection
    from django.test import Client

    from amtsweg.assistants.models import FormDefinition

    if not _migrated() or not FormDefinition.objects.filter(slug="hundesteuer").exists():
        started = time.monotonic()
        load_demo()
        print(f"# demo data loaded in {time.monotonic() - started:.0f} s", flush=True)
    counter = Counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    with connection.execute_wrapper(counter):
        # one client (one handler: loading the middleware again would scan the static files each time), a new
        # browser session per application
        client = Client(enforce_csrf_checks=True)
        for n in range(args.warmup):
            client.cookies.clear()
            apply(client, n, counter)
        counter.clear()
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL
        db_before, cpu_before, wall_before = backend_cpu_s(backend), time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(args.applications):
            client.cookies.clear()
            apply(client, 1000 + n, counter)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        db = backend_cpu_s(backend) - db_before
    count = args.applications
    print(f"application_cpu_ms: {1000 * cpu / count:.1f}")
    print(f"application_db_cpu_ms: {1000 * db / count:.1f}")
    print(f"application_wall_ms: {1000 * wall / count:.1f}")
    print("application_requests: 13")
    print(f"application_queries: {sum(counter.per_page.values()) / count:.1f}")
    for name, queries in counter.per_page.items():
        print(f"step_queries_{name}: {queries / count:.1f}")
    for name, used in counter.cpu.items():
        print(f"step_cpu_ms_{name}: {1000 * used / count:.1f}")
    if profiler:
        import pstats

        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def _migrated() -> bool:
    from django.db import connection

    return "assistants_formdefinition" in connection.introspection.table_names()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL database on this machine (kept; demo data loaded once)")
    parser.add_argument("--var-dir", help="the var folder belonging to a kept database (its generated keys)")
    parser.add_argument("--profile", help="write a cProfile of the measured applications to this file")
    args = parser.parse_args()
    if args.database_url:
        var_dir = args.var_dir or str(Path(tempfile.gettempdir()) / "amtsweg-application-cost-var")
        measure(args, args.database_url, var_dir)
        return
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp, \
            benchkit.PostgresDatabase("amtsweg_bench_cost") as url:
        measure(args, url, tmp)


if __name__ == "__main__":
    main()
