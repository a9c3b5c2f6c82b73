"""Search finds what people type (issue 16, item 2): German stems, everyday words, typos, relevance.
The same on SQLite and PostgreSQL (plain folded LIKE on the stored names; stems and typos are worked out
in Python), so this file runs unchanged on both (`DATABASE_URL=postgres://…`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amtsweg.catalogue import search
from amtsweg.catalogue.tests.factories import (
    LifeSituationFactory,
    OzgServiceFactory,
    PublicServiceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyday():
    topic = TopicFactory(number=2, name="Bauen & Wohnen")
    living = LifeSituationFactory(number=55, name="Wohnen & Umzug", topic=topic)
    hobby = LifeSituationFactory(number=47, name="Tierhaltung", topic=topic)
    hunting = LifeSituationFactory(number=23, name="Fischen & Jagen", topic=topic)
    dogs = OzgServiceFactory(ozg_id=10160, name="Hundehaltung", life_situation=hobby)
    residence = OzgServiceFactory(ozg_id=10124, name="Wohnsitzmeldungen", life_situation=living)
    weapons = OzgServiceFactory(ozg_id=10151, name="Waffenerlaubnis", life_situation=hunting)
    other = OzgServiceFactory(ozg_id=10300, name="Gewerbeanmeldung", life_situation=living)
    PublicServiceFactory(key="99102013000000", name="Hundesteuer", ozg_services=[dogs])
    PublicServiceFactory(key="99102013010000", name="Hundesteuer Befreiung", ozg_services=[dogs])
    PublicServiceFactory(key="99115005000000", name="Wohnsitz", ozg_services=[residence])
    PublicServiceFactory(key="99115005001000", name="Wohnsitz Anmeldung", ozg_services=[residence])
    PublicServiceFactory(key="99089004012000", name="Waffenbesitzkarte Erteilung", ozg_services=[weapons])
    PublicServiceFactory(key="99050012104000", name="Gewerbe Anmeldung", ozg_services=[other])
    return {"dogs": dogs, "residence": residence, "weapons": weapons, "other": other}


def first(query: str) -> int | None:
    hits = search.search_services(query).hits
    return hits[0].service.ozg_id if hits and hits[0].service else None


def test_hund_anmelden_finds_the_dog_tax(everyday):
    results = search.search_services("Hund anmelden")
    assert results.hits[0].service.ozg_id == 10160
    assert results.ignored_words == ["anmelden"]


def test_a_verb_finds_its_noun_through_the_german_stem(everyday):
    assert first("Gewerbe anmelden") == 10300  # "anmelden" → stem "anmeld" → "Anmeldung"
    assert search.search_services("Gewerbe anmelden").ignored_words == []


@pytest.mark.parametrize(("query", "ozg_id"), [
    ("Ummelden", 10124), ("Umzug", 10124), ("Waffenschein", 10151), ("Hundesteur", 10160), ("Hundsteuer", 10160),
])
def test_everyday_words_and_typos_find_the_service(everyday, query, ozg_id):
    assert first(query) == ozg_id


def test_a_word_nothing_resembles_finds_nothing(everyday):
    assert search.search_services("Zyxwvut").hits == []


def test_relevance_prefers_names_holding_the_word_itself(everyday):
    results = search.search_services("Anmeldung")
    assert [hit.service.ozg_id for hit in results.hits][:1] == [10300]  # the OZG name holds it


def test_trigram_similarity_is_pg_trgm_s():
    assert search.similarity("hundesteuer", "hundesteuer") == 1.0
    assert search.similarity("hundesteur", "hundesteuer") == pytest.approx(9 / 14)
    assert search.similarity("abc", "xyz") == 0.0


def test_the_stem_stays_a_prefix_of_the_folded_word():
    assert search._stem("fuehrerscheine") == "fuehrerschein"
    assert search._stem("anmelden") == search._stem("anmeldung") == "anmeld"


def test_the_catalogue_page_finds_hund_anmelden(client, everyday):
    body = client.get(reverse("catalogue:search"), {"q": "Hund anmelden"}).content.decode()
    assert "Hundehaltung" in body and "nicht berücksichtigt: anmelden" in body
    assert "1 OZG-Leistung," in body and "OZG-Leistungen" not in body.split("role=\"status\"")[1][:200]


def test_who_is_responsible_uses_the_same_search(client, everyday):
    body = client.get(reverse("routing:who_is_responsible"), {"leistung": "Hundesteur"}).content.decode()
    assert "?key=99102013000000" in body
    body = client.get(reverse("routing:who_is_responsible"), {"leistung": "Ummelden"}).content.decode()
    assert "?key=99115005001000" in body
