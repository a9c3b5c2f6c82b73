from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.assistants.forms import FormImportError, import_form


class Command(BaseCommand):
    help = "Import a form definition exported with export-form (adds a version; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="publish the imported version")

    def handle(self, file, publish=False, **options):
        try:
            version = import_form(Path(file).read_bytes(), publish_now=publish)
        except OSError as exc:
            raise CommandError(f"Datei nicht lesbar: {exc}") from None
        except FormImportError as exc:
            raise CommandError(str(exc)) from None
        state = "veröffentlicht" if version.is_published else "Entwurf"
        self.stdout.write(f"{version.form.slug} v{version.number} ({state})")
