"""`amtsweg restore FILE`: restore an `amtsweg backup` archive into this installation, then prove it.

Into a fresh, empty database (a new PostgreSQL database, a new SQLite file); a database with tables is
refused unless `--force`. Afterwards the rows per table must equal the backup's manifest and every app's
restore check must pass (every case opens with the restored KEK, every attachment file is there); the command
exits 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.core import backup


class Command(BaseCommand):
    help = "Restore an `amtsweg backup` archive into a fresh database and verify counts and decryption."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="the archive `amtsweg backup` wrote")
        parser.add_argument("--force", action="store_true",
                            help="overwrite a database, files and key files that are not empty or differ")

    def handle(self, *args, archive: str, force: bool, **options) -> None:
        if not Path(archive).is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            report = backup.restore_backup(Path(archive), force=force)
        except (backup.RestoreError, backup.BackupError) as exc:
            raise CommandError(str(exc)) from None
        checks = ", ".join(f"{name}: {count}" for name, count in report.checks.items())
        self.stdout.write(f"restored: {len(report.tables)} tables, {sum(report.tables.values())} rows, "
                          f"{report.files} files, {report.keys} key files; verified: {checks}")
