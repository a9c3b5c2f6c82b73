"""`amtsweg backup FILE`: database dump, stored files and keys of this installation in one archive.

The archive is written owner-only (0600) and atomically; it holds the keys unless `--without-keys`, so keep
it like the KEK (see `amtsweg.core.backup` and docs/betrieb.md, "Sicherung und Wiederherstellung").
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.core import backup


class Command(BaseCommand):
    help = "Back up the database, the stored files and the keys into one archive (restore: amtsweg restore)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="file to write (a tar archive; replaced atomically)")
        parser.add_argument("--without-keys", action="store_true",
                            help="leave out the key files (when they are kept in a secret store)")

    def handle(self, *args, archive: str, without_keys: bool, **options) -> None:
        try:
            manifest = backup.create_backup(Path(archive), with_keys=not without_keys)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"backup written: {archive} ({manifest['vendor']}, {len(manifest['tables'])} tables, "
                          f"{rows} rows, {manifest['files']} files, {manifest['keys']} key files)")
