"""Benchmark: the public catalogue pages on the full reference data (fresh SQLite database).

Run from the repository root: `.venv/bin/python benchmarks/catalogue_pages.py`. Imports the shipped
reference data into a temporary SQLite file, then requests each page through Django's full
request/response cycle (test client, all middleware) and prints the median time per page kind in
milliseconds, e.g. `search_ms_median: N`, and `search_ms_p95: N` over a mix of real queries.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20
SEARCH_QUERIES = ["Strasse", "Führerschein", "fuehrerschein", "Hund", "Gewerbe anmelden", "Wohngeld",
                  "Erlaubnis", "Bau", "Steuer", "Mondlandung"]
PLACE_QUERIES = ["66484", "66111", "Neunkirchen", "voelklingen", "Sankt", "Frankfurt am Main", "12345"]


def _timed(client, path: str, params: dict | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: HTTP {response.status_code}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["AMTSWEG_VAR_DIR"] = tmp
        os.environ["LOG_LEVEL"] = "WARNING"
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
            print(f"{name}_ms_p95: {statistics.quantiles(figures[name], n=20)[-1]:.1f}")


if __name__ == "__main__":
    main()
