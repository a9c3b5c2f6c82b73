from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amtsweg.assistants.fim import FimError
from amtsweg.assistants.forms import FormImportError, import_fim


class Command(BaseCommand):
    help = "Import an XDatenfelder 1.0/2.0/3.0 Stammdatenschema or Datenfeldgruppe as a form definition."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--leika", required=True, help="14-digit LeiKa key of the service")
        parser.add_argument("--slug", default="", help="form short name (default: fim-<schema id>)")
        parser.add_argument("--publish", action="store_true")

    def handle(self, file, leika, slug="", publish=False, **options):
        try:
            version = import_fim(Path(file).read_bytes(), leika_key=leika, slug=slug, publish_now=publish)
        except OSError as exc:
            raise CommandError(f"Datei nicht lesbar: {exc}") from None
        except (FimError, FormImportError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        source = version.definition.get("source", {})
        self.stdout.write(f"{version.form.slug} v{version.number}: {len(version.definition['steps'])} Schritte, "
                          f"{len(source.get('notes', []))} Hinweise, {len(source.get('rules', []))} Regeln")
        for note in source.get("notes", []):
            self.stdout.write(f"  Hinweis: {note}")
        for rule in source.get("rules", []):
            outcome = "als Bedingung übernommen" if rule.get("applied") else rule.get("task", "Aufgabe")
            self.stdout.write(f"  Regel {rule['id']}: {rule['text']} – {outcome}")
