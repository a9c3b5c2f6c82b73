"""A Leistung page answers "Worum geht es?", "Welche Unterlagen?" and "Was kostet es?" from the platform's own
published forms, and only with what a form really says (issue 16, item 3)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from amtsweg.assistants import demo
from amtsweg.assistants.catalogue_facts import catalogue_facts
from amtsweg.catalogue.service_facts import COSTS, DOCUMENTS, WHAT
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory

pytestmark = pytest.mark.django_db


def _facts(keys):
    return {(fact.question, fact.text): fact for fact in catalogue_facts(None, keys)}


def test_the_hundesteuer_form_names_its_documents_and_when_each_is_needed():
    demo.load_demo(io.StringIO())
    facts = _facts(["99102013000000"])
    what = next(f for (q, _t), f in facts.items() if q == WHAT)
    assert what.text.startswith("Melden Sie Ihren Hund zur Hundesteuer an.")
    assert what.source == "Online-Antrag „Hundesteuer – Anmeldung eines Hundes“"
    documents = next(f for (q, _t), f in facts.items() if q == DOCUMENTS)
    assert documents.items == (
        "Nachweis Wesenstest (nur wenn Sie bei „Ist der Hund als gefährlicher Hund eingestuft?“ „Ja“ angeben)",
        "Nachweis für die Ermäßigung (nur wenn Sie bei „Steuerermäßigung beantragen“ „Blindenführhund / "
        "Assistenzhund“ oder „Geprüfter Rettungshund“ oder „Hund aus dem Tierheim“ angeben)",
    )
    assert not any(q == COSTS for q, _t in facts)  # the form sets no fee: nothing is claimed


def test_the_meldebescheinigung_form_states_its_fee_and_that_it_asks_for_no_documents():
    demo.load_demo(io.StringIO())
    facts = _facts(["99115004001005"])
    assert ("Gebühr beim Online-Antrag: 10,00 €, wenn Ihre Kommune keine eigene Gebühr festgelegt hat."
            in {t for q, t in facts if q == COSTS})
    assert "Der Online-Antrag verlangt keine Nachweise zum Hochladen." in {t for q, t in facts if q == DOCUMENTS}


def test_an_optional_upload_says_so_and_unpublished_forms_say_nothing():
    demo.load_demo(io.StringIO())
    documents = next(f for (q, _t), f in _facts(["99089086000000"]).items() if q == DOCUMENTS)
    assert "Nachweis der Sachkunde (§ 7 WaffG)" in documents.items
    assert any(item.startswith("Zeugnis über die geistige Eignung") and item.endswith("(falls vorhanden)")
               for item in documents.items)
    assert _facts(["99999999999999"]) == {}


def test_the_leistung_page_shows_the_forms_answers(client):
    demo.load_demo(io.StringIO())
    service = OzgServiceFactory(ozg_id=10160, name="Hundehaltung")
    PublicServiceFactory(key="99102013000000", name="Hundesteuer", ozg_services=[service])
    body = client.get(reverse("catalogue:service", args=[10160])).content.decode()
    assert "Melden Sie Ihren Hund zur Hundesteuer an." in body and "Nachweis Wesenstest" in body
    assert body.count("Angaben folgen.") == 4  # who, costs, duration, legal basis: no data, said so


def test_a_published_form_that_routing_can_deliver_is_offered_online_on_the_leistung_page(client, saarland,
                                                                                          offices):
    """A walk found the Waffenbesitzkarte's page citing its online form under "Worum geht es?" while saying
    "noch keinen Online-Antrag" below: only shop offers were linked. A published form is linked wherever routing
    can deliver it, to "Wer ist zuständig?" (the same URL a shop offer uses, so it is not listed twice)."""
    from amtsweg.routing.models import Responsibility
    from amtsweg.routing.resolution import invalidate

    demo.load_demo(io.StringIO())  # routes the Waffenbesitzkarte to the Land's office
    service = OzgServiceFactory(ozg_id=10151, name="Waffenerlaubnis")
    PublicServiceFactory(key="99089000000000", name="Anzeige einer Waffe", ozg_services=[service])
    PublicServiceFactory(key="99089086000000", name="Waffenbesitzkarte", ozg_services=[service])
    invalidate()
    body = client.get(reverse("catalogue:service", args=[10151])).content.decode()
    where = body[body.index('id="where-heading"'):]
    assert ">Online beantragen</h2>" in where and "noch keinen Online-Antrag" not in where
    assert where.count("/zustaendigkeit/?key=99089086000000") == 1 and "Waffenbesitzkarte beantragen" in where
    # the Leistung the answers are about is named first
    assert "Dazu gehören: <span lang=\"de\">Waffenbesitzkarte, Anzeige einer Waffe</span>" in body

    Responsibility.objects.filter(leika_key="99089086000000").delete()  # nobody can receive it: no link
    invalidate()
    body = client.get(reverse("catalogue:service", args=[10151])).content.decode()
    assert ">Wo beantragen Sie die Leistung?</h2>" in body and "noch keinen Online-Antrag" in body
