"""The search functions, called directly (no views)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.catalogue import search
from amtsweg.core.text import fold

pytestmark = pytest.mark.django_db


def ozg_ids(results):
    return [hit.service.ozg_id for hit in results.hits if hit.service]


# --- folding (property) --------------------------------------------------------------------------------

UMLAUT_SPELLINGS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


@given(
    st.lists(
        st.one_of(st.sampled_from(sorted(UMLAUT_SPELLINGS)), st.characters(whitelist_categories=("Ll", "Lu"))),
        min_size=1,
        max_size=30,
    ),
    st.data(),
)
def test_folding_makes_umlaut_and_sharp_s_spellings_equivalent(chars, data):
    """Any mix of "ä"/"ae", "ß"/"ss" (and upper/lower case) folds to the same search key."""
    word = "".join(chars)
    respelled = "".join(
        UMLAUT_SPELLINGS[c] if c in UMLAUT_SPELLINGS and data.draw(st.booleans()) else c for c in word
    )
    assert fold(word) == fold(respelled)
    assert search.query_words(word + "xyz") == search.query_words(respelled + "XYZ")


GERMAN_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ"


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=GERMAN_LETTERS, min_size=3, max_size=20), st.data())
def test_search_finds_a_service_under_every_umlaut_spelling(word, data):
    """Stored under one spelling, an OZG-Leistung is found by any other (ae/ä, ss/ß, any case)."""
    from amtsweg.catalogue.tests.factories import OzgServiceFactory

    respelled = "".join(
        UMLAUT_SPELLINGS[c] if c in UMLAUT_SPELLINGS and data.draw(st.booleans()) else c for c in word
    )
    query = data.draw(st.sampled_from([respelled, respelled.lower(), respelled.upper().replace("ẞ", "SS")]))
    service = OzgServiceFactory(name=f"Antrag {word} stellen")
    try:
        assert service.ozg_id in ozg_ids(search.search_services(query))
    finally:
        service.delete()


# --- services --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Straße", "Strasse", "STRASSE", "straße", "  strasse  "])
def test_sharp_s_spellings_find_the_same_services(catalogue, query):
    assert ozg_ids(search.search_services(query)) == [10348]


@pytest.mark.parametrize("query", ["Führerschein", "führerschein", "Fuehrerschein", "FUEHRERSCHEIN"])
def test_umlaut_spellings_find_the_same_services(catalogue, query):
    results = search.search_services(query)
    # The OZG-Leistung named so comes first; Hundehaltung is found through a LeiKa name only.
    assert ozg_ids(results) == [10169, 10160]
    assert results.hits[0].name_matches and not results.hits[1].name_matches


def test_every_word_must_match_within_one_name(catalogue):
    assert ozg_ids(search.search_services("Führerschein Ausstellung")) == [10169]
    assert ozg_ids(search.search_services("Ausstellung Führerschein")) == [10169]


def test_when_no_name_holds_every_word_the_most_telling_words_decide_and_the_rest_is_named(catalogue):
    """No name holds both: a word naming an OZG-Leistung wins over one only LeiKa names hold ("Reisepass
    verloren" finds the Reisepass), then the rarer word; the page says which was left out."""
    results = search.search_services("Führerschein Hundesteuer")
    assert ozg_ids(results) == [10169, 10160]
    assert results.ignored_words == ["Hundesteuer"]
    results = search.search_services("Straße Hundesteuer Ausstellung")  # OZG names hold only "Straße"
    assert ozg_ids(results) == [10348]
    assert results.ignored_words == ["Hundesteuer", "Ausstellung"]


def test_matching_leika_services_are_grouped_under_their_ozg_service(catalogue):
    results = search.search_services("Führerschein")
    driving = results.hits[0]
    assert [p.key for p in driving.public_services] == ["99023001000000", "99023001012000"]
    assert results.ozg_count == 2
    assert results.leika_count == 3  # two for Führerschein, the keyless one under Hundehaltung


def test_ended_rows_are_not_found(catalogue):
    assert ozg_ids(search.search_services("Straßenleistung")) == []
    found = [p.name for hit in search.search_services("Karteikarte").hits for p in hit.public_services]
    assert found == []


def test_a_leika_service_without_current_ozg_service_is_listed_last(catalogue):
    from amtsweg.catalogue.tests.factories import PublicServiceFactory

    PublicServiceFactory(key="99000000000001", name="Führerscheinprüfung Verwaltung", ozg_services=[])
    results = search.search_services("Führerschein")
    assert results.hits[-1].service is None
    assert [p.key for p in results.hits[-1].public_services] == ["99000000000001"]
    assert results.ozg_count == 2


def test_name_starting_with_the_query_ranks_before_other_name_matches(catalogue):
    from amtsweg.catalogue.tests.factories import OzgServiceFactory

    OzgServiceFactory(ozg_id=10400, name="Abmeldung Hundehaltung", life_situation=catalogue.pets)
    assert ozg_ids(search.search_services("Hundehaltung")) == [10160, 10400]


def test_wildcard_characters_are_matched_literally(catalogue):
    assert search.search_services("%%%").hits == []
    assert search.search_services("___").hits == []


def test_search_operators_separate_words(catalogue):
    assert search.query_words('NEAR("Hund" -Steuer*') == ["near", "hund", "steuer"]
    assert search.query_words("Kfz-Zulassung hund:* a|b") == ["kfz-zulassung", "hund", "a", "b"]
    assert search.search_services('NEAR("Hundesteuer"').ignored_words == ["NEAR"]


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        ("", "Bitte geben Sie einen Suchbegriff ein"),
        ("   ", "Bitte geben Sie einen Suchbegriff ein"),
        ("ab", "zu kurz"),
        ("a, b", "zu kurz"),
        ("x" * 101, "zu lang"),
        ("a b c d e f g h i", "höchstens 8 Suchwörter"),
    ],
)
def test_unsearchable_queries_get_a_german_hint(query, message_part):
    with pytest.raises(search.QueryError) as raised:
        search.query_words(query)
    assert message_part in str(raised.value.message)


