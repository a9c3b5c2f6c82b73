from django.core.management.base import BaseCommand, CommandError

from amtsweg.assistants.forms import FormImportError, export_form_json
from amtsweg.assistants.models import FormDefinition


class Command(BaseCommand):
    help = "Write a form definition (published version, or the given one) as a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--form-version", dest="version", type=int, help="default: the published version")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, slug, version=None, output=None, **options):
        form = FormDefinition.objects.filter(slug=slug).first()
        if form is None:
            raise CommandError(f"Kein Formular mit dem Kurznamen „{slug}“.")
        chosen = form.versions.filter(number=version).first() if version else None
        if version and chosen is None:
            raise CommandError(f"Das Formular „{slug}“ hat keine Version {version}.")
        try:
            text = export_form_json(form, chosen)
        except FormImportError as exc:
            raise CommandError(str(exc)) from None
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stdout.write(f"{form.slug} → {output}")
        else:
            self.stdout.write(text, ending="")
