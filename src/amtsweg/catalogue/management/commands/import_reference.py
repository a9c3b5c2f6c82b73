"""`amtsweg import-reference`: load or update Länder … Gemeinden, postcodes and the OZG catalogue.

Idempotent: a second run reports 0 changes. Malformed rows are listed with file, line and reason and
nothing is imported (exit code 1).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.catalogue.importer import default_source, import_reference
from amtsweg.core.importing import ImportFailed, Progress


class Command(BaseCommand):
    help = (
        "Importiert die Referenzdaten (Gemeinden, Postleitzahlen, OZG-Katalog) aus data/reference. / "
        "Imports the reference data (Gemeinden, postcodes, OZG catalogue) from data/reference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", type=Path, default=None,
            help="Ordner mit gemeinden/ und ozg-katalog/ (Standard: <repo>/data/reference) / folder holding them",
        )

    def handle(self, *args, source: Path | None, **options):
        source = source or default_source()
        if not source.is_dir():
            raise CommandError(f"Ordner nicht gefunden / folder not found: {source}")
        try:
            report = import_reference(source, progress=Progress(self.stderr))
        except ImportFailed as exc:
            for line in exc.details():
                self.stderr.write(line)
            raise CommandError(exc.summary()) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(report.as_table())
            for note in report.notes:
                self.stdout.write(note)
        self.stdout.write(
            f"Referenzdaten aus {source}: {report.total_changes} Änderungen. / "
            f"Reference data from {source}: {report.total_changes} changes."
        )
