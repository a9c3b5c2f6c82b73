"""The public pages on the real reference data shipped with the project (one import for the module)."""

import pytest

from amtsweg.catalogue.importer import import_reference

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        import_reference()
    yield
    with django_db_blocker.unblock():
        from amtsweg.catalogue.models import LifeSituation, OzgService, PublicService, Topic
        from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality, PostcodeArea

        for model in (PostcodeArea, PublicService, OzgService, LifeSituation, Topic, Municipality,
                      MunicipalAssociation, District, Land):
            model.objects.all().delete()


def test_home_shows_557_services_in_14_topics(client, reference_data):
    page = client.get("/").content.decode()
    assert "557 OZG-Leistungen in 14 Themenfeldern" in page
    assert page.count('class="kern-card kern-card--interactive kern-card--small"') == 14
    assert "unter 10.944 Gemeinden" in page  # without the 283 city districts of Berlin, Hamburg and Bremen


def test_real_search_finds_strasse_and_fuehrerschein(client, reference_data):
    page = client.get("/leistungen/", {"q": "Strasse"}).content.decode()
    assert 'href="/leistungen/10348/"' in page  # Sondernutzung von Straßen und Verkehrsraumeinschränkung
    page = client.get("/leistungen/", {"q": "fuehrerschein"}).content.decode()
    assert 'href="/leistungen/10169/"' in page


def test_real_postcode_and_gemeinde(client, reference_data):
    page = client.get("/orte/", {"q": "66484"}).content.decode()
    for name in ("Battweiler", "Großsteinhausen", "Riedelberg", "Winterbach (Pfalz)"):
        assert name in page
    page = client.get("/orte/100410100100/").content.decode()
    assert "Saarbrücken" in page and "66111" in page


def test_real_service_links_gesetze_im_internet(client, reference_data):
    page = client.get("/leistungen/10169/").content.decode()
    assert "99023001000000" in page
    assert 'href="https://www.gesetze-im-internet.de/fev_2010/__4.html"' in page