def test_punctuation_around_words_is_ignored():
    assert search.query_words("„Führerschein“, Straße!") == ["fuehrerschein", "strasse"]


# --- places ----------------------------------------------------------------------------------------------


def test_postcode_lists_every_gemeinde_sharing_it(places):
    results = search.find_places("66484")
    assert results.kind == "postcode"
    names = [m.municipality.name for m in results.postcode_matches]
    assert names == ["Althornbach", "Battweiler", "Großsteinhausen"]  # Althornbach found by AGS
    assert all(m.municipality.district.name == "Südwestpfalz" for m in results.postcode_matches)


def test_postcode_with_one_gemeinde(places):
    results = search.find_places(" 66333 ")
    assert [m.municipality.ars for m in results.postcode_matches] == ["100410519519"]


def test_unknown_postcode_gives_no_matches(places):
    assert search.find_places("99999").postcode_matches == []


def test_postcode_with_name_narrows_the_list(places):
    results = search.find_places("66484 Battweiler")
    assert [m.municipality.name for m in results.postcode_matches] == ["Battweiler"]


@pytest.mark.parametrize("query", ["Völklingen", "voelklingen", "VOELKLINGEN", "völk"])
def test_name_search_is_folded(places, query):
    results = search.find_places(query)
    assert results.kind == "name"
    assert [m.ars for m in results.municipalities] == ["100410519519"]


def test_name_search_handles_sharp_s(places):
    assert [m.name for m in search.find_places("Grosssteinhausen").municipalities] == ["Großsteinhausen"]


def test_name_search_ranks_prefix_matches_first(places):
    from amtsweg.geo.tests.factories import MunicipalityFactory

    MunicipalityFactory(name="Ober-Battweiler", association=places.zw_land)
    assert [m.name for m in search.find_places("battweiler").municipalities] == ["Battweiler", "Ober-Battweiler"]


def test_ended_gemeinden_are_not_found(places):
    places.battweiler.ended_on = places.saarbruecken.population_date
    places.battweiler.save()
    assert [m.name for m in search.find_places("66484").postcode_matches] == ["Althornbach", "Großsteinhausen"]
    assert list(search.find_places("Battweiler").municipalities) == []


def test_keys_find_a_gemeinde(places):
    assert [m.name for m in search.find_places("10041519").municipalities] == ["Völklingen, Stadt"]
    assert [m.name for m in search.find_places("100410100100").municipalities] == ["Saarbrücken, Landeshauptstadt"]


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        ("", "Bitte geben Sie eine Postleitzahl oder den Namen"),
        ("12ab", "„12ab“ ist weder eine Postleitzahl noch ein Ortsname"),
        ("Saarbrücken 661a1", "„661a1“ ist weder"),
        ("661", "genau fünf Ziffern"),
        ("6611122", "Sie haben 7 Ziffern eingegeben"),
        ("a", "mindestens 2 Buchstaben"),
        ("Saar<script>", "Zeichen, die in Gemeindenamen nicht vorkommen"),
        ("x" * 101, "zu lang"),
    ],
)
def test_invalid_place_queries_get_specific_german_errors(query, message_part):
    with pytest.raises(search.QueryError) as raised:
        search.find_places(query)
    assert message_part in str(raised.value.message)


def test_postcodes_of_a_gemeinde_include_rows_matched_by_ags(places):
    assert search.postcodes_of(places.saarbruecken) == ["66111", "66113"]
    assert search.postcodes_of(places.althornbach) == ["66482", "66484"]


def test_control_characters_are_dropped(catalogue, places):
    assert search.query_words("Stra\x00sse\u200b") == ["strasse"]
    assert ozg_ids(search.search_services("\x00Strasse")) == [10348]
    assert [m.name for m in search.find_places("Battweiler\x00").municipalities] == ["Battweiler"]
    assert search.find_places("664\x0084").postcode == "66484"


def test_numbers_find_ozg_ids_and_leika_keys(catalogue):
    assert ozg_ids(search.search_services("10169")) == [10169]
    results = search.search_services("99102013000000")
    assert [(h.service.ozg_id, [p.key for p in h.public_services]) for h in results.hits] == [
        (10160, ["99102013000000"])
    ]
    assert ozg_ids(search.search_services("99023001")) == [10169]  # a key prefix
    assert search.search_services("123").hits == []
