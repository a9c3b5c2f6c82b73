"""Benchmark: the back office (Amtsweg-Sachbearbeitung) on PostgreSQL.

Run from the repository root: `.venv/bin/python benchmarks/backoffice.py [--cases N] [--ingest N]`.
Everything runs on a throw-away database on postgres@127.0.0.1:5432 (dropped afterwards). Prints:

* `inbox_cases`: cases in the database, spread over ≥ 50 authorities and ≥ 30 services with a realistic state
  mix (generated with COPY: one sealed content blob per authority, as the ingest makes them);
* `inbox_list_p95_ms`: the real inbox view (`/verwaltung/sachbearbeitung/`) through Django's test client with
  every middleware, as a logged-in case worker of an authority with its share of the cases, over a mix of
  filters and sorts (default, open, mine, overdue, by deadline, per service, search by reference and by name,
  next page by cursor);
* `case_view_p95_ms`: the case page (opens the sealed content, renders, writes the audit entry);
* `backoffice_ingest_per_s`: submissions taken in (fetch through the subscriber service, decrypt, verify,
  seal, store, signed accept event) by two delivery workers in parallel processes, from the first claim to the
  last case; plus `ingest_ms_*`: where one ingest's time goes (measured in one process).

Wall-clock times depend on what else runs on the machine (the 2 cores are shared), so every phase also prints
the CPU time one operation costs, which load does not distort: `*_cpu_ms` = this process (`*_app_cpu_ms`) plus
the PostgreSQL backend serving it (`*_db_cpu_ms`, local server, read from /proc), and the load average.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchkit import PostgresDatabase, kept_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
AUTHORITIES = 50
SERVICES = 30
STATE_MIX = [("closed", 0.55), ("decided", 0.08), ("in_progress", 0.17), ("received", 0.10), ("inquiry", 0.06),
             ("forwarded", 0.04)]


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


# --- phase: inbox and case view over many cases ---------------------------------------------------------


def seed(cases: int, var_dir: str) -> dict:
    """`cases` cases over `AUTHORITIES` authorities and `SERVICES` services, written with COPY (one sealed
    content blob per authority, as the ingest makes them); what the measurement needs is kept in
    `var_dir/backoffice_seed.json`, so a kept database is seeded once and measured again and again."""
    from django.db import connection
    from django.utils import timezone

    from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
    from amtsweg.casework import vault
    from amtsweg.casework.tests.factories import sealed_content
    from amtsweg.routing.tests.factories import DestinationFactory

    rng = random.Random(14)
    authorities = [AuthorityFactory() for _ in range(AUTHORITIES)]
    destinations = [DestinationFactory(authority=a, keys=False) for a in authorities]
    workers = [UserFactory(authority=a) for a in authorities[:1]]
    colleague = UserFactory(authority=authorities[0])
    services = [(f"99{rng.randrange(10**11, 10**12):012d}", f"Leistung {i + 1}") for i in range(SERVICES)]
    blobs = [sealed_content(a.pk) for a in authorities]
    hashes = [vault.name_hash(a.pk, "Erika Mustermann") for a in authorities]
    states, weights = zip(*STATE_MIX, strict=True)
    now = timezone.now()
    two_years = 730 * 86400
    started = time.perf_counter()
    columns = ("id", "authority_id", "destination_id", "submission_id", "transport_case_id", "reference",
               "leika_key", "service_name", "form_slug", "form_version", "received_at", "state", "decision",
               "assignee_id", "team_id", "deadline", "paused_since", "applicant_name_hash", "content",
               "decided_at", "closed_at", "created_at", "updated_at")
    decisions = ["approved", "rejected", "partial"]
    sample_refs: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        with cursor.copy(f"COPY casework_case ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(cases):
                a = i % AUTHORITIES
                received = now - timezone.timedelta(seconds=rng.randrange(two_years))
                state = rng.choices(states, weights)[0]
                leika, service_name = services[rng.randrange(SERVICES)]
                assignee = None
                if a == 0 and state not in ("received",):
                    assignee = rng.choice([workers[0].pk, colleague.pk, None])
                reference = f"AW-{uuid.uuid4().hex[:4].upper()}-{i:04X}"[:20]
                if a == 0 and len(sample_refs) < 50 and rng.random() < 0.01:
                    sample_refs.append(reference)
                copy.write_row((
                    uuid.uuid4(), authorities[a].pk, destinations[a].pk, uuid.uuid4(), uuid.uuid4(), reference,
                    leika, service_name, "", None, received, state,
                    rng.choice(decisions) if state in ("decided", "closed") else "", assignee, None,
                    (received + timezone.timedelta(days=30)).date(), None,
                    hashes[a] if rng.random() < 0.001 else uuid.uuid4().hex + uuid.uuid4().hex,
                    blobs[a], received if state in ("decided", "closed") else None,
                    received if state == "closed" else None, received, received,
                ))
        # As autovacuum leaves a table in steady state (its insert threshold fires after a bulk load): with the
        # visibility map set, index-only scans read no table pages. Outside a transaction (autocommit).
        cursor.execute("VACUUM (ANALYZE) casework_case")
    info = {"worker": workers[0].pk, "authority": authorities[0].pk, "services": [s for s, _n in services],
            "sample_refs": sample_refs, "generate_s": round(time.perf_counter() - started, 1)}
    (Path(var_dir) / "backoffice_seed.json").write_text(json.dumps(info))
    return info


def phase_views(database_url: str, cases: int, var_dir: str) -> dict:
    setup_django(database_url, var_dir)
    _migrate()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from amtsweg.accounts.testing import login_staff
    from amtsweg.casework.models import Case

    seed_file = Path(var_dir) / "backoffice_seed.json"
    seeded = seed_file.exists() and Case.objects.exists()
    info = json.loads(seed_file.read_text()) if seeded else seed(cases, var_dir)
    rng = random.Random(14)
    worker = get_user_model().objects.get(pk=info["worker"])
    sample_refs = info["sample_refs"]
    client = Client()
    login_staff(client, worker)
    my_services = info["services"][:8]
    queries = [
        {}, {"status": "offen"}, {"zustaendig": "mir"}, {"zustaendig": "mir", "status": "offen"},
        {"frist": "ueberfaellig"}, {"sortierung": "frist", "status": "offen"}, {"sortierung": "aelteste"},
        {"suche": "Erika Mustermann"},
    ]
    for _ in range(3):  # warm-up: templates, translations, plans
        assert client.get("/verwaltung/sachbearbeitung/").status_code == 200
    load_before = os.getloadavg()[0]
    inbox = _Timings()
    for round_ in range(6):
        batch = [*queries, {"dienst": my_services[round_ % len(my_services)]},
                 {"suche": rng.choice(sample_refs) if sample_refs else "AW-XXXX"}]
        for params in batch:
            response = inbox.get(client, "/verwaltung/sachbearbeitung/", params)
            found = re.search(r'href="(\?[^"]*nach=[^"]*)"', response.content.decode())
            next_url = html.unescape(found.group(1)) if found else ""
            if next_url:
                inbox.get(client, "/verwaltung/sachbearbeitung/" + next_url)

    case_ids = list(Case.objects.filter(authority_id=info["authority"]).order_by("?")
                    .values_list("pk", flat=True)[:60])
    view = _Timings()
    client.get(f"/verwaltung/sachbearbeitung/vorgang/{case_ids[0]}/")
    for pk in case_ids[1:]:
        view.get(client, f"/verwaltung/sachbearbeitung/vorgang/{pk}/")
    per_authority = Case.objects.filter(authority_id=info["authority"]).count()
    return {"inbox_cases": Case.objects.count(), "inbox_authorities": AUTHORITIES, "inbox_services": SERVICES,
            "inbox_cases_of_the_worker_authority": per_authority, "inbox_generate_s": info["generate_s"],
            **inbox.figures("inbox_list"), **view.figures("case_view"),
            "views_load_average_1m": round((load_before + os.getloadavg()[0]) / 2, 2)}


class _Timings:
    """Wall time of each request, and the CPU time all of them cost: this process and the PostgreSQL
    backend serving its connection (local server, /proc; its clock ticks are too coarse for one request,
    so the CPU is summed over all of them and divided)."""

    def __init__(self) -> None:
        self.wall_ms: list[float] = []
        self.app_cpu_s = 0.0
        self.db_cpu_s = 0.0

    def get(self, client, path: str, params: dict | None = None):
        from django.db import connection

        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        db_cpu, cpu, t = _process_cpu_s(backend), time.process_time(), time.perf_counter()
        response = client.get(path, params or {})
        self.wall_ms.append((time.perf_counter() - t) * 1000)
        self.app_cpu_s += time.process_time() - cpu
        self.db_cpu_s += _process_cpu_s(backend) - db_cpu
        assert response.status_code == 200, (path, response.status_code)
        return response

    def figures(self, name: str) -> dict:
        n = len(self.wall_ms)
        return {f"{name}_p95_ms": round(_p95(self.wall_ms), 1),
                f"{name}_median_ms": round(statistics.median(self.wall_ms), 1),
                f"{name}_cpu_ms": round((self.app_cpu_s + self.db_cpu_s) / n * 1000, 1),
                f"{name}_app_cpu_ms": round(self.app_cpu_s / n * 1000, 1),
                f"{name}_db_cpu_ms": round(self.db_cpu_s / n * 1000, 1)}


# --- phase: ingest with two workers ----------------------------------------------------------------------


def phase_ingest_setup(database_url: str, n: int, var_dir: str) -> dict:
    """A destination on the back office and `n` submitted applications waiting in the outbox."""
    setup_django(database_url, var_dir)
    _migrate()
    from amtsweg.casework import receiving
    from amtsweg.core.actors import SYSTEM
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    # a service of its own per call: a second setup in a fresh process gets the same area from the factories
    responsibility = ResponsibilityFactory(leika_key=f"99{random.randrange(10**11, 10**12):012d}")
    receiving.enable(responsibility.destination, actor=SYSTEM)
    for _ in range(n):
        submit_payload(payload_for(responsibility, mail_status_link=False))
    return {"destination": str(responsibility.destination.pk)}


def phase_ingest_worker(database_url: str, n: int, var_dir: str) -> dict:
    """One delivery worker: claims and delivers until nothing is due; reports when it worked."""
    setup_django(database_url, var_dir)
    from django.db import connection

    from amtsweg.casework import ingest  # noqa: F401 - imported before the clock starts
    from amtsweg.delivery import services as outbox
    from amtsweg.delivery.models import OutboxMessage

    OutboxMessage.objects.exists()  # connected before the clock starts
    backend = connection.connection.info.backend_pid
    backend_cpu, cpu = _process_cpu_s(backend), time.process_time()
    started = time.time()
    done = outbox.run_until_idle()
    return {"started": started, "ended": time.time(), "done": done, "cpu_s": time.process_time() - cpu,
            "db_cpu_s": _process_cpu_s(backend) - backend_cpu}


def phase_ingest_profile(database_url: str, n: int, var_dir: str) -> dict:
    """Where one ingest's time goes: the same work in one process, with the RSA steps timed and counted, the
    SQL statements counted and timed (`connection.execute_wrapper`: each is one round trip), and the CPU time
    of the process. Plus the ceiling the RSA-4096 private-key operations alone set on this machine."""
    setup_django(database_url, var_dir)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from django.db import connection
    from joserfc import jws

    from amtsweg.casework import ingest, vault
    from amtsweg.submissions import crypto

    spent = {"decrypt": 0.0, "sign": 0.0, "seal": 0.0}
    spent_cpu = {"decrypt": 0.0, "sign": 0.0, "seal": 0.0}
    calls = {"decrypt": 0, "sign": 0}
    database = {"statements": 0, "seconds": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            t, c = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t
                spent_cpu[name] += time.process_time() - c
                calls[name] = calls.get(name, 0) + 1
        return wrapper

    def sql_timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database["statements"] += 1
            database["seconds"] += time.perf_counter() - t

    crypto.decrypt_jwe = timed("decrypt", crypto.decrypt_jwe)
    jws.serialize_compact = timed("sign", jws.serialize_compact)
    vault.seal = timed("seal", vault.seal)
    ingest.vault.seal = vault.seal
    pending = _pending_ingests(n + 1)
    ingest.receive(*pending.pop())  # keys unwrapped and imported once per process: not per submission
    spent.update(decrypt=0.0, sign=0.0, seal=0.0)
    spent_cpu.update(decrypt=0.0, sign=0.0, seal=0.0)
    calls.update(decrypt=0, sign=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    t, cpu, backend_cpu = time.perf_counter(), time.process_time(), _process_cpu_s(backend)
    with connection.execute_wrapper(sql_timer):
        for submission_id, destination_id in pending:
            ingest.receive(submission_id, destination_id)
    total, cpu = time.perf_counter() - t, time.process_time() - cpu
    backend_cpu = _process_cpu_s(backend) - backend_cpu
    count = max(1, len(pending))

    # One RSA-4096 private-key operation (RSA-OAEP-256 decryption of a content key, as in every JWE), alone.
    key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    wrapped = key.public_key().encrypt(os.urandom(32), oaep)
    t_rsa, cpu_rsa = time.perf_counter(), time.process_time()
    for _ in range(50):
        key.decrypt(wrapped, oaep)
    rsa_ms = (time.perf_counter() - t_rsa) / 50 * 1000
    rsa_cpu_ms = (time.process_time() - cpu_rsa) / 50 * 1000
    private_ops = (calls["decrypt"] + calls["sign"]) / count
    cores = os.cpu_count() or 1
    return {"ingest_ms_total": round(total / count * 1000, 1),
            "ingest_ms_rsa_decrypt": round(spent["decrypt"] / count * 1000, 1),
            "ingest_ms_rsa_sign": round(spent["sign"] / count * 1000, 1),
            "ingest_ms_seal": round(spent["seal"] / count * 1000, 2),
            "ingest_ms_rest": round((total - sum(spent.values())) / count * 1000, 1),
            "ingest_crypto_ms_per_submission": round((spent["decrypt"] + spent["sign"]) / count * 1000, 1),
            "ingest_db_ms_per_submission": round(database["seconds"] / count * 1000, 1),
            "ingest_db_statements_per_submission": round(database["statements"] / count, 1),
            "ingest_cpu_ms_per_submission": round(cpu / count * 1000, 1),
            # the same split in CPU time (JWE decryption is mostly its RSA-OAEP unwrap of the content key;
            # signing the accept event is one RSA-PSS signature)
            "ingest_cpu_ms_decrypt": round(spent_cpu["decrypt"] / count * 1000, 1),
            "ingest_cpu_ms_sign": round(spent_cpu["sign"] / count * 1000, 1),
            "ingest_cpu_ms_rest": round((cpu - sum(spent_cpu.values())) / count * 1000, 1),
            # the PostgreSQL backend serving this process (local server): its CPU for the same submissions
            "ingest_db_cpu_ms_per_submission": round(backend_cpu / count * 1000, 1),
            # every core busy with nothing but this work (worker and its database backend), no waiting at all:
            "ingest_cpu_ceiling_per_s": round(cores / ((cpu + backend_cpu) / count), 1) if cpu + backend_cpu else 0,
            "ingest_rsa_private_ops_per_submission": round(private_ops, 1),
            "rsa4096_private_op_ms": round(rsa_ms, 2),
            "rsa4096_private_op_cpu_ms": round(rsa_cpu_ms, 2),
            "machine_cores": cores,
            # every core doing nothing but the RSA private-key operations the protocol requires (CPU time:
            # what an idle machine would manage):
            "ingest_rsa_ceiling_per_s": round(cores * 1000 / (private_ops * rsa_cpu_ms), 1) if private_ops else 0,
            "load_average_1m": round(os.getloadavg()[0], 2)}


def phase_ingest_steps(database_url: str, n: int, var_dir: str) -> dict:
    """Where one ingest's time goes, step by step: the functions of the ingest path are wrapped so that every
    moment of CPU time (`time.process_time`), wall time and every SQL statement is charged to the innermost step
    running (exclusive times: a step's own time without the steps it calls). What no step claims is charged to
    the step that called it, the rest to "receive (glue)". The wrappers cost a few microseconds each."""
    setup_django(database_url, var_dir)
    from django.db import connections
    from joserfc import jws

    from amtsweg.casework import ingest, receiving, vault
    from amtsweg.maturity import triggers
    from amtsweg.submissions import crypto, events, metadata, services, subscriber

    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    statements: dict[str, int] = {}
    stack = ["receive (glue)"]
    mark = [time.process_time(), time.perf_counter()]

    def charge() -> None:
        c, w = time.process_time(), time.perf_counter()
        cpu[stack[-1]] = cpu.get(stack[-1], 0.0) + c - mark[0]
        wall[stack[-1]] = wall.get(stack[-1], 0.0) + w - mark[1]
        mark[:] = [c, w]

    def step(owner, attribute: str, name: str) -> None:
        function = getattr(owner, attribute)

        def wrapper(*args, **kwargs):
            charge()
            stack.append(name)
            try:
                return function(*args, **kwargs)
            finally:
                charge()
                stack.pop()
        setattr(owner, attribute, wrapper)

    def sql_counter(execute, sql, params, many, context):
        statements[stack[-1]] = statements.get(stack[-1], 0) + 1
        return execute(sql, params, many, context)

    database = connections["default"]
    for owner, attribute, name in [
        (subscriber, "ready_submission", "fetch: read the submission"),
        (subscriber, "fetch", "fetch: read the attachments' JWEs"),
        (services, "mark_forwarded", "fetch: forwarded mark + forward event"),
        (ingest, "_open_and_verify", "verify: hashes, tags, service (Python)"),
        (receiving, "private_key", "decrypt: private key (cached per process)"),
        (crypto, "decrypt_jwe", "decrypt: JWE (3 RSA-4096 private ops + AES)"),
        (metadata, "validate", "verify: metadata JSON schema"),
        (subscriber, "authentication_tags", "verify: read the recorded tags"),
        (ingest, "_store", "store: case, attachments, entry (ORM)"),
        (ingest, "_settings", "store: settings query"),
        (vault, "seal", "store: vault seal (AES-GCM)"),
        (vault, "name_hash", "store: name hash (HMAC)"),
        (ingest, "_send", "event: build claims"),
        (receiving, "signing_key", "event: signing key lookup"),
        (jws, "serialize_compact", "event: sign (1 RSA-4096 private op)"),
        (subscriber, "send_event", "event: post (read the submission)"),
        (events, "receive_destination_event", "event: check claims, store, status"),
        (events, "_destination_signature_key", "event: verification key lookup"),
        (jws, "deserialize_compact", "event: verify signature (RSA public op)"),
        (triggers, "_check_cells", "after commit: maturity check"),
        (database, "commit", "commit"),
    ]:
        step(owner, attribute, name)
    pending = _pending_ingests(n + 1)
    ingest.receive(*pending.pop())  # keys unwrapped and imported once per process: not per submission
    cpu.clear()
    wall.clear()
    statements.clear()
    charge()
    cpu.clear()
    wall.clear()
    with database.execute_wrapper(sql_counter):
        for submission_id, destination_id in pending:
            ingest.receive(submission_id, destination_id)
            charge()
    count = max(1, len(pending))
    names = sorted(cpu, key=lambda name: -cpu[name])
    return {"ingest_steps_submissions": count, "ingest_steps": [
        [name, round(cpu[name] / count * 1000, 2), round(wall[name] / count * 1000, 2),
         round(statements.get(name, 0) / count, 1)] for name in names]}


def phase_ingest_cprofile(database_url: str, n: int, var_dir: str) -> dict:
    """`--cprofile N`: what the ingest's CPU time goes to, as cProfile's top N functions by own time (tottime)
    and the top N by cumulative time over `-n` submissions, plus the SQL statements of one submission (their
    text shortened). cProfile slows Python code down (the RSA operations in C much less), so its times only
    rank; the measured split is the profile phase's. Written to `var_dir/ingest_cprofile.txt`."""
    import cProfile
    import io
    import pstats

    setup_django(database_url, var_dir)
    from django.db import connection

    from amtsweg.casework import ingest

    top = int(os.environ.get("BACKOFFICE_CPROFILE_TOP", "40"))
    pending = _pending_ingests(n + 2)
    ingest.receive(*pending.pop())  # keys unwrapped and imported once per process: not per submission
    statements: list[str] = []

    def sql_recorder(execute, sql, params, many, context):
        statements.append(" ".join(sql.split())[:160])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(sql_recorder):
        ingest.receive(*pending.pop())
    profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for the database is not this process
    profiler.enable()
    for submission_id, destination_id in pending:
        ingest.receive(submission_id, destination_id)
    profiler.disable()
    out = io.StringIO()
    out.write(f"SQL statements of one ingest ({len(statements)}):\n")
    out.writelines(f"  {i + 1:2d}. {sql}\n" for i, sql in enumerate(statements))
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    path = Path(var_dir) / "ingest_cprofile.txt"
    path.write_text(out.getvalue())
    return {"ingest_cprofile_submissions": len(pending), "ingest_cprofile_file": str(path)}


def _pending_ingests(n: int) -> list[tuple]:
    """Up to `n` (submission id, destination id) waiting for the back office, all of the destination the last
    `ingest-setup` made (the newest message's): a message of another destination would import that
    destination's RSA keys inside the measurement (~250 ms CPU each)."""
    from amtsweg.delivery.models import OutboxMessage

    waiting = OutboxMessage.objects.filter(channel="casework", status="pending")
    newest = waiting.order_by("-id").values_list("destination_id", flat=True).first()
    return list(waiting.filter(destination_id=newest).order_by("id")
                .values_list("submission_id", "destination_id")[:n])


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a local process (Linux /proc; 0 where it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PHASES = {"views": phase_views, "ingest-setup": phase_ingest_setup, "ingest-worker": phase_ingest_worker,
          "ingest-profile": phase_ingest_profile, "ingest-cprofile": phase_ingest_cprofile,
          "ingest-steps": phase_ingest_steps}


def _phase(name: str, database_url: str, n: int, var_dir: str, *, wait: bool = True):
    args = [sys.executable, __file__, "--phase", name, "--database-url", database_url, "-n", str(n),
            "--var-dir", var_dir]
    if not wait:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])



