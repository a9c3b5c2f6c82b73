"""Search finds what people type (issue 16, item 2): German stems, everyday words, typos, relevance.

The databases search themselves (`catalogue.fulltext`: PostgreSQL's German full-text search and pg_trgm,
SQLite's FTS5), and the answers and their order are the same on both: this file runs unchanged on SQLite and
on PostgreSQL (`DATABASE_URL=postgres://…`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amtsweg.catalogue import fulltext, search
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
    cars = OzgServiceFactory(ozg_id=10439, name="Kraftfahrzeugzulassung", life_situation=living)
    PublicServiceFactory(key="99102013000000", name="Hundesteuer", ozg_services=[dogs])
    PublicServiceFactory(key="99102013010000", name="Hundesteuer Befreiung", ozg_services=[dogs])
    PublicServiceFactory(key="99115005000000", name="Wohnsitz", ozg_services=[residence])
    PublicServiceFactory(key="99115005001000", name="Wohnsitz Anmeldung", ozg_services=[residence])
    PublicServiceFactory(key="99089004012000", name="Waffenbesitzkarte Erteilung", ozg_services=[weapons])
    PublicServiceFactory(key="99050012104000", name="Gewerbe Anmeldung", ozg_services=[other])
    PublicServiceFactory(key="99036008071000", name="Kraftfahrzeug Ummeldung", ozg_services=[cars])
    return {"dogs": dogs, "residence": residence, "weapons": weapons, "other": other, "cars": cars}


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
    assert fulltext.similarity("hundesteuer", "hundesteuer") == 1.0
    assert fulltext.similarity("hundesteur", "hundesteuer") == pytest.approx(9 / 14)
    assert fulltext.similarity("abc", "xyz") == 0.0


def test_the_stem_stays_a_prefix_of_the_folded_word():
    assert fulltext.stem("fuehrerscheine") == "fuehrerschein"
    assert fulltext.stem("anmelden") == fulltext.stem("anmeldung") == "anmeld"


def test_the_catalogue_page_finds_hund_anmelden(client, everyday):
    body = client.get(reverse("catalogue:search"), {"q": "Hund anmelden"}).content.decode()
    assert "Hundehaltung" in body and "nicht berücksichtigt: anmelden" in body
    assert "1 OZG-Leistung," in body and "OZG-Leistungen" not in body.split("role=\"status\"")[1][:200]


def test_who_is_responsible_uses_the_same_search(client, everyday):
    body = client.get(reverse("routing:who_is_responsible"), {"leistung": "Hundesteur"}).content.decode()
    assert "?key=99102013000000" in body
    body = client.get(reverse("routing:who_is_responsible"), {"leistung": "Ummelden"}).content.decode()
    assert "?key=99115005001000" in body


def ids(query: str) -> list[int | None]:
    return [hit.service.ozg_id if hit.service else None for hit in search.search_services(query).hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("Hund anmelden", [10160]),
    ("Ummelden", [10124, 10439]),  # the everyday word points at the Wohnsitzmeldung; the car is found by name
    ("Waffenschein", [10151]),
    ("Hundesteur", [10160]),
    ("Kfz ummelden", [10439]),  # "Kfz" is an everyday word of every Kraftfahrzeug row
    ("Anmeldung", [10300, 10124]),  # the OZG name holds it (inside the compound) before a LeiKa name does
    ("Hund", [10160]),
    ("Steuer", [10160]),  # a compound's part: "Hundesteuer"
    ("Hundesteuer für Hunde", [10160]),  # "für" is a stop word
    ("umziehen", [10124]),
])
def test_results_and_their_order_are_the_same_on_both_databases(everyday, query, expected):
    assert ids(query) == expected


def test_stop_words_are_left_out_without_being_named(everyday):
    results = search.search_services("Hundesteuer für Hunde")
    assert results.ignored_words == []


def test_a_corrected_typo_is_not_named_as_ignored(everyday):
    results = search.search_services("Hundesteur Befreiung")
    assert [p.name for p in results.hits[0].public_services] == ["Hundesteuer Befreiung"]
    assert results.ignored_words == []


@pytest.mark.parametrize("query", [
    '"', '""', '"Hund', 'Hund"', "Hund*", "*", "Hund NEAR Steuer", "NEAR(Hund Steuer)", "-Hund", "Hund -Steuer",
    "Hund AND OR NOT", "Hund' OR 1=1 --", "hund:*", "hund & !steuer", "hund | steuer", "{hund}", "^hund",
    "hund:A", "(hund", "hund)", "\\hund", "'", "%%%", "Hund\x00Steuer", "hund <-> steuer", "a" * 100,
])
def test_search_syntax_of_either_database_is_plain_text(client, everyday, query):
    """FTS5 and tsquery operators, quotes and SQL are only text: never an error, never a 500."""
    response = client.get(reverse("catalogue:search"), {"q": query})
    assert response.status_code == 200
    try:
        search.search_services(query)
    except search.QueryError as error:  # too short once the operators are gone: a German hint, no error
        assert "Suchbegriff" in str(error.message)


@pytest.mark.parametrize(("query", "found"), [('"Hund"', 10160), ("Hund*", 10160), ("-Waffenschein", 10151),
                                              ("NEAR(Hundesteuer)", 10160)])
def test_operators_around_a_word_do_not_stop_it_being_found(everyday, query, found):
    assert found in ids(query)


@pytest.mark.parametrize(("query", "message"), [
    ("", "Bitte geben Sie einen Suchbegriff ein"),
    ("   ", "Bitte geben Sie einen Suchbegriff ein"),
    ("x" * 10_000, "Der Suchbegriff ist zu lang"),
    ("Hund " * 30, "Der Suchbegriff ist zu lang"),
])
def test_empty_and_very_long_queries_get_a_german_message(client, everyday, query, message):
    response = client.get(reverse("catalogue:search"), {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_everyday_words_feed_the_search_document():
    assert fulltext.document_for("Waffenerlaubnis", ozg_id=10151).split()[0] == "waffenerlaubnis"
    assert "waffenschein" in fulltext.document_for("Waffenerlaubnis", ozg_id=10151).split()
    assert "waffenschein" in fulltext.document_for("Waffenbesitzkarte Erteilung", leika_key="99089004012000")
    assert fulltext.document_for("Straße", ozg_id=1) == "strasse"


def test_every_everyday_word_points_somewhere():
    for term in fulltext.everyday_terms():
        assert term.word and term.word == term.word.lower()
        assert term.ozg_ids or term.leika_prefixes or term.name_words, term.word


def test_the_index_follows_renamed_and_deleted_rows(everyday):
    from amtsweg.catalogue.models import PublicService

    service = PublicService.objects.get(key="99089004012000")
    service.name = "Kleiner Waffenschein Erteilung"
    service.save()
    assert [p.key for p in search.search_services("Kleiner Waffenschein").hits[0].public_services] == [
        "99089004012000"
    ]
    service.delete()
    assert search.search_services("Kleiner Waffenschein").leika_count == 0


def test_rows_written_in_bulk_are_found_after_refresh(everyday):
    """The importer writes in bulk (no save()); `refresh_documents` brings the documents up to date."""
    from amtsweg.catalogue.models import PublicService

    PublicService.objects.filter(key="99102013010000").update(name="Hundesteuer Ermäßigung")
    assert fulltext.refresh_documents() == 1
    assert fulltext.refresh_documents() == 0
    assert [p.key for p in search.search_services("Ermaessigung").hits[0].public_services] == ["99102013010000"]


def test_similarity_is_pg_trgm_s_on_postgresql(everyday):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm only on PostgreSQL")
    pairs = [("hundesteur", "hundesteuer"), ("waffenschien", "waffenschein"), ("abc", "xyz"), ("ummelden", "melden")]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(fulltext.similarity(a, b), abs=1e-6)


def test_postgresql_answers_from_the_gin_indexes(everyday):
    from django.db import connection

    from amtsweg.catalogue.models import PublicService

    if connection.vendor != "postgresql":
        pytest.skip("GIN indexes only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    words = search.WordQuery("hund", ("hund",))
    plan = PublicService.objects.filter(fulltext.word_condition(PublicService, words.terms, words.terms)).explain()
    assert "catalogue_publicservice_search_fts" in plan and "catalogue_publicservice_search_trgm" in plan


def test_sqlite_keeps_its_fts5_tables_in_step_and_gets_them_back_after_migrate(everyday):
    from django.apps import apps
    from django.db import connection

    from amtsweg.catalogue.apps import refresh_search_index
    from amtsweg.catalogue.models import PublicService

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 only on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalogue_publicservice_fts WHERE search_document MATCH 'hund*'")
        assert cursor.fetchone()[0] == 2
    fulltext.uninstall_sqlite_index(connection)  # as a migration that rebuilds the table would leave it
    refresh_search_index(sender=apps.get_app_config("catalogue"), using="default")  # the post_migrate handler
    PublicServiceFactory(key="99102013020000", name="Hundesteuer Erstattung", ozg_services=[everyday["dogs"]])
    assert "Hundesteuer Erstattung" in [p.name for p in search.search_services("Erstattung").hits[0].public_services]
    assert PublicService.objects.count() == 8
