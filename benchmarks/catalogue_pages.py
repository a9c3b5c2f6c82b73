"""Benchmark: the public catalogue pages on the full reference data, on SQLite and on PostgreSQL.

Run from the repository root: `.venv/bin/python benchmarks/catalogue_pages.py [--postgres URL]`. Imports the
shipped reference data into a fresh database, then requests each page through Django's full request/response
cycle (test client, all middleware) and prints milliseconds per page kind, e.g. `search_ms_median: N` and
`search_ms_p95: N` over a mix of real queries (SQLite). With `--postgres postgres://user@host:port/postgres`
(a server where the user may create databases; a throw-away database is created and dropped) it does the
search part again on PostgreSQL and prints:

* `search_p95_ms_sqlite`, `search_p95_ms_postgresql`: the search page's 95th percentile over everyday queries
  (the issue's four examples, typos, compound parts, stop words, a number, nothing to find);
* `search_order_identical`: for how many of those queries both databases list the same first ten
  OZG-Leistungen in the same order (`n/m`), followed by the queries that differ.

Each database runs in a child process of its own (Django connects to one database per process).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20
SEARCH_QUERIES = ["Strasse", "Führerschein", "fuehrerschein", "Hund", "Gewerbe anmelden", "Wohngeld",
                  "Erlaubnis", "Bau", "Steuer", "Mondlandung"]
# What citizens type (issue 16, item 2): the four examples first.
EVERYDAY_QUERIES = ["Hund anmelden", "Ummelden", "Waffenschein", "Hundesteur", "Hundsteuer", "Umzug",
                    "Perso", "Reisepass verloren", "Auto anmelden", "Kfz ummelden", "heiraten", "Baby",
                    "Kita Platz", "Bauantrag", "Gewerbeschein", "Führerschein verloren", "Wohngeld beantragen",
                    "Personalausweis", "Fuehrerschien", "Baugenehmigung", "Steuer", "Anmeldung",
                    "Antrag auf Wohngeld", "Meldebescheinigung", "Parkausweis", "10169", "Mondlandung"]
PLACE_QUERIES = ["66484", "66111", "Neunkirchen", "voelklingen", "Sankt", "Frankfurt am Main", "12345"]


def _timed(client, path: str, params: dict | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: HTTP {response.status_code}")
    return elapsed


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _setup(database_url: str, tmp: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["AMTSWEG_VAR_DIR"] = tmp
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["AMTSWEG_EMBEDDED"] = "1"  # generated secrets in the temporary directory, also on PostgreSQL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from amtsweg.catalogue.importer import import_reference

    call_command("migrate", interactive=False, verbosity=0)
    import_reference(ROOT / "data" / "reference")
    client = Client()
    _timed(client, "/")  # warm up templates and translations
    return client


def _search_child(database_url: str) -> None:
    """Child process: time the everyday queries and print one JSON line with the times and the orders."""
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        client = _setup(database_url, tmp)
        from amtsweg.catalogue import search

        times = []
        for _ in range(ROUNDS // 4):
            for query in EVERYDAY_QUERIES:
                times.append(_timed(client, "/leistungen/", {"q": query}))
        orders = {}
        for query in EVERYDAY_QUERIES:
            hits = search.search_services(query).hits
            orders[query] = [hit.service.ozg_id if hit.service else None for hit in hits[:10]]
        print(json.dumps({"times": times, "orders": orders}))


def _run_child(database_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--search-child", database_url],
        capture_output=True, text=True, check=False,
    )
    if result.returncode:
        raise SystemExit(f"search benchmark on {database_url.split(':')[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _postgres_search(server_url: str) -> dict:
    import psycopg

    name = f"amtsweg_bench_{uuid.uuid4().hex[:8]}"
    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return _run_child(f"{base}/{name}")
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    postgres = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        sqlite_url = f"sqlite:///{tmp}/search.sqlite3"
        sqlite_search = _run_child(sqlite_url)
        client = _setup(f"sqlite:///{tmp}/bench.sqlite3", tmp)

        figures: dict[str, list[float]] = {"home": [], "topic": [], "service": [], "search": [], "places": [],
                                           "municipality": []}
        for _ in range(ROUNDS):
            figures["home"].append(_timed(client, "/"))
            figures["topic"].append(_timed(client, "/themenfelder/9/"))
            figures["service"].append(_timed(client, "/leistungen/10169/"))
            figures["municipality"].append(_timed(client, "/orte/100410100100/"))
        for _ in range(ROUNDS // 4):
            for query in SEARCH_QUERIES:
                figures["search"].append(_timed(client, "/leistungen/", {"q": query}))
            for query in PLACE_QUERIES:
                figures["places"].append(_timed(client, "/orte/", {"q": query}))
        for name, values in figures.items():
            print(f"{name}_ms_median: {statistics.median(values):.1f}")
        for name in ("search", "places"):
            print(f"{name}_ms_p95: {_p95(figures[name]):.1f}")
    print(f"search_p95_ms_sqlite: {_p95(sqlite_search['times']):.1f}")
    if postgres:
        postgres_search = _postgres_search(postgres)
        print(f"search_p95_ms_postgresql: {_p95(postgres_search['times']):.1f}")
        differing = [q for q in EVERYDAY_QUERIES if sqlite_search["orders"][q] != postgres_search["orders"][q]]
        print(f"search_order_identical: {len(EVERYDAY_QUERIES) - len(differing)}/{len(EVERYDAY_QUERIES)}")
        for query in differing:
            print(f"  differs: {query!r} sqlite={sqlite_search['orders'][query]} "
                  f"postgresql={postgres_search['orders'][query]}")
    for query in EVERYDAY_QUERIES[:4]:
        print(f"  first results for {query!r}: {sqlite_search['orders'][query][:5]}")


if __name__ == "__main__":
    if "--search-child" in sys.argv:
        _search_child(sys.argv[sys.argv.index("--search-child") + 1])
    else:
        main()
