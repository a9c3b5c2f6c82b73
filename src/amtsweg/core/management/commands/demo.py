"""`amtsweg demo`: prepare the embedded demo instance and serve it on http://127.0.0.1:8000.

Steps: migrate; import the reference data (a no-change re-import takes about two seconds); load each app's demo
data (``amtsweg.<app>.demo.load_demo(stdout)``, in app order, where the module exists); then serve the site
(static files through WhiteNoise) together with a background task worker (django-tasks-db ``db_worker``) that
is stopped when the server stops.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Later stages build on earlier ones (see README, architecture): load their demo data in this order.
DEMO_APPS = ["core", "accounts", "routing", "identity", "payments", "assistants", "submissions", "delivery", "shop",
             "casework", "postfach", "maturity"]


def load_app_demos(stdout, stderr) -> tuple[list[str], list[str]]:
    """Call ``load_demo(stdout)`` of every app in :data:`DEMO_APPS` that has a ``demo`` module.

    Each app's demo runs in its own transaction: one that fails is rolled back and reported on ``stderr``, and
    the others still load (a later app may then find less to build on). Returns (loaded, failed) app names.
    """
    loaded, failed = [], []
    for app in DEMO_APPS:
        name = f"amtsweg.{app}.demo"
        if not apps.is_installed(f"amtsweg.{app}") or importlib.util.find_spec(name) is None:
            continue
        try:
            with transaction.atomic():
                importlib.import_module(name).load_demo(stdout)
        except Exception as exc:  # noqa: BLE001 - report every app's failure, keep the others
            stderr.write(f"Demodaten von {app} fehlgeschlagen / demo data of {app} failed: "
                         f"{type(exc).__name__}: {exc}")
            failed.append(app)
            continue
        loaded.append(app)
    return loaded, failed


class Command(BaseCommand):
    help = (
        "Migriert, importiert Referenzdaten, lädt Demodaten und startet die Demo (mit Hintergrund-Worker). / "
        "Migrate, import reference data, load demo data and serve the demo (with a background worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
        parser.add_argument("--no-serve", action="store_true", help="prepare only, do not start the server")
        parser.add_argument("--source", type=Path, default=None,
                            help="reference data folder (default: <repo>/data/reference)")

    def handle(self, *args, addr: str, no_serve: bool, source: Path | None, **options):
        if not no_serve and not settings.PUBLIC_BASE_URL_CONFIGURED:
            # Links in API answers, status mails and the test payment provider must point at this demo.
            settings.PUBLIC_BASE_URL = f"http://{addr}"
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Datenbank bereit. / Database ready.")
        # catalogue's own command (core comes before catalogue and does not import it): it prints the
        # malformed rows and stops with a CommandError, nothing imported.
        call_command("import_reference", source=source, verbosity=0, stdout=self.stdout, stderr=self.stderr)
        loaded, failed = load_app_demos(self.stdout, self.stderr)
        self.stdout.write(f"Demodaten geladen / demo data loaded: {', '.join(loaded) or '–'}")
        if failed and no_serve:
            raise CommandError(f"Demodaten fehlgeschlagen / demo data failed: {', '.join(failed)}")
        if no_serve:
            return
        if failed:
            self.stderr.write(f"Die Demo startet ohne die Demodaten von / the demo starts without the demo data of: "
                              f"{', '.join(failed)}")
        self.serve(addr)

    def serve(self, addr: str) -> None:
        host, _, port = addr.rpartition(":")
        try:  # runserver ends the process with os._exit() on a busy port, which would orphan the worker
            with socket.create_server((host or "127.0.0.1", int(port))):
                pass
        except (OSError, ValueError) as exc:
            raise CommandError(f"Adresse {addr} nicht verfügbar / address not available: {exc}") from exc
        # SIGTERM (e.g. from a service manager) ends like Ctrl+C, so that the worker is stopped below.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
        # The workers get this process's environment and settings module, and the demo's public address.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
               "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL}
        # The task worker delivers on wake-up; the sweep retries due deliveries and recovers expired leases.
        workers = [
            subprocess.Popen([sys.executable, "-m", "django", *argv], env=env)  # noqa: S603 - fixed arguments
            for argv in (["db_worker", "--queue-name", "*", "--no-reload"], ["delivery_sweep", "--interval", "30"])
        ]
        self.stdout.write(f"Hintergrund-Worker gestartet (PID {', '.join(str(w.pid) for w in workers)}). "
                          "/ Background workers started.")
        self.stdout.write(self.style.SUCCESS(
            f"Amtsweg-Demo: http://{addr}/  (Strg+C beendet / Ctrl+C stops)"))
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            self.stdout.write("Hintergrund-Worker beendet. / Background workers stopped.")
