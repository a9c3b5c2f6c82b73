"""Demo forms: three real services, published and ready end to end.

    Hundesteuer-Anmeldung      LeiKa 99102013000000   written as data (conditions, upload, IBAN, cross-field rule)
    Meldebescheinigung         LeiKa 99115004001005   with a fee of 10,00 € (paid through amtsweg.payments)
    Waffenbesitzkarte          LeiKa 99089086000000   curated as data (data/forms/waffenbesitzkarte.json): FIM's only
                                                      schema for it, S00000036, describes the card, not the
                                                      application (see data/forms/README.md)

Idempotent: importing an unchanged definition adds no version.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import forms

DATA = Path(__file__).parent / "data" / "fim"
WBK_FILE = DATA / "S00000036_Waffenbesitzkarte_xdf1.xml"  # the card's FIM schema, for the FIM import's tests
WBK_DEFINITION = Path(__file__).parent / "data" / "forms" / "waffenbesitzkarte.json"
WBK_LEIKA = "99089086000000"


def t(de: str, en: str) -> dict:
    return {"de": de, "en": en}


def _person_fieldset(prefix: str = "") -> dict:
    return {
        "id": f"{prefix}person",
        "legend": t("Angaben zur Person", "About you"),
        "fields": [
            {"id": "vorname", "type": "text", "label": t("Vorname", "Given name"), "required": True,
             "validation": {"max_length": 80}, "prefill": "identity.given_name", "autocomplete": "given-name"},
            {"id": "familienname", "type": "text", "label": t("Familienname", "Family name"), "required": True,
             "validation": {"max_length": 80}, "prefill": "identity.family_name", "autocomplete": "family-name"},
            {"id": "geburtsdatum", "type": "date", "label": t("Geburtsdatum", "Date of birth"), "required": True,
             "validation": {"min_date": "1900-01-01", "max_date": "today-16y"},
             "prefill": "identity.birth_date", "autocomplete": "bday"},
            {"id": "anschrift", "type": "address", "label": t("Anschrift", "Address"), "required": True,
             "prefill": "identity.address", "help": t("Ihre Hauptwohnung", "Your main residence")},
            {"id": "email", "type": "email", "label": t("E-Mail-Adresse", "E-mail address"),
             "help": t("Für die Eingangsbestätigung und Rückfragen", "For the acknowledgement and questions"),
             "prefill": "identity.email"},
            {"id": "telefon", "type": "phone", "label": t("Telefon", "Phone")},
        ],
    }


HUNDESTEUER = {
    "schema_version": 1,
    "title": t("Hundesteuer – Anmeldung eines Hundes", "Dog tax – registering a dog"),
    "description": t("Melden Sie Ihren Hund zur Hundesteuer an. Die Gemeinde schickt Ihnen den Steuerbescheid "
                     "und die Steuermarke.", "Register your dog for the dog tax. The municipality sends you the "
                     "tax notice and the tax tag."),
    "codelists": {
        "rasse": [
            {"code": "mischling", "label": t("Mischling", "Mixed breed")},
            {"code": "labrador", "label": t("Labrador Retriever", "Labrador Retriever")},
            {"code": "schaeferhund", "label": t("Deutscher Schäferhund", "German Shepherd")},
            {"code": "dackel", "label": t("Dackel", "Dachshund")},
            {"code": "golden", "label": t("Golden Retriever", "Golden Retriever")},
            {"code": "pudel", "label": t("Pudel", "Poodle")},
            {"code": "staffordshire", "label": t("American Staffordshire Terrier", "American Staffordshire Terrier")},
            {"code": "andere", "label": t("Andere Rasse", "Other breed")},
        ],
        "ermaessigung": [
            {"code": "keine", "label": t("Keine", "None")},
            {"code": "blindenhund", "label": t("Blindenführhund / Assistenzhund", "Guide or assistance dog")},
            {"code": "rettungshund", "label": t("Geprüfter Rettungshund", "Certified rescue dog")},
            {"code": "tierheim", "label": t("Hund aus dem Tierheim", "Dog from an animal shelter")},
        ],
    },
    "steps": [
        {"id": "halter", "title": t("Halterin oder Halter", "Dog owner"), "fieldsets": [_person_fieldset()]},
        {
            "id": "hund",
            "title": t("Ihr Hund", "Your dog"),
            "fieldsets": [{
                "id": "hund_angaben",
                "legend": t("Angaben zum Hund", "About the dog"),
                "fields": [
                    {"id": "hund_name", "type": "text", "label": t("Name des Hundes", "Dog's name"), "required": True,
                     "validation": {"max_length": 60}},
                    {"id": "rasse", "type": "choice", "codelist": "rasse", "label": t("Rasse", "Breed"),
                     "required": True},
                    {"id": "rasse_andere", "type": "text", "label": t("Welche Rasse?", "Which breed?"),
                     "required": True, "visible_if": {"field": "rasse", "equals": "andere"}},
                    {"id": "wurfdatum", "type": "date", "label": t("Geburtsdatum des Hundes", "Dog's date of birth"),
                     "required": True, "validation": {"max_date": "today", "min_date": "today-30y"}},
                    {"id": "haltungsbeginn", "type": "date", "label": t("Hund gehalten seit", "Kept since"),
                     "required": True, "validation": {"max_date": "today+30d", "min_date": "today-1y"},
                     "help": t("Ab diesem Tag ist die Steuer zu zahlen.", "The tax is due from this day.")},
                    {"id": "chipnummer", "type": "text", "label": t("Transpondernummer (Chip)", "Microchip number"),
                     "validation": {"pattern": "[0-9]{15}", "pattern_message": t(
                         "Die Transpondernummer hat 15 Ziffern.", "The microchip number has 15 digits.")}},
                    {"id": "listenhund", "type": "yesno",
                     "label": t("Ist der Hund als gefährlicher Hund eingestuft?", "Is the dog classed as dangerous?"),
                     "required": True},
                    {"id": "wesenstest", "type": "file",
                     "label": t("Nachweis Wesenstest", "Temperament test certificate"), "required": True,
                     "visible_if": {"field": "listenhund", "equals": True},
                     "validation": {"max_size": 5242880, "accept": ["pdf", "png", "jpeg"]}},
                    {"id": "ermaessigung", "type": "choice", "codelist": "ermaessigung",
                     "label": t("Steuerermäßigung beantragen", "Apply for a tax reduction"), "required": True},
                    {"id": "ermaessigung_nachweis", "type": "file",
                     "label": t("Nachweis für die Ermäßigung", "Proof for the reduction"), "required": True,
                     "visible_if": {"field": "ermaessigung", "in": ["blindenhund", "rettungshund", "tierheim"]}},
                ],
            }],
            "rules": [{"field": "haltungsbeginn", "op": "ge", "other": "wurfdatum",
                       "message": t("Der Beginn der Haltung kann nicht vor der Geburt des Hundes liegen.",
                                    "Keeping cannot start before the dog was born.")}],
        },
        {
            "id": "zahlung",
            "title": t("Bezahlung der Steuer", "Paying the tax"),
            "fieldsets": [{
                "id": "sepa",
                "legend": t("SEPA-Lastschrift", "SEPA direct debit"),
                "fields": [
                    {"id": "lastschrift", "type": "yesno",
                     "label": t("Soll die Steuer per Lastschrift eingezogen werden?",
                                "Shall the tax be collected by direct debit?"), "required": True},
                    {"id": "kontoinhaber", "type": "text",
                     "label": t("Name der Kontoinhaberin oder des Kontoinhabers", "Name of the account holder"),
                     "required": True, "visible_if": {"field": "lastschrift", "equals": True}},
                    {"id": "iban", "type": "iban", "label": t("IBAN", "IBAN"), "required": True, "sepa_mandate": True,
                     "visible_if": {"field": "lastschrift", "equals": True}},
                ],
            }],
        },
    ],
}

MELDEBESCHEINIGUNG = {
    "schema_version": 1,
    "title": t("Meldebescheinigung beantragen", "Apply for a certificate of registration"),
    "description": t("Eine Meldebescheinigung bestätigt Ihre aktuelle Anschrift. Die Gebühr von 10,00 € bezahlen "
                     "Sie online.", "A certificate of registration confirms your current address. You pay the fee "
                     "of 10.00 € online."),
    "codelists": {
        "art": [
            {"code": "einfach", "label": t("Einfache Meldebescheinigung", "Simple certificate")},
            {"code": "erweitert", "label": t("Erweiterte Meldebescheinigung (mit früheren Anschriften)",
                                             "Extended certificate (with former addresses)")},
        ],
        "zweck": [
            {"code": "arbeitgeber", "label": t("Arbeitgeber", "Employer")},
            {"code": "behoerde", "label": t("Behörde", "Public authority")},
            {"code": "bank", "label": t("Bank oder Versicherung", "Bank or insurance")},
            {"code": "sonstiges", "label": t("Sonstiges", "Other")},
        ],
        "versand": [
            {"code": "post", "label": t("Per Post an meine Anschrift", "By post to my address")},
            {"code": "abholung", "label": t("Abholung im Bürgeramt", "Collect at the citizens' office")},
        ],
    },
    "steps": [
        {"id": "person", "title": t("Angaben zur Person", "About you"), "fieldsets": [_person_fieldset()]},
        {
            "id": "bescheinigung",
            "title": t("Bescheinigung", "Certificate"),
            "fieldsets": [{
                "id": "art_fs",
                "legend": t("Welche Bescheinigung brauchen Sie?", "Which certificate do you need?"),
                "fields": [
                    {"id": "art", "type": "choice", "codelist": "art", "label": t("Art", "Kind"), "required": True},
                    {"id": "zweck", "type": "multichoice", "codelist": "zweck",
                     "label": t("Wofür brauchen Sie die Bescheinigung?", "What do you need it for?"),
                     "validation": {"min_items": 1}, "required": True},
                    {"id": "zweck_text", "type": "textarea", "label": t("Zweck (Freitext)", "Purpose (free text)"),
                     "validation": {"max_length": 300}, "visible_if": {"field": "zweck", "contains": "sonstiges"}},
                    {"id": "anzahl", "type": "number", "label": t("Anzahl der Ausfertigungen", "Number of copies"),
                     "required": True, "validation": {"min": 1, "max": 3},
                     "help": t("Jede Ausfertigung kostet 10,00 €. Die erste bezahlen Sie jetzt online; für jede "
                               "weitere schickt Ihnen das Bürgeramt eine Zahlungsaufforderung, auch bei Zustellung "
                               "per Post.",
                               "Each copy costs 10.00 €. You pay the first one online now; for each further copy "
                               "the citizens' office sends you a request for payment, also when sent by post.")},
                    {"id": "versand", "type": "choice", "codelist": "versand", "label": t("Zustellung", "Delivery"),
                     "required": True},
                ],
            }],
        },
    ],
}

DEMO_FORMS = [
    ("hundesteuer", "99102013000000", None, HUNDESTEUER),
    ("meldebescheinigung", "99115004001005", 1000, MELDEBESCHEINIGUNG),
]


def _export(slug: str, leika: str, fee: int | None, definition: dict) -> dict:
    return {"format": forms.EXPORT_FORMAT,
            "form": {"slug": slug, "title": definition["title"]["de"], "leika_key": leika, "fee_cents": fee,
                     "min_auth_level": None, "allows_anonymous": True},
            "version": {"definition": definition}}


def _route_wbk(stdout) -> None:
    """The Waffenbehörde is not part of the routing demo: route WBK applications to the Land's central office."""
    from amtsweg.core.actors import SYSTEM
    from amtsweg.routing import services as routing
    from amtsweg.routing.models import Destination, Responsibility

    if Responsibility.objects.filter(leika_key=WBK_LEIKA, area_ars="10").exists():
        return
    destination = Destination.objects.filter(authority__area_ars="10", authority__kind="land").first()
    if destination is None:
        stdout.write("Formular-Demo: kein Zustellpunkt des Landes – Waffenbesitzkarte ohne Zuständigkeit.")
        return
    routing.add_responsibility(WBK_LEIKA, "10", destination.authority, destination, actor=SYSTEM)


def load_demo(stdout) -> None:
    for slug, leika, fee, definition in DEMO_FORMS:
        version = forms.import_form(_export(slug, leika, fee, definition), publish_now=True)
        stdout.write(f"Formular-Demo: {version.form.title} v{version.number} (/antrag/{slug}/)")
    wbk = json.loads(WBK_DEFINITION.read_text(encoding="utf-8"))
    version = forms.import_form(_export("waffenbesitzkarte", WBK_LEIKA, None, wbk), publish_now=True)
    stdout.write(f"Formular-Demo: {version.form.title} v{version.number} (/antrag/waffenbesitzkarte/)")
    _route_wbk(stdout)
