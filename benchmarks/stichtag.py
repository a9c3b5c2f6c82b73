"""Benchmark: a deadline day (Stichtag) on a multi-host cluster built on this machine, with a failover.

Run as root from the repository root: `.venv/bin/python benchmarks/stichtag.py [--duration 150]`.
Linux network namespaces made by this script stand in for hosts; they hang on one bridge that lives in a
namespace of its own, so no address of the cluster is reachable from the machine's own network stack and
nothing leaves the machine:

    10.77.0.5   lb     haproxy (Debian's), round robin over the web hosts, /readyz checked every 2 s
    10.77.0.10  db     PostgreSQL (initdb into the temp folder, run as the postgres user)
    10.77.0.11  queue  redis-server (the RQ broker: TASKS_BACKEND=amtsweg.delivery.broker.RQBackend)
    10.77.0.21  web1   gunicorn amtsweg.wsgi (settings: amtsweg/gunicorn_conf.py)
    10.77.0.22  web2   gunicorn amtsweg.wsgi
    10.77.0.31  work1  amtsweg delivery_rq_worker + amtsweg scheduler (jobs once per cluster)
    10.77.0.32  work2  amtsweg delivery_rq_worker + amtsweg scheduler
    10.77.0.40  fv     the receiving system: the reference client amtsweg-subscriber (callbacks + polling)
    10.77.0.50  load   locust (benchmarks/stichtag_locustfile.py): citizens through the Hundesteuer form,
                       API senders through the Submission API

The hosts run in production mode (DEBUG=0, not embedded: secrets from the environment, the same on every
host, each host with a var folder of its own). The demo data (`amtsweg demo --no-serve`) are loaded first;
the Saarbrücken destination gets a callback to the receiving system. At 40 % of the load the processes of
web2 and work2 are SIGKILLed, at 65 % started again. After the load the script waits (at most --drain s)
until the receiving system has accepted every application a user was told was received. Everything (name
spaces, processes, temp folder) is removed at the end, also after an error or Ctrl+C.

Prints `stichtag_applications_per_s`, `stichtag_page_p95_ms`, `stichtag_errors` (and how many of them were
requests in flight on the killed web host), `stichtag_lost`, `stichtag_duplicates`, `failover_recovery_s`,
each with the machine's load average at that moment (`uptime`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NET = "10.77.0"
HOSTS = {"lb": 5, "db": 10, "queue": 11, "web1": 21, "web2": 22, "work1": 31, "work2": 32, "fv": 40, "load": 50}
LB_PORT, WEB_PORT, PG_PORT, REDIS_PORT, FV_PORT = 8080, 8000, 5432, 6379, 8500
DESTINATION = str(uuid.uuid5(uuid.UUID("6f0c8a52-5d1e-4c55-9a61-0c1f5b0d7a10"), "sb-hundesteuer"))  # routing demo:
# Saarbrücken's Hundesteuer (its own destination; without the back office's demo it stays with a Fachverfahren)
ACCEPTED = "accepted"


def ip(host: str) -> str:
    return f"{NET}.{HOSTS[host]}"


# --- the figures (pure; tested in tests/test_benchmark_stichtag.py) ----------------------------------------

def tally(acknowledged: list[str], accepted: list[str]) -> tuple[int, int]:
    """(lost, duplicates): applications a user was told were received but that the receiving system never
    accepted, and applications it accepted more than once. `accepted` holds one submission id per accept
    the receiving system reported (a duplicate shows as the same id twice)."""
    counts = Counter(accepted)
    lost = sum(1 for submission in set(acknowledged) if counts[submission] == 0)
    duplicates = sum(1 for n in counts.values() if n > 1)
    return lost, duplicates


def rate(times: list[float], start: float, end: float) -> float:
    """Events per second in [start, end)."""
    return sum(1 for t in times if start <= t < end) / (end - start) if end > start else 0.0


def recovery_seconds(times: list[float], kill_at: float, baseline: float, *, until: float, window: float = 3.0,
                     step: float = 0.5, share: float = 0.9) -> float | None:
    """Seconds from the kill until throughput is back: the start of the first window (of `window` s, slid by
    `step`) at or after the kill whose rate of completed applications reaches `share` of the baseline rate
    measured before the kill. None if it never came back before `until`.

    A window starting at the kill itself that already reaches the baseline gives 0: nothing was noticeable.
    """
    start = kill_at
    while start + window <= until:
        if rate(times, start, start + window) >= share * baseline:
            return round(start - kill_at, 1)
        start += step
    return None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank: a value that was actually measured."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def split_errors(errors: list[tuple[float, str, str | None]], kill_at: float | None, killed: str,
                 grace: float) -> tuple[int, int]:
    """(in flight on the killed host, other). `errors` holds (time, error, web host that answered, from
    the balancer's X-Served-By header, or None). An error counts as one of the killed web host's requests
    in flight when it came within `grace` s after the kill and was answered by that host (a body cut
    short) or by no host at all: the balancer's 502/503/504 or a cut connection (HTTP 0). Everything else
    is an error of the platform."""
    dead = ("HTTP 0", "HTTP 502", "HTTP 503", "HTTP 504")
    in_flight = 0
    for t, error, server in errors:
        if kill_at is not None and kill_at <= t <= kill_at + grace and (
                server == killed or (not server and any(marker in error for marker in dead))):
            in_flight += 1
    return in_flight, len(errors) - in_flight


# --- the cluster --------------------------------------------------------------------------------------------

def run(*args: str, check: bool = True, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, timeout=timeout, capture_output=True, text=True, **kwargs)


def kill_namespace(name: str) -> None:
    for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: str) -> float | None:
    """CPU time (user + system, own and of waited-for children) of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return sum(int(v) for v in fields[11:15]) / TICKS


class CpuMeter:
    """CPU seconds each host's processes used between `start()` and the last `sample()`: what a run costs
    independently of what else runs on the machine (which only stretches the wall-clock figures)."""

    def __init__(self, cluster: Cluster, hosts: list[str]):
        self.cluster, self.hosts = cluster, hosts
        self.first: dict[tuple[str, str], float] = {}
        self.last: dict[tuple[str, str], float] = {}

    def sample(self, baseline: bool = False) -> None:
        for host in self.hosts:
            for pid in run("ip", "netns", "pids", self.cluster.ns(host), check=False).stdout.split():
                used = cpu_seconds(pid)
                if used is None:
                    continue
                # a process started after the baseline counts from zero
                self.first.setdefault((host, pid), used if baseline else 0.0)
                self.last[(host, pid)] = used

    def per_host(self) -> dict[str, float]:
        totals = dict.fromkeys(self.hosts, 0.0)
        for key, used in self.last.items():
            totals[key[0]] += used - self.first[key]
        return totals


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def figure(name: str, value) -> None:
    print(f"{name}: {value}  ({load_average()})", flush=True)


@dataclass
class Cluster:
    tmp: Path
    web_workers: int = 2
    tag: str = field(default_factory=lambda: f"stk{os.getpid() % 100000}")
    processes: dict[str, list[subprocess.Popen]] = field(default_factory=dict)
    commands: dict[str, list[tuple[list[str], dict]]] = field(default_factory=dict)
    made: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    # namespaces ------------------------------------------------------------------------------------------
    def ns(self, host: str) -> str:
        return f"{self.tag}-{host}"

    def network(self) -> None:
        switch = self.ns("switch")
        run("ip", "netns", "add", switch)
        self.made.append(switch)
        run("ip", "-n", switch, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", switch, "link", "set", "br0", "up")
        for index, host in enumerate(HOSTS):
            name = self.ns(host)
            run("ip", "netns", "add", name)
            self.made.append(name)
            inside, port = f"eth-{host}", f"{self.tag[-5:]}p{index}"
            run("ip", "link", "add", inside, "netns", name, "type", "veth", "peer", "name", port, "netns", switch)
            run("ip", "-n", switch, "link", "set", port, "master", "br0", "up")
            run("ip", "-n", name, "addr", "add", f"{ip(host)}/24", "dev", inside)
            run("ip", "-n", name, "link", "set", inside, "up")
            run("ip", "-n", name, "link", "set", "lo", "up")

    def start(self, host: str, name: str, argv: list[str], env: dict | None = None, user: str | None = None,
              stdout=None) -> subprocess.Popen:
        """Start a process on `host` (inside its namespace), logging to the temp folder."""
        prefix = ["ip", "netns", "exec", self.ns(host)] + (["runuser", "-u", user, "--"] if user else [])
        log = open(self.tmp / "logs" / f"{host}-{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([*prefix, *argv], env=env or self.env, stdout=stdout or log, stderr=log,
                                   cwd=ROOT, start_new_session=True)
        self.processes.setdefault(host, []).append(process)
        self.commands.setdefault(host, []).append((argv, {"env": env, "user": user, "name": name}))
        return process

    def kill_host(self, host: str) -> None:
        """SIGKILL every process in the host's namespace, as a host that loses power."""
        kill_namespace(self.ns(host))
        for process in self.processes.get(host, []):
            process.wait(timeout=10)

    def restart_host(self, host: str) -> None:
        commands = self.commands.pop(host, [])
        self.processes.pop(host, None)
        for argv, options in commands:
            self.start(host, options["name"], argv, env=options["env"], user=options["user"])

    def http_status(self, url: str, host: str = "load") -> int:
        out = run("ip", "netns", "exec", self.ns(host), "curl", "-s", "-o", "/dev/null", "-m", "5", "-w",
                  "%{http_code}", url, check=False)
        return int(out.stdout or 0)

    def wait_http(self, url: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.http_status(url) not in (200, 302):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s; logs in {self.tmp / 'logs'}")
            time.sleep(0.5)

    def close(self) -> None:
        """Stop everything this script started and remove the namespaces (the bridge goes with its own)."""
        # clients first, the database last: nothing logs errors about a database that went away first
        for host in sorted(self.processes, key=lambda h: list(HOSTS).index(h) if h in HOSTS else 0, reverse=True):
            self.kill_host(host)
        for name in reversed(self.made):
            kill_namespace(name)
            run("ip", "netns", "del", name, check=False)

    # services --------------------------------------------------------------------------------------------
    def start_database(self) -> str:
        """PostgreSQL of its own on the db host; also on a Unix socket in the temp folder for this script."""
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        data, socket_dir = self.tmp / "pg" / "data", self.tmp / "pg" / "run"
        socket_dir.mkdir(parents=True)
        shutil.chown(self.tmp / "pg", "postgres")
        shutil.chown(socket_dir, "postgres")
        run("runuser", "-u", "postgres", "--", str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
            "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8", timeout=120)
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all postgres {NET}.0/24 trust\n")
        self.start("db", "postgres", [str(bindir / "postgres"), "-D", str(data), "-c", f"listen_addresses={ip('db')}",
                                      "-c", f"unix_socket_directories={socket_dir}", "-c", "max_connections=200",
                                      "-c", "shared_buffers=256MB"], env={"PATH": os.environ["PATH"]},
                   user="postgres")
        deadline = time.monotonic() + 60
        while run(str(bindir / "pg_isready"), "-h", str(socket_dir), "-q", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.3)
        run("runuser", "-u", "postgres", "--", str(bindir / "createdb"), "-h", str(socket_dir), "amtsweg")
        return f"postgres://postgres@{quote(str(socket_dir), safe='')}/amtsweg"

    def start_queue(self) -> None:
        self.start("queue", "redis", ["redis-server", "--bind", ip("queue"), "--port", str(REDIS_PORT),
                                      "--save", "", "--appendonly", "no", "--protected-mode", "no"],
                   env={"PATH": os.environ["PATH"]})

    def prepare(self, local_database_url: str) -> dict:
        """Demo data and the production environment every host shares (secrets generated here)."""
        var = self.tmp / "setup-var"
        secrets = {"SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
                   "AMTSWEG_DRAFT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                   "AMTSWEG_CASEWORK_KEK": base64.urlsafe_b64encode(os.urandom(32)).decode()}
        public = f"http://{ip('lb')}:{LB_PORT}"
        base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "src"),
                "DJANGO_SETTINGS_MODULE": "amtsweg.settings", "LANG": "C.UTF-8", "LOG_LEVEL": "WARNING",
                "PUBLIC_BASE_URL": public, "AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS": "1", **secrets}
        setup_env = {**base, "DATABASE_URL": local_database_url, "AMTSWEG_VAR_DIR": str(var),
                     "AMTSWEG_EMBEDDED": "1"}
        run(PYTHON, "-c", LOAD_DEMO, env=setup_env, timeout=300, cwd=ROOT)
        callback = f"http://{ip('fv')}:{FV_PORT}/callbacks/amtsweg"
        out = run(PYTHON, "-c", CONFIGURE_DESTINATION, DESTINATION, callback, env=setup_env, cwd=ROOT)
        callback_secret = json.loads(out.stdout.strip().splitlines()[-1])["callback_secret"]
        self.env = {**base, "AMTSWEG_EMBEDDED": "0", "DEBUG": "0",
                    "DATABASE_URL": f"postgres://postgres@{ip('db')}:{PG_PORT}/amtsweg",
                    "DB_CONN_MAX_AGE": "60",
                    "REDIS_URL": f"redis://{ip('queue')}:{REDIS_PORT}/0",
                    "TASKS_BACKEND": "amtsweg.delivery.broker.RQBackend",
                    "PLATFORM_SIGNING_KEY_FILE": str(var / "platform_signing_key.pem"),
                    "PLATFORM_SIGNING_CHAIN_FILE": str(var / "platform_signing_chain.pem"),
                    "AMTSWEG_PKI_TRUST_ANCHORS_FILE": str(var / "pki" / "root.crt.pem"),
                    "ALLOWED_HOSTS": ",".join(ip(h) for h in ("lb", "web1", "web2")),
                    "CSRF_TRUSTED_ORIGINS": public,
                    "AMTSWEG_TRUSTED_PROXIES": "1",
                    # the killed worker's claimed messages come back after this (default 120 s)
                    "AMTSWEG_DELIVERY_LEASE_SECONDS": "20",
                    "AMTSWEG_DELIVERY_SWEEP_INTERVAL_SECONDS": "2"}
        keys = var / "demo-keys"
        return {"callback_secret": callback_secret, "sender": str(keys / "sender-api-client.json"),
                "fv_client": json.loads((keys / DESTINATION / "api-client.json").read_text()),
                "fv_keys": keys / DESTINATION}

    def host_env(self, host: str) -> dict:
        var = self.tmp / "hosts" / host
        var.mkdir(parents=True, exist_ok=True)
        return {**self.env, "AMTSWEG_VAR_DIR": str(var)}

    def start_web(self, host: str) -> None:
        self.start(host, "gunicorn", [PYTHON, "-m", "gunicorn", "amtsweg.wsgi:application",
                                      "--config", "python:amtsweg.gunicorn_conf",
                                      "--bind", f"{ip(host)}:{WEB_PORT}", "--workers", str(self.web_workers)],
                   env=self.host_env(host))

    def start_worker_host(self, host: str) -> None:
        env = self.host_env(host)
        self.start(host, "rq-worker", [PYTHON, "-m", "amtsweg.cli", "delivery_rq_worker", "--name",
                                       f"{host}-{uuid.uuid4().hex[:6]}"], env=env)
        # on both worker hosts; each job (the delivery sweep among them) still runs once per cluster
        self.start(host, "scheduler", [PYTHON, "-m", "amtsweg.cli", "scheduler"], env=env)

    def start_balancer(self) -> None:
        config = self.tmp / "haproxy.cfg"
        config.write_text(haproxy_config(f"{ip('lb')}:{LB_PORT}", ip("lb"),
                                         {h: f"{ip(h)}:{WEB_PORT}" for h in ("web1", "web2")},
                                         maxconn=self.web_workers * GUNICORN_THREADS))
        self.start("lb", "haproxy", ["haproxy", "-db", "-f", str(config)], env={"PATH": os.environ["PATH"]})

    def start_receiver(self, info: dict) -> Path:
        out_dir, lines = self.tmp / "fv" / "antraege", self.tmp / "fv" / "outcomes.jsonl"
        out_dir.mkdir(parents=True)
        env = {**{k: v for k, v in self.env.items() if k in ("PATH", "PYTHONPATH", "LANG")},
               "AMTSWEG_CLIENT_SECRET": info["fv_client"]["clientSecret"],
               "AMTSWEG_CALLBACK_SECRET": info["callback_secret"]}
        self.start("fv", "subscriber", [
            PYTHON, "-m", "amtsweg_subscriber", "--base-url", f"http://{ip('lb')}:{LB_PORT}",
            "--client-id", info["fv_client"]["clientId"],
            "--private-key", str(info["fv_keys"] / "encryption-private.jwk.json"),
            "--signing-key", str(info["fv_keys"] / "signature-private.jwk.json"),
            "--out", str(out_dir), "--listen", f"{ip('fv')}:{FV_PORT}", "--spool", "--spool-workers", "8",
            "--interval", "5",
        ], env=env, stdout=open(lines, "ab"))  # noqa: SIM115 - closed with the process
        return lines


# `amtsweg demo --no-serve` without the demos the run does not use (shop, back office, Postfach): their key
# generation took half a minute of the set-up on a busy machine.
LOAD_DEMO = """
import importlib, sys
import django
django.setup()
from django.core.management import call_command
from django.db import transaction
call_command("migrate", interactive=False, verbosity=0)
call_command("import_reference", verbosity=0)
for app in ("core", "accounts", "routing", "assistants", "submissions", "delivery"):
    try:
        module = importlib.import_module(f"amtsweg.{app}.demo")
    except ModuleNotFoundError:
        continue
    with transaction.atomic():
        module.load_demo(sys.stdout)
"""

CONFIGURE_DESTINATION = """
import json, sys
import django
django.setup()
from amtsweg.core.actors import SYSTEM
from amtsweg.routing import services
from amtsweg.routing.models import Destination
destination = Destination.objects.get(pk=sys.argv[1])
channels = sorted(set(destination.channels) | {"callback"})
services.update_destination(destination, actor=SYSTEM, channels=channels, callback_url=sys.argv[2])
destination.refresh_from_db()
print(json.dumps({"callback_secret": destination.callback_secret}))
"""

GUNICORN_THREADS = 4  # `threads` in amtsweg/gunicorn_conf.py: requests one gunicorn worker works on at once

# The balancer as docs/betrieb.md ("Health-Check des Proxys") recommends it for overload (issue 18: at load
# 28-34 with web2 killed, web1's /readyz waited over 5 s behind queued requests, the 5-s check timeout took
# the last host out, 416 requests got 503):
# - `maxconn` per server = what the host works on at once (gunicorn workers x threads). The rest waits in
#   haproxy's queue (`timeout queue`, as long as `timeout server`), not in gunicorn's: a queued request goes to
#   whichever host frees a slot first and is not lost with a host that dies; and the health check, which
#   haproxy sends outside that queue, waits inside gunicorn behind at most the requests already running.
# - /readyz every 2 s, `timeout check` 10 s, down after 3 failures, up after 2: a dead host refuses the
#   connection at once (down within about 4 s; until then `option redispatch` sends its requests to the other
#   host), a host that is slow under load but alive stays in. /readyz itself answers within about 1 s per part
#   and a part that is only slow does not make it 503 (core.health).
# - Fail-open: each host once more as a `backup` server without a check. Backups take traffic only when every
#   checked server is down, so the checks can no longer turn overload into a total outage (what AWS's load
#   balancers do when all targets fail their checks, or Envoy's panic threshold). X-Served-By names the host.
#   A dead host among the backups costs its requests about 1 s: refused, then sent to another host.
# - `option redispatch 1`: a refused connection is retried on another host at once, not first on the same one.
# - Passive check (`observe layer4 error-limit 1 on-error mark-down` on the checked servers): the first refused
#   connection takes a dead host out at once, instead of after the active check's failures. Without it, the run
#   of 01:14 (load 13) had 158 requests answered 503 in the 2.7 s after the kill (new requests sent to the dead
#   host whose retries also landed on it), against 10 with the earlier 1-s checks.
HAPROXY = """global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 60s
    retries 3
    option redispatch 1
    option forwardfor
    option http-keep-alive
frontend www
    bind {bind}
    default_backend web
backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host {host}
    http-check expect status 200
    timeout check 10s
    default-server inter 2s fastinter 1s downinter 2s fall 3 rise 2 maxconn {maxconn}
    option allbackups
    http-response set-header X-Served-By %[srv_name,field(1,-)]
{servers}
"""


def haproxy_config(bind: str, host: str, servers: dict[str, str], maxconn: int) -> str:
    """haproxy.cfg for the web hosts `servers` (name -> address): each checked, and each again as a fail-open
    backup without a check (named NAME-failopen; X-Served-By gives NAME either way)."""
    lines = [f"    server {name} {address} check observe layer4 error-limit 1 on-error mark-down"
             for name, address in servers.items()]
    lines += [f"    server {name}-failopen {address} backup" for name, address in servers.items()]
    return HAPROXY.format(bind=bind, host=host, maxconn=maxconn, servers="\n".join(lines))


# --- the run ----------------------------------------------------------------------------------------------

def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by SIGKILL
            continue
    return lines


def submission_ids(database_url: str) -> dict[str, str]:
    """public reference -> submission id (the citizen sees the reference, the receiving system the id)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return {ref: str(pk) for ref, pk in conn.execute(
            "SELECT public_reference, id FROM submissions_submission WHERE status <> 'incomplete'")}


def accept_events(database_url: str) -> Counter:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return Counter({str(sid): n for sid, n in conn.execute(
            "SELECT submission_id, COUNT(*) FROM submissions_event WHERE event_type = "
            "'https://schema.fitko.de/fit-connect/events/accept-submission' GROUP BY submission_id")})


def drive(cluster: Cluster, info: dict, args) -> dict:
    events_path = cluster.tmp / "events.jsonl"
    users = args.citizens + args.senders
    env = {**{k: v for k, v in cluster.env.items() if k in ("PATH", "PYTHONPATH", "LANG")},
           "STICHTAG_EVENTS": str(events_path), "STICHTAG_SENDER": info["sender"],
           "STICHTAG_DESTINATION": DESTINATION, "STICHTAG_CITIZEN_WEIGHT": str(args.citizens),
           "STICHTAG_SENDER_WEIGHT": str(args.senders), "STICHTAG_THINK_S": str(args.think)}
    started = time.time()
    locust = cluster.start("load", "locust", [
        PYTHON, "-m", "locust", "-f", str(ROOT / "benchmarks" / "stichtag_locustfile.py"), "--headless",
        "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{args.duration}s", "--stop-timeout", "10",
        "--host", f"http://{ip('lb')}:{LB_PORT}", "--only-summary", "--loglevel", "WARNING",
    ], env=env)
    timeline = {"started": started, "cpu": (meter := CpuMeter(cluster, [h for h in HOSTS if h != "load"]))}
    meter.sample(baseline=True)
    kill_at, restart_at = started + 0.4 * args.duration, started + 0.65 * args.duration

    def wait_until(moment: float) -> None:
        while time.time() < moment:
            meter.sample()
            time.sleep(max(0.0, min(1.0, moment - time.time())))

    if args.profile:
        pids = run("ip", "netns", "pids", cluster.ns("web1")).stdout.split()
        cluster.start("load", "py-spy", [args.profile, "record", "--format", "raw", "--nonblocking",
                                         "-d", str(int(0.35 * args.duration)), "-r", "50", "-o",
                                         str(cluster.tmp / "logs" / "web1-profile.txt"),
                                         "--pid", min(pids, key=int), "--subprocesses"],
                      env={"PATH": os.environ["PATH"]})
    wait_until(kill_at)
    timeline["kill"] = time.time()
    cluster.kill_host("web2")
    cluster.kill_host("work2")
    print(f"# {time.time() - started:.0f} s: web2 and work2 killed (SIGKILL)  ({load_average()})", flush=True)
    wait_until(restart_at)
    timeline["restart"] = time.time()
    cluster.restart_host("web2")
    cluster.restart_host("work2")
    print(f"# {time.time() - started:.0f} s: web2 and work2 started again  ({load_average()})", flush=True)
    while locust.poll() is None:
        if time.time() > started + args.duration + 60:
            raise RuntimeError("locust did not stop")
        wait_until(time.time() + 1)
    timeline["ended"] = time.time()
    print(f"# {time.time() - started:.0f} s: load ended  ({load_average()})", flush=True)
    timeline["events"] = events_path
    return timeline


def report(cluster: Cluster, database_url: str, outcomes_path: Path, timeline: dict, args) -> None:
    events = read_jsonl(timeline["events"])
    applications = [e for e in events if e["kind"] == "application"]
    references = {}
    deadline = time.time() + args.drain
    while True:  # wait until the receiving system has accepted every acknowledged application
        references = submission_ids(database_url)
        acknowledged = [references.get(e.get("reference"), e.get("reference")) if e["via"] == "form"
                        else e["submission"] for e in applications]
        # accepted = the receiving system's signed accept event, stored by the platform (at most once per
        # submission by its own rule, so a duplicate there would be a platform defect) ...
        lost, platform_duplicates = tally(acknowledged, list(accept_events(database_url).elements()))
        if lost == 0 or time.time() > deadline:
            break
        time.sleep(1)
    drained = time.time() - timeline["ended"]
    # ... and written once by the receiving system (an application it unpacked and accepted twice)
    written = [o["submissionId"] for o in read_jsonl(outcomes_path) if o.get("status") == ACCEPTED]
    _unused, duplicates = tally(acknowledged, written)

    started, kill, ended = timeline["started"], timeline["kill"], timeline["ended"]
    times = sorted(e["t"] for e in applications)
    warm = started + 0.15 * args.duration  # after the users have ramped up
    overall = rate(times, warm, ended)
    baseline = rate(times, warm, kill)
    recovery = recovery_seconds(times, kill, baseline, until=ended)
    pages = [e["ms"] for e in events if e["kind"] == "request" and e["page"] and e["t"] >= warm]
    errors = [(e["t"], e["error"], e.get("server")) for e in events if e["kind"] == "request" and e["error"]]
    in_flight, other = split_errors(errors, kill, "web2", grace=5.0)
    print(f"# applications acknowledged: {len(applications)} ({sum(e['via'] == 'form' for e in applications)} "
          f"through the form, {sum(e['via'] == 'api' for e in applications)} through the API); receiving "
          f"system drained {drained:.0f} s after the load")
    print(f"# throughput before the kill {baseline:.1f}/s, in the 5 s after it "
          f"{rate(times, kill, kill + 5):.1f}/s; abandoned flows: "
          f"{sum(1 for e in events if e['kind'] == 'abandoned')}")
    around = [sum(1 for t in times if kill + i <= t < kill + i + 1) for i in range(-5, 16)]
    print(f"# applications per second from 5 s before to 15 s after the kill: {around}")
    for error, n in Counter(e for _t, e, _s in errors).most_common(5):
        at = sorted(round(t - kill, 1) for t, e, _s in errors if e == error)
        print(f"#   error x{n}: {error} (s after the kill: {at[:8]}{' …' if len(at) > 8 else ''})")
    cpu = timeline["cpu"].per_host()
    per_app = {host: 1000 * used / max(1, len(applications)) for host, used in cpu.items()}
    print("# CPU ms per acknowledged application: " + ", ".join(f"{h} {v:.0f}" for h, v in per_app.items()))
    platform_ms = sum(v for h, v in per_app.items() if h in ("web1", "web2", "work1", "work2", "db", "queue"))
    figure("stichtag_platform_cpu_ms_per_application", round(platform_ms))
    # what the platform's own processes would sustain on 2 otherwise idle cores at that cost
    figure("stichtag_capacity_2_cores_per_s", round(2000 / platform_ms, 1) if platform_ms else "n/a")
    figure("stichtag_applications_per_s", round(overall, 1))
    figure("stichtag_form_applications_per_s",
           round(rate(sorted(e["t"] for e in applications if e["via"] == "form"), warm, ended), 1))
    figure("stichtag_page_p95_ms", round(percentile(pages, 95)))
    figure("stichtag_errors", len(errors))
    figure("stichtag_errors_in_flight_on_killed_host", in_flight)
    figure("stichtag_errors_other", other)
    figure("stichtag_lost", lost)
    figure("stichtag_duplicates", duplicates + platform_duplicates)
    figure("failover_recovery_s", "never" if recovery is None else recovery)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=150, help="seconds of load (default 150)")
    parser.add_argument("--citizens", type=int, default=30, help="citizens walking the form at once")
    parser.add_argument("--senders", type=int, default=3, help="API senders at once")
    parser.add_argument("--think", type=float, default=0.3, help="a citizen's pause between pages (s)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web host")
    parser.add_argument("--drain", type=int, default=60, help="at most this long to wait for delivery (s)")
    parser.add_argument("--profile", metavar="PY_SPY", help="py-spy binary: sample web1's workers (raw stacks)")
    parser.add_argument("--keep", type=Path, help="copy the hosts' logs and the event log to this folder")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("stichtag: needs root (network namespaces)", file=sys.stderr)
        return 2
    missing = [tool for tool in ("ip", "redis-server", "haproxy", "curl", "runuser") if shutil.which(tool) is None]
    if missing or not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        print(f"stichtag: missing {', '.join(missing) or 'PostgreSQL server'} "
              "(apt-get install iproute2 redis-server haproxy curl postgresql)", file=sys.stderr)
        return 2

    if importlib.util.find_spec("locust") is None:
        print("stichtag: locust is missing (a development dependency: bin/setup, or pip install --require-hashes "
              "-r requirements-dev.lock)", file=sys.stderr)
        return 2

    def stop(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(args.duration + args.drain + 420)  # a hard bound on the whole run, cleanup included below
    tmp = Path(tempfile.mkdtemp(prefix="amtsweg-stichtag-"))
    tmp.chmod(0o711)  # the postgres user must reach its data folder inside
    (tmp / "logs").mkdir()
    cluster = Cluster(tmp, web_workers=args.web_workers)
    try:
        t0 = time.monotonic()
        cluster.network()
        local_url = cluster.start_database()
        cluster.start_queue()
        info = cluster.prepare(local_url)
        for host in ("web1", "web2"):
            cluster.start_web(host)
        for host in ("work1", "work2"):
            cluster.start_worker_host(host)
        cluster.start_balancer()
        outcomes = cluster.start_receiver(info)
        cluster.wait_http(f"http://{ip('web1')}:{WEB_PORT}/antrag/")
        cluster.wait_http(f"http://{ip('web2')}:{WEB_PORT}/antrag/")
        cluster.wait_http(f"http://{ip('lb')}:{LB_PORT}/antrag/")
        print(f"# cluster ready after {time.monotonic() - t0:.0f} s: {len(HOSTS)} hosts in namespaces "
              f"{cluster.tag}-*  ({load_average()})", flush=True)
        timeline = drive(cluster, info, args)
        report(cluster, local_url, outcomes, timeline, args)
        return 0
    except BaseException:
        print(f"stichtag: failed; logs were in {tmp / 'logs'}:", file=sys.stderr)
        for log in sorted((tmp / "logs").glob("*.log")):
            tail = log.read_text(errors="replace")[-1500:]
            if tail.strip():
                print(f"--- {log.name}\n{tail}", file=sys.stderr)
        raise
    finally:
        signal.alarm(0)
        cluster.close()
        if args.keep:
            shutil.copytree(tmp / "logs", args.keep / "logs", dirs_exist_ok=True)
            for name in ("events.jsonl", "fv/outcomes.jsonl"):
                if (tmp / name).exists():
                    shutil.copy(tmp / name, args.keep)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
