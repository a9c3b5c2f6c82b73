"""Helpers for end-to-end tests with the reference client as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from amtsweg.routing.tests import factories as routing_factories
from amtsweg.routing.tests.factories import DestinationFactory, DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions.tests.factories import SECRET, ApiClientFactory, payload_for, submit_payload

# routing's cached test key 0 backs every key DestinationFactory registers (name changed during development).
keypair = getattr(routing_factories, "cached_keypair", None) or routing_factories.test_keypair


@dataclass
class Fachverfahren:
    destination: object
    responsibility: object
    client_id: str
    key_dir: Path
    out_dir: Path

    def args(self, base_url: str) -> list[str]:
        return [
            sys.executable, "-m", "amtsweg_subscriber", "--base-url", base_url, "--client-id", self.client_id,
            "--client-secret", SECRET, "--private-key", str(self.key_dir / "decrypt.jwk.json"),
            "--signing-key", str(self.key_dir / "sign.jwk.json"), "--out", str(self.out_dir),
        ]

    def submit(self, **overrides):
        return submit_payload(payload_for(self.responsibility, **overrides))

    def written(self) -> list[str]:
        return sorted(p.name for p in self.out_dir.iterdir() if not p.name.startswith("."))


def make_fachverfahren(tmp_path: Path, channels=("pull", "callback")) -> Fachverfahren:
    destination = DestinationFactory(channels=list(channels), callback_url="http://127.0.0.1:9/unset")
    signature = DestinationKeyFactory(destination=destination, signature=True)
    encryption = destination.active_encryption_key()
    responsibility = ResponsibilityFactory(destination=destination)
    client = ApiClientFactory(subscriber_for=destination)
    key_dir = tmp_path / "keys"
    key_dir.mkdir(parents=True)
    private = keypair(0, 4096).as_dict(private=True)
    (key_dir / "decrypt.jwk.json").write_text(json.dumps(private | {"kid": encryption.kid, "alg": "RSA-OAEP-256"}))
    (key_dir / "sign.jwk.json").write_text(json.dumps(private | {"kid": signature.kid, "alg": "PS512"}))
    out_dir = tmp_path / "antraege"
    return Fachverfahren(destination, responsibility, client.client_id, key_dir, out_dir)


def client_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Listener:
    """The reference client in --listen mode, as a separate process (`args`: its command line so far)."""

    def __init__(self, args: list[str], callback_secret: str, interval: float = 3600, env: dict | None = None):
        self.process = subprocess.Popen(
            # "=" form: a generated secret may start with "-", which argparse would take for an option.
            [*args, "--listen", "127.0.0.1:0", f"--callback-secret={callback_secret}", "--interval", str(interval)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or client_env(),
        )
        first = self.process.stdout.readline()
        if not first:
            raise RuntimeError("reference client did not start: " + self.process.stderr.read()[-2000:])
        self.url = json.loads(first)["listening"] + "callbacks/amtsweg"
        self.lines: list[dict] = []
        self.arrivals: list[float] = []  # when each line arrived (benchmarks)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.arrivals.append(time.perf_counter())
            self.lines.append(json.loads(line))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def deliver_all(expected: int, attempts: int = 5) -> dict[str, int]:
    """Run the worker until `expected` messages are delivered, retrying transient failures at once.

    In production a failed callback is retried after the back-off. Here the platform, its live server and
    the test share one in-memory SQLite connection, so two requests of the client arriving at the same
    instant can collide; instead of waiting out the back-off the retry is made due immediately. Nothing
    may end up dead, and every expected message must be delivered.
    """
    from django.utils import timezone

    from amtsweg.delivery import services
    from amtsweg.delivery.models import OutboxMessage

    status = OutboxMessage.Status
    totals: dict[str, int] = {}
    for _attempt in range(attempts):
        for key, n in services.run_until_idle().items():
            totals[key] = totals.get(key, 0) + n
        if totals.get(status.DELIVERED, 0) >= expected:
            break
        OutboxMessage.objects.filter(status=status.PENDING).update(next_attempt_at=timezone.now())
    assert not OutboxMessage.objects.filter(status=status.DEAD).exists()
    return {status.DELIVERED: totals.get(status.DELIVERED, 0)}
