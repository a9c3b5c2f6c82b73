"""Routing benchmark: in-process resolution and the HTTP routing API under 8 concurrent clients.

Self-contained: a temporary SQLite database and var directory; the real reference data (`import_reference`:
all Gemeinden, postcodes, OZG catalogue). Data set:

* one destination per Land office (16), per Kreis office (all Kreise) and per Gemeinde office (1,000 Gemeinden),
  each with its own RSA-4096 public key entry (one key pair's public half under a different kid — generating
  1,400 key pairs would only measure key generation);
* responsibilities for every LeiKa key of the 557 OZG-Leistungen: every tenth key at Kreis level (one entry per
  Kreis), all other keys at Land level (one per Land); plus overrides at Gemeinde level for 1,000 Gemeinden
  (five keys each, taken from both groups).

Figures: `routing_lookups_per_s` (resolve() in one process, mixed ARS/AGS/postcode queries),
`routing_api_p95_ms` and `routing_api_rps` (gunicorn, 2 workers per core with 2 threads each, on a free
loopback port; 8 client threads with keep-alive connections; fixed duration after a warm-up).

    .venv/bin/python benchmarks/routing.py [--seconds 15] [--lookups 200000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLIENTS = 8


def setup_environment(tmp: Path) -> dict:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "AMTSWEG_VAR_DIR": str(tmp / "var"),
        "DJANGO_SETTINGS_MODULE": "amtsweg.settings",
        "ROUTING_API_RATE_LIMIT": str(10**9),
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "AXES_ENABLED": "0",
    }
    os.environ.update(env)
    return env


def build_data(rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.utils import timezone
    from joserfc.jwk import RSAKey

    from amtsweg.accounts.models import Authority
    from amtsweg.catalogue.models import PublicService
    from amtsweg.geo.models import District, Land, Municipality, PostcodeArea
    from amtsweg.routing.keys import validate_public_jwk
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility
    from amtsweg.routing.resolution import invalidate

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("import_reference", verbosity=0)
    print(f"# reference data imported in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    keys = sorted(set(
        PublicService.objects.current().exclude(key="").filter(ozg_services__isnull=False).values_list("key", flat=True)
    ))
    lands = list(Land.objects.current())
    districts = list(District.objects.current())
    municipalities = list(Municipality.objects.current().filter(district__isnull=False).order_by("ars"))
    override_municipalities = rng.sample(municipalities, 1000)

    base = RSAKey.generate_key(4096, private=True).as_dict(private=False)
    validate_public_jwk(base | {"kid": "benchmark-check", "alg": "RSA-OAEP-256", "key_ops": ["wrapKey"]}, "encryption")

    authorities = (
        [Authority(kind="land", area_ars=land.code, land_code=land.code, land=land, name=f"Landesamt {land.name}",
                   email="land@example.org") for land in lands]
        + [Authority(kind="district", area_ars=d.code, land_code=d.code[:2], district=d,
                     name=f"Kreisverwaltung {d.name}", email="kreis@example.org") for d in districts]
        + [Authority(kind="municipality", area_ars=m.ars, land_code=m.ars[:2], municipality=m,
                     name=f"Bürgeramt {m.name}", email="gemeinde@example.org", street="Rathausplatz 1")
           for m in override_municipalities]
    )
    Authority.objects.bulk_create(authorities, batch_size=2000)
    authorities = list(Authority.objects.all())
    by_area = {a.area_ars: a for a in authorities}
    destinations = [Destination(authority=a, name=f"Zustellpunkt {a.name}", channels=["pull"],
                                metadata_versions=["1.0.0"]) for a in authorities]
    Destination.objects.bulk_create(destinations, batch_size=2000)
    dest_by_authority = {d.authority_id: d for d in Destination.objects.all()}
    now = timezone.now()
    DestinationKey.objects.bulk_create([
        DestinationKey(destination=d, kid=f"bench-{i:05d}", purpose="encryption", activated_at=now,
                       jwk=base | {"kid": f"bench-{i:05d}", "alg": "RSA-OAEP-256", "key_ops": ["wrapKey"]})
        for i, d in enumerate(dest_by_authority.values())
    ], batch_size=2000)

    rows = []
    kreis_keys = keys[::10]
    land_keys = [k for k in keys if k not in set(kreis_keys)]
    for key in kreis_keys:
        for d in districts:
            a = by_area[d.code]
            rows.append(Responsibility(leika_key=key, area_ars=d.code, authority=a,
                                       destination=dest_by_authority[a.pk]))
    for key in land_keys:
        for land in lands:
            a = by_area[land.code]
            rows.append(Responsibility(leika_key=key, area_ars=land.code, authority=a,
                                       destination=dest_by_authority[a.pk]))
    for m in override_municipalities:
        a = by_area[m.ars]
        for key in rng.sample(kreis_keys, 2) + rng.sample(land_keys, 3):
            rows.append(Responsibility(leika_key=key, area_ars=m.ars, authority=a, destination=dest_by_authority[a.pk]))
    Responsibility.objects.bulk_create(rows, batch_size=5000)
    invalidate()
    print(f"# {len(keys)} LeiKa keys, {len(authorities)} destinations, {len(rows)} responsibilities "
          f"built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    # Signatures are made when destinations change (in production: at every write through the services);
    # here in one go, so the HTTP run measures routing, not first-time RSA signing.
    t0 = time.perf_counter()
    from amtsweg.routing.services import refresh_signature

    for d in Destination.objects.select_related("authority"):
        refresh_signature(d)
    print(f"# destinations signed in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    postcodes = list(PostcodeArea.objects.filter(municipality__isnull=False).values_list("postcode", flat=True)
                     .distinct())
    return {
        "keys": keys,
        "ars": [m.ars for m in municipalities],
        "ags": [m.ags for m in municipalities if m.ags],
        "postcodes": postcodes,
        "override_ars": [m.ars for m in override_municipalities],
    }


def make_queries(data: dict, rng: random.Random, n: int) -> list[tuple[str, dict]]:
    queries = []
    for _ in range(n):
        key = rng.choice(data["keys"])
        roll = rng.random()
        if roll < 0.55:
            queries.append((key, {"ars": rng.choice(data["ars"])}))
        elif roll < 0.7:
            queries.append((key, {"ars": rng.choice(data["override_ars"])}))
        elif roll < 0.85:
            queries.append((key, {"ags": rng.choice(data["ags"])}))
        else:
            queries.append((key, {"postcode": rng.choice(data["postcodes"])}))
    return queries


def bench_in_process(queries: list[tuple[str, dict]]) -> float:
    from amtsweg.routing.resolution import get_index, resolve

    t0 = time.perf_counter()
    get_index()
    print(f"# index built in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    for key, kwargs in queries[:2000]:  # warm-up
        resolve(key, **kwargs)
    t0 = time.perf_counter()
    for key, kwargs in queries:
        resolve(key, **kwargs)
    elapsed = time.perf_counter() - t0
    found = sum(1 for key, kwargs in queries[:5000] if resolve(key, **kwargs).found)
    print(f"# in-process: {len(queries)} lookups in {elapsed:.2f} s; {found / 50:.0f} % of a sample found",
          file=sys.stderr)
    return len(queries) / elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GUNICORN_CONFIG = """
