"""Benchmark: full reference-data import into a fresh SQLite database, then a second (no-change) run.

Run from the repository root: `.venv/bin/python benchmarks/import_reference.py`. Prints
`import_seconds: N`, `reimport_seconds: N` and the change counts of both runs.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["AMTSWEG_VAR_DIR"] = tmp
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django.core.management import call_command

        from amtsweg.catalogue.importer import import_reference

        call_command("migrate", interactive=False, verbosity=0)
        source = ROOT / "data" / "reference"
        started = time.perf_counter()
        first = import_reference(source)
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = import_reference(source)
        reimport_seconds = time.perf_counter() - started
        print(f"import_seconds: {import_seconds:.2f}")
        print(f"reimport_seconds: {reimport_seconds:.2f}")
        print(f"import_changes: {first.total_changes}")
        print(f"reimport_changes: {second.total_changes}")


if __name__ == "__main__":
    main()
