"""The public catalogue pages through Django's test client: status, content, bad input, 404s."""

import pytest
from django.urls import reverse

from amtsweg.catalogue import online_services
from amtsweg.catalogue.display import legal_references, leika_type_label

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- home ------------------------------------------------------------------------------------------------


def test_home_counts_current_rows_only(client, catalogue, places):
    page = text(client.get("/"))
    # Six OZG-Leistungen exist, one has ended; four Themenfelder.
    assert "5 OZG-Leistungen in 4 Themenfeldern" in page
    assert 'href="/themenfelder/9/"' in page and "Mobilität &amp; Reisen" in page
    assert 'action="/leistungen/"' in page and 'action="/orte/"' in page
    assert "unter 5 Gemeinden" in page


def test_home_in_english(client, catalogue):
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en"' in page
    assert "5 OZG services in 4 subject areas" in page
    assert "Search for a service" in page
    assert "Skip to content" in page and "Sources and licences" in page  # the page frame, too


def test_language_switch_posts_to_set_language(client, catalogue):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "5 OZG services in 4 subject areas" in text(client.get("/"))


def test_home_without_reference_data(client):
    page = text(client.get("/"))
    assert "0 OZG-Leistungen in 0 Themenfeldern" in page
    assert "noch nicht geladen" in page


# --- browse ----------------------------------------------------------------------------------------------


def test_topic_lists_its_life_situations_and_their_services(client, catalogue):
    page = text(client.get(reverse("catalogue:topic", args=[9])))
    assert "<h1" in page and "Mobilität &amp; Reisen" in page
    assert 'href="#lebenslage-25"' in page
    assert 'href="/leistungen/10169/"' in page and 'href="/leistungen/10168/"' in page
    assert "/leistungen/10348/" not in page


def test_topic_hides_ended_services(client, catalogue):
    page = text(client.get(reverse("catalogue:topic", args=[2])))
    assert "Bauvorbescheid und Baugenehmigung" in page
    assert "Alte Straßenleistung" not in page


def test_life_situation_page(client, catalogue):
    page = text(client.get(reverse("catalogue:life_situation", args=[25])))
    assert "2 OZG-Leistungen" in page
    assert 'href="/themenfelder/9/"' in page
    assert "Fahreignungsregister" in page and "Führerschein" in page


@pytest.mark.parametrize("url", ["/themenfelder/99/", "/lebenslagen/99/", "/leistungen/1/", "/orte/999999999999/"])
def test_unknown_ids_are_404(client, catalogue, places, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/themenfelder/abc/", "/leistungen/10169x/", "/orte/10041/", "/orte/1004101001000/"])
def test_malformed_ids_are_404(client, catalogue, places, url):
    assert client.get(url).status_code == 404


# --- service detail --------------------------------------------------------------------------------------


def test_service_detail_shows_leika_services_with_keys_types_and_law_links(client, catalogue):
    page = text(client.get(reverse("catalogue:service", args=[10348])))
    assert "Sondernutzung von Straßen und Verkehrsraumeinschränkung" in page
    assert 'href="/themenfelder/14/"' in page and 'href="/lebenslagen/52/"' in page
    assert "10348" in page
    assert 'id="leika-99108012005000"' in page and "99108012005000" in page
    assert "Typ 2/3: Bund regelt, Land oder Kommune vollzieht" in page
    assert 'href="https://www.gesetze-im-internet.de/fstrg/__8.html"' in page
    assert 'href="https://www.gesetze-im-internet.de/stvo_2013/__46.html"' in page
    # Other addresses in the data are shown as text only.
    assert "Förderrichtlinie (FöRL)" in page and "foerderdatenbank" not in page
    assert "Typ 5: Land regelt, Kommune vollzieht" in page


def test_service_detail_hides_ended_leika_and_marks_keyless_rows(client, catalogue):
    page = text(client.get(reverse("catalogue:service", args=[10169])))
    assert "Karteikarte" not in page
    assert "2 LeiKa-Leistungen" in page
    page = text(client.get(reverse("catalogue:service", args=[10160])))
    assert "nicht im LeiKa" in page and "99102013000000" in page


def test_ended_service_is_still_readable_with_a_notice(client, catalogue):
    page = text(client.get(reverse("catalogue:service", args=[10999])))
    assert "nicht mehr im Katalog" in page


def test_service_detail_has_an_empty_online_services_section_until_an_app_fills_it(client, catalogue):
    url = reverse("catalogue:service", args=[10160])
    assert "Online beantragen" not in text(client.get(url))

    def provider(request, service):
        if service.ozg_id == 10160:
            yield online_services.OnlineServiceLink(title="Hund anmelden (Saarland)", url="/antrag/hund/")

    with online_services.register.registered("test", provider):
        page = text(client.get(url))
        assert "Online beantragen" in page and 'href="/antrag/hund/"' in page
        assert "Online beantragen" not in text(client.get(reverse("catalogue:service", args=[10169])))


def test_legal_references_parsing():
    refs = legal_references(
        "§ 20 Kreislaufwirtschaftsgesetz (KrWG) [http://www.gesetze-im-internet.de/krwg/__20.html], "
        "Richtlinie (EU) [https://eur-lex.europa.eu/x], Landesgesetz ohne Adresse"
    )
    assert [(r.label, r.url) for r in refs] == [
        ("§ 20 Kreislaufwirtschaftsgesetz (KrWG)", "https://www.gesetze-im-internet.de/krwg/__20.html"),
        ("Richtlinie (EU)", ""),
        ("Landesgesetz ohne Adresse", ""),
    ]
    assert legal_references("") == []
    assert [r.url for r in legal_references("X [javascript:alert(1)]")] == [""]


def test_leika_type_labels():
    assert leika_type_label("4") == "Typ 4: Land regelt und vollzieht"
    assert leika_type_label("1, 2/3").startswith("Typ 1: Bund regelt und vollzieht; Typ 2/3")
    assert leika_type_label("9") == "Typ 9"
    assert leika_type_label("") == "nicht angegeben"


# --- search ----------------------------------------------------------------------------------------------


def test_search_page_without_query_shows_the_form_only(client, catalogue):
    page = text(client.get("/leistungen/"))
    assert 'id="search-q"' in page and "kern-error" not in page and "Ergebnisse" not in page


@pytest.mark.parametrize("query", ["Strasse", "Straße", "strasse"])
def test_search_finds_umlaut_and_sharp_s_spellings(client, catalogue, query):
    page = text(client.get("/leistungen/", {"q": query}))
    assert 'href="/leistungen/10348/"' in page
    assert 'href="/leistungen/10348/#leika-99108012005000"' in page
    assert "1 OZG-Leistung, 1 passende LeiKa-Leistung." in page


def test_search_groups_leika_matches_under_their_service(client, catalogue):
    page = text(client.get("/leistungen/", {"q": "Fuehrerschein"}))
    assert page.index('href="/leistungen/10169/"') < page.index('href="/leistungen/10160/"')
    assert 'href="/leistungen/10160/#leika-ohne-schluessel-' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Bitte geben Sie einen Suchbegriff ein"), ("ab", "Der Suchbegriff ist zu kurz")],
)
def test_empty_or_short_query_gets_a_linked_hint(client, catalogue, query, message):
    page = text(client.get("/leistungen/", {"q": query}))
    assert message in page
    assert 'aria-describedby="search-q-hint search-q-error"' in page and 'aria-invalid="true"' in page
    assert 'id="search-q-error"' in page


