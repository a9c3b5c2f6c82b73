"""What the platform's own published forms tell a citizen on a Leistung page (catalogue.service_facts).

Only what a form really says: its description (what the application is for), the documents it asks to
upload, with the answer that makes each one necessary, and its default fee. Nothing is inferred from field
names; a form without a description or uploads answers nothing for that question.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amtsweg.catalogue.service_facts import COSTS, DOCUMENTS, WHAT, Fact

from .definition import text
from .engine.validators import format_cents
from .models import FormDefinition


def _lang() -> str:
    return (get_language() or "de")[:2]


def _answer_label(definition: dict, field: dict, value, language: str) -> str:
    """An answer to `field` as the form shows it: Ja/Nein, a code list's label, else the value itself."""
    if value is True:
        return _("Ja")
    if value is False:
        return _("Nein")
    for entry in definition.get("codelists", {}).get(field.get("codelist", ""), []):
        if entry.get("code") == value:
            return text(entry.get("label"), language)
    return str(value)


def _condition(definition: dict, fields: dict[str, dict], condition: dict | None, language: str) -> str:
    """When a document is asked for, in words: 'wenn „Label“: Ja' (empty: always)."""
    if not condition:
        return ""
    field = fields.get(condition.get("field", ""))
    if field is None:
        return _("nur in bestimmten Fällen")
    label = text(field.get("label"), language)
    if "equals" in condition:
        values = [condition["equals"]]
    elif "in" in condition:
        values = list(condition["in"])
    elif "contains" in condition:
        values = [condition["contains"]]
    else:
        return _("nur in bestimmten Fällen")
    answers = _(" oder ").join(f"„{_answer_label(definition, field, value, language)}“" for value in values)
    return _("nur wenn Sie bei „%(question)s“ %(answers)s angeben") % {"question": label, "answers": answers}


def _documents(definition: dict, language: str) -> list[str]:
    fields = {f["id"]: f for step in definition.get("steps", []) for fieldset in step.get("fieldsets", [])
              for f in fieldset.get("fields", [])}
    documents = []
    for step in definition.get("steps", []):
        for fieldset in step.get("fieldsets", []):
            for field in fieldset.get("fields", []):
                if field.get("type") != "file":
                    continue
                label = text(field.get("label"), language)
                when = _condition(definition, fields, field.get("visible_if") or step.get("visible_if"), language)
                if not field.get("required"):
                    when = ", ".join(part for part in (_("falls vorhanden"), when) if part)
                documents.append(f"{label} ({when})" if when else label)
    return documents


def catalogue_facts(service, keys: list[str]) -> Iterator[Fact]:
    """The published forms for these LeiKa keys: description, uploads, default fee."""
    language = _lang()
    for form in FormDefinition.objects.filter(leika_key__in=keys).order_by("slug"):
        version = form.published_version()
        if version is None:
            continue
        definition = version.definition
        source = _("Online-Antrag „%(title)s“") % {"title": version.spec.title(language)}
        about = (form.leika_key,)
        description = text(definition.get("description"), language)
        if description:
            yield Fact(WHAT, description, source=source, keys=about)
        documents = _documents(definition, language)
        if documents:
            yield Fact(DOCUMENTS, _("Im Online-Antrag laden Sie diese Nachweise hoch:"), items=tuple(documents),
                       source=source, keys=about)
        else:
            yield Fact(DOCUMENTS, _("Der Online-Antrag verlangt keine Nachweise zum Hochladen."), source=source,
                       keys=about)
        if form.fee_cents:
            yield Fact(COSTS, _("Gebühr beim Online-Antrag: %(fee)s, wenn Ihre Kommune keine eigene Gebühr "
                                "festgelegt hat.") % {"fee": format_cents(form.fee_cents)}, source=source, keys=about)


def catalogue_links(request, service) -> list:
    """On a Leistung page, "Online beantragen": the published forms for its LeiKa keys wherever routing can
    deliver them somewhere (`online_coverage`), leading to "Wer ist zuständig?" for the citizen's place. The
    shop's offer for the same service replaces the link with its own words (same URL, registered later)."""
    from amtsweg.catalogue.online_services import OnlineServiceLink
    from amtsweg.routing.resolution import online_coverage

    keys = list(service.public_services.exclude(key="").values_list("key", flat=True))
    links = []
    for form in FormDefinition.objects.filter(leika_key__in=keys).order_by("slug"):
        version = form.published_version()
        if version is None or not online_coverage(form.leika_key):
            continue
        links.append(OnlineServiceLink(
            title=version.spec.title(_lang()),
            url=f"{reverse('routing:who_is_responsible')}?{urlencode({'key': form.leika_key})}",
            description=_("Geben Sie Ihren Wohnort ein, um die zuständige Stelle zu sehen.")))
    return links
