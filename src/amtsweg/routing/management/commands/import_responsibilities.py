"""`amtsweg import_responsibilities FILE.csv`: Land bulk import of responsibilities (all or nothing).

Columns: leika_key, area_ars, destination_id [, authority_id]. Every problem is listed with its line; if
there is any, nothing is stored and the exit code is 1. `--dry-run` only checks.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.core.actors import SYSTEM
from amtsweg.routing.importer import import_responsibilities


class Command(BaseCommand):
    help = "Importiert Zuständigkeiten aus einer CSV-Datei (alles oder nichts). / Imports responsibilities from CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen / check only")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"Datei nicht gefunden / file not found: {file}")
        result = import_responsibilities(file.read_bytes(), actor=SYSTEM, dry_run=dry_run)
        for line, reason in result.errors:
            self.stderr.write(f"{file.name}, Zeile {line}: {reason}" if line else f"{file.name}: {reason}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} Fehler, nichts übernommen. / {len(result.errors)} error(s), "
                               "nothing imported.")
        if dry_run:
            self.stdout.write(f"{result.rows} Zeilen geprüft, keine Fehler. / {result.rows} rows checked, no errors.")
        else:
            self.stdout.write(f"{result.created} Zuständigkeiten eingetragen. / {result.created} responsibilities "
                              "imported.")