def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--phase")
    parser.add_argument("--database-url")
    parser.add_argument("--var-dir")
    parser.add_argument("-n", type=int, default=0)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=400)
    parser.add_argument("--skip-views", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--cprofile", type=int, metavar="N", default=0,
                        help="also print cProfile's top N functions of the ingest (after the measured phases, on "
                             "submissions of their own) and the SQL statements of one ingest")
    parser.add_argument("--keep", metavar="DIR",
                        help="inbox and case view on a kept database (named after DIR) with its secrets in DIR: "
                             "seeded on the first run, measured again on later ones (pending migrations applied)")
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.database_url, args.n, args.var_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp:
        if not args.skip_views and args.keep:
            keep = Path(args.keep).resolve()
            keep.mkdir(parents=True, exist_ok=True)
            url = kept_database("amtsweg_bench_" + re.sub(r"\W", "_", keep.name).lower())
            for key, value in _phase("views", url, args.cases, str(keep)).items():
                print(f"{key}: {value}")
        elif not args.skip_views:
            with PostgresDatabase("amtsweg_backoffice_bench") as url:
                for key, value in _phase("views", url, args.cases, tmp).items():
                    print(f"{key}: {value}")
        if args.skip_ingest:
            return
        with PostgresDatabase("amtsweg_ingest_bench") as url:
            _phase("ingest-setup", url, args.ingest, tmp)
            workers = [_phase("ingest-worker", url, args.ingest, tmp, wait=False) for _ in range(2)]
            results = []
            for worker in workers:
                stdout, stderr = worker.communicate(timeout=1800)
                if worker.returncode != 0:
                    raise RuntimeError(f"ingest worker failed:\n{stderr[-3000:]}")
                results.append(json.loads(stdout.strip().splitlines()[-1]))
            elapsed = max(r["ended"] for r in results) - min(r["started"] for r in results)
            delivered = sum(r["done"].get("delivered", 0) for r in results)
            print(f"backoffice_ingest_per_s: {delivered / elapsed:.1f}")
            print(f"backoffice_ingest_submissions: {delivered}")
            # the same run in CPU time: both workers and their PostgreSQL backends, per submission, and what
            # the machine's cores would manage doing nothing else (load does not distort it)
            cpu_ms = sum(r["cpu_s"] + r["db_cpu_s"] for r in results) / max(1, delivered) * 1000
            print(f"backoffice_ingest_cpu_ms_per_submission: {cpu_ms:.1f}")
            print(f"backoffice_ingest_db_cpu_ms_per_submission: "
                  f"{sum(r['db_cpu_s'] for r in results) / max(1, delivered) * 1000:.1f}")
            print(f"backoffice_ingest_cpu_ceiling_per_s: {(os.cpu_count() or 1) * 1000 / cpu_ms:.1f}" if cpu_ms else
                  "backoffice_ingest_cpu_ceiling_per_s: 0")
            print(f"backoffice_ingest_load_average_1m: {os.getloadavg()[0]:.2f}")
            _phase("ingest-setup", url, 60, tmp)
            for key, value in _phase("ingest-profile", url, 60, tmp).items():
                print(f"{key}: {value}")
            _phase("ingest-setup", url, 60, tmp)
            steps = _phase("ingest-steps", url, 60, tmp)
            print(f"ingest_steps ({steps['ingest_steps_submissions']} submissions, per submission; CPU of this "
                  f"process, wall incl. waiting for PostgreSQL; exclusive):")
            print(f"  {'step':<46} {'cpu_ms':>7} {'wall_ms':>8} {'sql':>5}")
            for name, cpu_ms, wall_ms, sql in steps["ingest_steps"]:
                print(f"  {name:<46} {cpu_ms:>7.2f} {wall_ms:>8.2f} {sql:>5.1f}")
            total = [sum(row[i] for row in steps["ingest_steps"]) for i in (1, 2, 3)]
            print(f"  {'total':<46} {total[0]:>7.2f} {total[1]:>8.2f} {total[2]:>5.1f}")
            if args.cprofile:
                _phase("ingest-setup", url, 62, tmp)
                os.environ["BACKOFFICE_CPROFILE_TOP"] = str(args.cprofile)
                found = _phase("ingest-cprofile", url, 60, tmp)
                print(Path(found["ingest_cprofile_file"]).read_text())


if __name__ == "__main__":
    main(sys.argv[1:])
