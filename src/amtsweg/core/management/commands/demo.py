"""`amtsweg demo`: prepare the embedded demo instance and serve it on http://127.0.0.1:8000."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, import reference data, load demo data and serve the demo on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepare only, do not start the server")

    def handle(self, *args, addr: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Datenbank bereit.")
        if no_serve:
            return
        self.stdout.write(f"Amtsweg-Demo läuft auf http://{addr}/ (Strg+C beendet).")
        call_command("runserver", addr, use_reloader=False)
