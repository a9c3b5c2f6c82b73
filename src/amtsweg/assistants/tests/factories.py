"""Factories for forms, with a sample definition that uses every field type.

    FormDefinitionFactory()                          anonymous form without fee
    FormDefinitionFactory(with_fee=True)             10,00 € fee
    FormDefinitionFactory(requires_substantial=True) login with level "substantiell" required
    FormVersionFactory()                             unpublished version of the sample definition
    FormVersionFactory(published=True)               published (immutable) version
"""

import copy

import factory
from django.utils import timezone

from amtsweg.assistants.models import FormDefinition, FormVersion


def t(de: str, en: str | None = None) -> dict:
    return {"de": de, "en": en} if en else {"de": de}


SAMPLE_DEFINITION = {
    "schema_version": 1,
    "title": t("Testantrag", "Test application"),
    "codelists": {
        "colours": [{"code": "rot", "label": t("Rot", "Red")}, {"code": "blau", "label": t("Blau", "Blue")},
                    {"code": "gruen", "label": t("Grün", "Green")}],
    },
    "steps": [
        {
            "id": "person",
            "title": t("Angaben zur Person", "About you"),
            "fieldsets": [
                {
                    "id": "name",
                    "legend": t("Name", "Name"),
                    "fields": [
                        {"id": "given_name", "type": "text", "label": t("Vorname", "Given name"), "required": True,
                         "validation": {"max_length": 50}, "prefill": "identity.given_name",
                         "autocomplete": "given-name"},
                        {"id": "family_name", "type": "text", "label": t("Familienname", "Family name"),
                         "required": True, "prefill": "identity.family_name", "autocomplete": "family-name"},
                        {"id": "birth_date", "type": "date", "label": t("Geburtsdatum", "Date of birth"),
                         "required": True, "validation": {"max_date": "today", "min_date": "1900-01-01"},
                         "prefill": "identity.birth_date"},
                        {"id": "address", "type": "address", "label": t("Anschrift", "Address"), "required": True,
                         "prefill": "identity.address"},
                        {"id": "email", "type": "email", "label": t("E-Mail-Adresse", "E-mail address"),
                         "prefill": "identity.email"},
                        {"id": "phone", "type": "phone", "label": t("Telefon", "Phone")},
                    ],
                }
            ],
        },
        {
            "id": "details",
            "title": t("Angaben zum Antrag", "Application details"),
            "fieldsets": [
                {
                    "id": "main",
                    "legend": t("Antrag", "Application"),
                    "fields": [
                        {"id": "has_pet", "type": "yesno", "label": t("Haben Sie ein Haustier?", "Do you have a pet?"),
                         "required": True},
                        {"id": "pet_name", "type": "text", "label": t("Name des Tieres", "Pet's name"),
                         "required": True, "visible_if": {"field": "has_pet", "equals": True}},
                        {"id": "colour", "type": "choice", "codelist": "colours", "label": t("Farbe", "Colour"),
                         "required": True},
                        {"id": "extras", "type": "multichoice", "codelist": "colours",
                         "label": t("Weitere Farben", "More colours")},
                        {"id": "count", "type": "number", "label": t("Anzahl", "Number"),
                         "validation": {"min": 1, "max": 10}},
                        {"id": "amount", "type": "amount", "label": t("Betrag", "Amount"),
                         "validation": {"max_cents": 100000}},
                        {"id": "start", "type": "date", "label": t("Beginn", "Start")},
                        {"id": "end", "type": "date", "label": t("Ende", "End")},
                        {"id": "iban", "type": "iban", "label": t("IBAN")},
                        {"id": "remarks", "type": "textarea", "label": t("Bemerkungen", "Remarks"),
                         "validation": {"max_length": 500}},
                        {"id": "nicknames", "type": "text", "label": t("Weitere Namen", "Other names"),
                         "repeat": {"min": 0, "max": 3}},
                    ],
                }
            ],
            "rules": [{"field": "end", "op": "gt", "other": "start",
                       "message": t("Das Ende muss nach dem Beginn liegen.", "The end must be after the start.")}],
        },
        {
            "id": "evidence",
            "title": t("Nachweise", "Evidence"),
            "fieldsets": [
                {"id": "docs", "legend": t("Nachweise", "Evidence"),
                 "fields": [{"id": "document", "type": "file", "label": t("Nachweis", "Document"),
                             "validation": {"max_size": 1048576, "accept": ["pdf", "png", "jpeg"]}}]}
            ],
        },
    ],
}


def sample_definition() -> dict:
    return copy.deepcopy(SAMPLE_DEFINITION)


class FormDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormDefinition
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"testantrag-{n}")
    title = "Testantrag"
    leika_key = "99102013000000"
    fee_cents = None
    min_auth_level = None
    allows_anonymous = True

    class Params:
        with_fee = factory.Trait(fee_cents=1000, leika_key="99115004001005")
        requires_substantial = factory.Trait(min_auth_level="substantiell", allows_anonymous=False)


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    form = factory.SubFactory(FormDefinitionFactory)
    number = factory.Sequence(lambda n: n + 1)
    definition = factory.LazyFunction(sample_definition)
    published_at = None

    class Params:
        published = factory.Trait(published_at=factory.LazyFunction(timezone.now))
