"""Benchmark: the back office's daily retention job (Aufbewahrungsfrist) on PostgreSQL.

Run from the repository root: `.venv/bin/python benchmarks/retention.py [--cases N] [--short-authorities K]`.
On a throw-away database (dropped afterwards) it seeds N cases over 50 authorities and 30 services with the
back office benchmark's state mix (`backoffice.seed`: closed cases closed up to two years ago), gives K
authorities a period of 365 days for every service (the others keep the default of ten years), adds to each
case that has then expired a sealed 8 KB attachment and three history entries, and prints:

* `retention_cases`: cases in the database;
* `retention_expired`: cases the first run deletes;
* `retention_run_s` and `retention_cases_per_s`: the first run (find, lock, count, record, audit, delete in
  batches of `retention.BATCH_SIZE`);
* `retention_noop_run_ms`: the next day's run with nothing due (median of 5): what the daily job costs in the
  steady state, where it only walks the candidates;
* `load_avg_1m`: the machine's load when it finished (the figures depend on it).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid

from benchkit import PostgresDatabase, setup_django


def run(cases: int, short_authorities: int, var_dir: str) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    from backoffice import seed

    from amtsweg.accounts.models import Authority
    from amtsweg.casework import retention, vault
    from amtsweg.casework.models import Case, CaseDeletion, ServiceDeadline
    from amtsweg.core.actors import SYSTEM

    info = seed(cases, var_dir)
    authorities = list(Authority.objects.order_by("pk").values_list("pk", flat=True))[:short_authorities]
    ServiceDeadline.objects.bulk_create([ServiceDeadline(authority_id=a, leika_key=k, retention_days=365)
                                         for a in authorities for k in info["services"]])
    blobs = {a: vault.seal(a, os.urandom(8192), purpose="case.attachment") for a in authorities}
    expiring = retention.expired_ids
    now = timezone.now()
    ids: list = []
    position = None
    while True:
        batch, position = expiring(now, limit=5000, after=position)
        ids += batch
        if position is None:
            break
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        rows = list(Case.objects.filter(pk__in=ids).values_list("pk", "authority_id"))  # before COPY holds the line
        with cursor.copy("COPY casework_caseattachment (id, case_id, attachment_id, position, size, content) "
                         "FROM STDIN") as copy:
            for pk, authority_id in rows:
                copy.write_row((uuid.uuid4(), pk, uuid.uuid4(), 0, 8192, blobs[authority_id]))
        cursor.execute(
            "INSERT INTO casework_caseentry (id, case_id, at, kind, actor_username, details) "
            "SELECT gen_random_uuid(), c.id, c.received_at, k.kind, '', '{}'::jsonb FROM casework_case c "
            "CROSS JOIN (VALUES ('received'), ('state'), ('state')) AS k(kind) WHERE c.id = ANY(%s)", [ids])
        cursor.execute("VACUUM (ANALYZE) casework_case")
        cursor.execute("VACUUM (ANALYZE) casework_caseentry")
    started = time.perf_counter()
    result = retention.purge_expired(actor=SYSTEM)
    elapsed = time.perf_counter() - started
    assert result.deleted == len(ids) == CaseDeletion.objects.count(), (result.deleted, len(ids))
    noop = []
    for _ in range(5):
        started = time.perf_counter()
        assert retention.purge_expired(actor=SYSTEM).deleted == 0
        noop.append((time.perf_counter() - started) * 1000)
    return {
        "retention_cases": Case.objects.count() + result.deleted,
        "retention_expired": result.deleted,
        "retention_run_s": round(elapsed, 2),
        "retention_cases_per_s": round(result.deleted / elapsed, 1) if elapsed else 0,
        "retention_noop_run_ms": round(statistics.median(noop), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--short-authorities", type=int, default=5)
    args = parser.parse_args(argv)
    with (tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp,
          PostgresDatabase("amtsweg_retention_bench") as url):
        setup_django(url, tmp)
        for key, value in run(args.cases, args.short_authorities, tmp).items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
