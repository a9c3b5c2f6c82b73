"""`amtsweg load_destinations FILE.json`: Land bulk load of destinations with their public keys (all or nothing).

The file is a JSON list of objects: authorityId or authorityArs, name, channels, encryptionKey (public JWK) and
optionally signingKey, callbackUrl, notificationEmail, metadataVersions. The callback secrets of the new
destinations are written once to the file given with --secrets (mode 0600), never to the terminal log.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.core import files
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.services import bulk_load_destinations


class Command(BaseCommand):
    help = "Legt Zustellpunkte aus einer JSON-Datei an (alles oder nichts). / Bulk-loads destinations from JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--secrets", type=Path, default=None,
                            help="Datei für die Callback-Geheimnisse / file for the callback secrets")

    def handle(self, *args, file: Path, secrets: Path | None, **options):
        try:
            entries = json.loads(file.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise CommandError(f"Datei nicht gefunden / file not found: {file}") from None
        except (UnicodeDecodeError, ValueError):
            raise CommandError("Die Datei ist kein gültiges JSON (UTF-8). / Not valid JSON (UTF-8).") from None
        result = bulk_load_destinations(entries, actor=SYSTEM)
        for number, reason in result.errors:
            self.stderr.write(f"Eintrag {number}: {reason}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} Fehler, nichts übernommen. / nothing loaded.")
        for created in result.created:
            destination = created.destination
            self.stdout.write(f"{destination.pk}  {destination.authority.name}  {destination.name}")
        if secrets is not None:
            files.write_private(secrets, json.dumps({str(c.destination.pk): c.callback_secret
                                                     for c in result.created}, indent=2))
        self.stdout.write(f"{len(result.created)} Zustellpunkte angelegt. / destinations created.")