def when_ready(server):
    # Build the lookup structures and route documents once in the master; the forked workers share them.
    from django.db import connections
    from amtsweg.routing.api.routes import warm_routes
    from amtsweg.routing.resolution import get_index

    warm_routes(get_index())
    connections.close_all()
"""


def start_server(env: dict, tmp: Path, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = tmp / "gunicorn_conf.py"
    config.write_text(GUNICORN_CONFIG)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "amtsweg.wsgi:application", "--config", str(config),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "gthread", "--threads", str(threads),
         "--keep-alive", "30", "--log-level", "warning", "--preload"],
        cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/routing-api/v2/info")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start: " + (process.stderr.read() or b"").decode()[-2000:])


def url_for(key: str, kwargs: dict) -> str:
    (name, value), = kwargs.items()
    return f"/routing-api/v2/routes?leikaKey={key}&{name}={value}"


class LeanClient:
    """A minimal HTTP/1.1 keep-alive client over a raw socket, so that the measurement is the server's time
    and not http.client's parsing (all clients share one Python process and its GIL)."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self, raw_request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self._connect()
        self.sock.sendall(raw_request)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            rest += chunk
        body, self.buffer = rest[:length], rest[length:]
        return status, body

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def bench_http(port: int, queries: list[tuple[str, dict]], seconds: float, warmup: float) -> tuple[float, float, int]:
    requests = [f"GET {url_for(k, kw)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()
                for k, kw in queries]
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0] * CLIENTS
    phase = {"measure": False, "stop": False}

    def client(number: int) -> None:
        conn = LeanClient(port)
        i = number
        while not phase["stop"]:
            raw = requests[i % len(requests)]
            i += CLIENTS
            t0 = time.perf_counter()
            try:
                status, body = conn.get(raw)
                ok = status == 200 and body.startswith(b"{")
            except OSError:
                conn.close()
                ok = False
            elapsed = time.perf_counter() - t0
            if phase["measure"]:
                latencies[number].append(elapsed)
                if not ok:
                    errors[number] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    phase["measure"] = True
    t0 = time.perf_counter()
    time.sleep(seconds)
    phase["measure"] = False
    elapsed = time.perf_counter() - t0
    phase["stop"] = True
    for thread in threads:
        thread.join(timeout=30)
    all_latencies = sorted(x for per in latencies for x in per)
    p95 = statistics.quantiles(all_latencies, n=100)[94] * 1000
    return p95, len(all_latencies) / elapsed, sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured HTTP duration")
    parser.add_argument("--warmup", type=float, default=8.0, help="HTTP warm-up before measuring")
    parser.add_argument("--lookups", type=int, default=200_000, help="in-process lookups")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the database here and reuse it on the next run (default: temporary)")
    args = parser.parse_args()

    tmp = args.data_dir or Path(tempfile.mkdtemp(prefix="amtsweg-bench-routing-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        env = setup_environment(tmp)
        sys.path.insert(0, str(REPO / "src"))
        import django

        django.setup()
        from django.db import connections

        rng = random.Random(20260630)
        saved = tmp / "data.json"
        if args.data_dir and saved.exists():
            data = json.loads(saved.read_text())
        else:
            data = build_data(rng)
            if args.data_dir:
                saved.write_text(json.dumps(data))
        queries = make_queries(data, rng, args.lookups)
        lookups_per_s = bench_in_process(queries)
        connections.close_all()

        process, port = start_server(env, tmp, args.workers, args.threads)
        try:
            p95, rps, errors = bench_http(port, queries[:50_000], args.seconds, args.warmup)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if errors:
            print(f"# HTTP errors: {errors}", file=sys.stderr)
        print(f"cpu_cores: {os.cpu_count()}")
        print(f"routing_lookups_per_s: {lookups_per_s:.0f}")
        print(f"routing_api_p95_ms: {p95:.2f}")
        print(f"routing_api_rps: {rps:.0f}")
        print(f"routing_api_errors: {errors}")
        print(json.dumps({"responsibilities": "Kreis/Land level for all OZG LeiKa keys + 1000 Gemeinde overrides"}),
              file=sys.stderr)
    finally:
        if not args.data_dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