def test_no_results_get_a_helpful_message(client, catalogue):
    page = text(client.get("/leistungen/", {"q": "Mondlandung"}))
    assert "Zu „Mondlandung“ haben wir keine Leistung gefunden." in page
    assert "Prüfen Sie die Schreibweise" in page


def test_search_results_are_paginated(client, catalogue):
    from amtsweg.catalogue.tests.factories import OzgServiceFactory

    for n in range(25):
        OzgServiceFactory(ozg_id=11000 + n, name=f"Straßenfest Nummer {n:02d}", life_situation=catalogue.events)
    first = text(client.get("/leistungen/", {"q": "Straße"}))
    assert "Seite 1 von 2" in first and "seite=2" in first
    assert first.count('class="search-hit"') == 20
    second = text(client.get("/leistungen/", {"q": "Straße", "seite": "2"}))
    assert second.count('class="search-hit"') == 6 and 'rel="prev"' in second
    # A page number out of range or not a number never fails.
    assert "Seite 2 von 2" in text(client.get("/leistungen/", {"q": "Straße", "seite": "99"}))
    assert "Seite 1 von 2" in text(client.get("/leistungen/", {"q": "Straße", "seite": "x"}))


def test_search_escapes_the_query(client, catalogue):
    page = text(client.get("/leistungen/", {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_search_rejects_post(client):
    assert client.post("/leistungen/", {"q": "Hund"}).status_code == 405


# --- places ----------------------------------------------------------------------------------------------


def test_places_page_without_query(client, places):
    page = text(client.get("/orte/"))
    assert 'id="places-q"' in page and "kern-error" not in page


def test_postcode_with_several_gemeinden_lists_them_with_their_kreis(client, places):
    page = text(client.get("/orte/", {"q": "66484"}))
    assert "Gemeinden mit der Postleitzahl 66484" in page
    assert "Diese Postleitzahl gilt für 3 Gemeinden" in page
    for ars in ("073405008201", "073405008202", "073405008210"):
        assert f'href="/orte/{ars}/"' in page
    assert page.count("Südwestpfalz") == 3
    assert "OpenStreetMap" in page and "ODbL" in page


def test_postcode_with_one_gemeinde(client, places):
    page = text(client.get("/orte/", {"q": "66333"}))
    assert "Diese Postleitzahl gilt für eine Gemeinde." in page
    assert 'href="/orte/100410519519/"' in page


def test_unknown_postcode(client, places):
    assert "Zur Postleitzahl 12345 haben wir keine Gemeinde gefunden." in text(client.get("/orte/", {"q": "12345"}))


def test_place_name_search(client, places):
    page = text(client.get("/orte/", {"q": "voelklingen"}))
    assert "1 Gemeinde gefunden." in page and 'href="/orte/100410519519/"' in page
    assert "Regionalverband Saarbrücken" in page


def test_place_name_without_match(client, places):
    assert "Zu „Atlantis“ haben wir keine Gemeinde gefunden." in text(client.get("/orte/", {"q": "Atlantis"}))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("12ab", "„12ab“ ist weder eine Postleitzahl noch ein Ortsname."),
        ("661", "Eine Postleitzahl hat genau fünf Ziffern"),
        ("", "Bitte geben Sie eine Postleitzahl oder den Namen einer Gemeinde ein."),
    ],
)
def test_invalid_place_input_gets_a_specific_german_error(client, places, query, message):
    page = text(client.get("/orte/", {"q": query}))
    assert message in page
    assert 'aria-describedby="places-q-hint places-q-error"' in page
    assert f'value="{query}"' in page  # the input is kept


def test_gemeinde_page(client, places):
    page = text(client.get("/orte/100410100100/"))
    assert "Saarbrücken, Landeshauptstadt" in page
    assert "100410100100" in page and "10041100" in page
    assert "Regionalverband Saarbrücken (10041)" in page
    assert "Saarbrücken, Landeshauptstadt (100410100)" in page
    assert "Saarland" in page
    assert "180.374" in page and "Stand 31.12.2024" in page
    assert 'href="/orte/?q=66111"' in page and 'href="/orte/?q=66113"' in page
    assert "OpenStreetMap-Mitwirkende, Open Database License (ODbL) 1.0" in page


def test_gemeinde_page_without_population_and_association_name(client, places):
    page = text(client.get("/orte/100410519519/"))
    assert "nicht bekannt" in page
    assert "100410519" in page
    assert 'href="/orte/?q=66333"' in page


def test_gemeinde_page_lists_postcodes_matched_by_ags(client, places):
    page = text(client.get("/orte/073405008201/"))
    assert 'href="/orte/?q=66482"' in page and 'href="/orte/?q=66484"' in page


def test_gemeinde_page_in_english_formats_numbers(client, places):
    page = text(client.get("/orte/100410100100/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "180,374" in page and "Population" in page


def test_postcode_table_shows_osm_place_names_only_where_they_differ(client, places):
    page = text(client.get("/orte/", {"q": "66111"}))
    assert "Saarbrücken, Landeshauptstadt</a>" in page
    assert '<td class="kern-table__cell" lang="de">Saarbrücken</td>' in page
    page = text(client.get("/orte/", {"q": "66333"}))
    assert '<td class="kern-table__cell" lang="de">Völklingen</td>' in page
    assert "Weitere Ortsnamen (OpenStreetMap)" in page


@pytest.mark.parametrize("query", ["\x00", "Stra\x00sse", "6648\x004", "%", "'; DROP TABLE x; --", "ß" * 100])
def test_odd_input_never_fails(client, catalogue, places, query):
    assert client.get("/leistungen/", {"q": query}).status_code == 200
    assert client.get("/orte/", {"q": query}).status_code == 200


def test_service_page_answers_the_citizens_questions_before_the_keys(client, catalogue):
    """Issue 16, item 3: the citizen's questions in their order, in words; LeiKa keys in a details section. What
    nobody knows says "Angaben folgen" with where to ask instead of an invented answer."""
    body = client.get(reverse("catalogue:service", args=[10348])).content.decode()
    details = body.index("<details")
    headings = ["Worum geht es?", "Wer kann die Leistung beantragen?", "Was kostet es?",
                "Welche Unterlagen brauchen Sie?", "Wie lange dauert es?", "Rechtsgrundlage",
                "Wo beantragen Sie die Leistung?"]
    positions = [body.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions) and positions[-1] < details
    assert body[:details].count("Angaben folgen.") == 5  # no app knows anything of this service
    assert "Zuständige Stelle für Ihren Ort finden" in body and "/zustaendigkeit/?key=" in body
    assert "leika-key" not in body[:details]


def test_service_page_shows_what_an_app_knows_in_its_question_with_the_source(client, catalogue):
    from amtsweg.catalogue import service_facts

    seen = []

    def provider(service, keys):
        seen.append((service.ozg_id, keys))
        return [service_facts.Fact(service_facts.DOCUMENTS, "Sie brauchen:", items=("Personalausweis",),
                                   source="Testquelle")]

    with service_facts.register.registered("test", provider):
        body = client.get(reverse("catalogue:service", args=[10348])).content.decode()
    documents = body[body.index(">Welche Unterlagen brauchen Sie?</h2>"):body.index(">Wie lange dauert es?</h2>")]
    assert "Sie brauchen:" in documents and "<li>Personalausweis</li>" in documents
    assert "Quelle: Testquelle" in documents and "Angaben folgen" not in documents
    assert seen and seen[0][0] == 10348 and all(len(key) == 14 for key in seen[0][1])
    with pytest.raises(ValueError):
        service_facts.Fact("price", "x")
