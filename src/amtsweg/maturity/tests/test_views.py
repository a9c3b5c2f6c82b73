"""The maturity pages and the open-data API (issue 17): what each audience sees, and nothing more.

A real measurement (`compute.recompute_all` over factories' Gemeinden) feeds the pages: the Kommune sees its
own shares, gaps with their action link, peer ranks with the size classes, what is not measurable and how
weights are made; it declares a service with a validated form (German errors) and sees it as "erklärt"
beside the measured levels. The Land operator sees its own Land only, with CSV and JSON exports; the public
page and API show aggregates per Kommune of any Land.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.catalogue.models import PublicService
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
from amtsweg.core import charts
from amtsweg.core.actors import SYSTEM
from amtsweg.geo.tests.factories import (
    DistrictFactory,
    LandFactory,
    MunicipalAssociationFactory,
    MunicipalityFactory,
)
from amtsweg.maturity import compute, queries
from amtsweg.maturity.models import Area, Cell, DeclaredService
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured_world():
    """Two Gemeinden of one Land and one of another, two municipal services, one responsibility: measured."""
    kommune = AuthorityFactory(municipality__population=12_000)
    land = kommune.municipality.land
    neighbour = AuthorityFactory(municipality=MunicipalityFactory(land=land, district=kommune.municipality.district,
                                                                  population=9_000))
    rheinland_pfalz = LandFactory(code="07", name="Rheinland-Pfalz")
    association = MunicipalAssociationFactory(district=DistrictFactory(land=rheinland_pfalz, code="07131"))
    elsewhere = AuthorityFactory(municipality=MunicipalityFactory(association=association, population=9_000))
    dog = OzgServiceFactory(name="Hundesteuer")
    passport = OzgServiceFactory(name="Reisepass")
    PublicServiceFactory(key="99102013000000", leika_type="5", ozg_services=[dog])
    PublicServiceFactory(key="99102014000000", leika_type="3", ozg_services=[passport])
    ResponsibilityFactory(authority=kommune, area_ars=kommune.area_ars, leika_key="99102013000000",
                          destination__authority=kommune)
    compute.recompute_all(actor=SYSTEM)
    staff = UserFactory(authority=kommune)
    admin = UserFactory(authority=kommune, kommune_admin=True)
    other = UserFactory(authority=neighbour, kommune_admin=True)
    operator = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True, land=land))
    return {"kommune": kommune, "neighbour": neighbour, "elsewhere": elsewhere, "dog": dog, "passport": passport,
            "staff": staff, "admin": admin, "other": other, "operator": operator, "land": land}


def _as(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def test_kommune_page_shows_shares_gaps_peers_and_the_method(measured_world):
    page = _as(measured_world["staff"]).get("/verwaltung/reifegrad/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wie digital ist unsere Kommune?" in html
    assert measured_world["kommune"].municipality.name in html
    assert html.count('role="img"') >= 4  # totals 1.1 and 2.0, Themenfeld, Lebenslage (+ history)
    assert "Daten als Tabelle" in html
    # the gaps, heaviest first, each with why and what helps (linked)
    gaps = html[html.index('id="gaps"'):html.index("</table>", html.index('id="gaps"'))]
    assert "Hundesteuer" in gaps and "Reisepass" in gaps
    assert "kein Online-Antrag verfügbar" in gaps
    assert 'href="/verwaltung/shop/"' in gaps or 'href="/verwaltung/zustaendigkeiten/neu/"' in gaps
    # peers and size classes stated; what is not measurable and how weights are made
    assert "Perzentil" in html and "5.000 bis unter 20.000 Einwohner" in html
    assert "500.000 Einwohner und mehr" in html
    assert "Nicht messbar" in html and "Once-Only" in html
    assert "Gewicht einer Lücke" in html


def test_service_page_explains_every_criterion(measured_world):
    page = _as(measured_world["staff"]).get(f"/verwaltung/reifegrad/leistung/{measured_world['dog'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Leistungsbeschreibung" in html and "erfüllt" in html and "nicht messbar" in html
    assert "Stufe 1" in html


def test_a_service_the_kommune_is_not_measured_on_is_not_found(measured_world):
    unrelated = OzgServiceFactory(name="Bundesleistung")
    assert _as(measured_world["staff"]).get(f"/verwaltung/reifegrad/leistung/{unrelated.pk}/").status_code == 404


def test_declaring_a_service_validates_in_german_and_shows_it_as_declared(measured_world):
    client = _as(measured_world["admin"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    answer = client.post("/verwaltung/reifegrad/erklaeren/", {
        "service": measured_world["passport"].pk, "url": "keine adresse", "declared_on": tomorrow, "level_v11": "9",
        "evidence": ""})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Bitte geben Sie eine vollständige Webadresse an" in html
    assert "Das Datum liegt in der Zukunft" in html
    assert "Bitte wählen Sie eine Stufe von 0 bis 4." in html
    assert "Bitte nennen Sie einen Nachweis" in html
    assert 'aria-invalid="true"' in html
    assert not DeclaredService.objects.exists()

    answer = client.post("/verwaltung/reifegrad/erklaeren/", {
        "service": measured_world["passport"].pk, "url": "https://termine.kommune.example/reisepass",
        "declared_on": "2026-03-01", "level_v11": "3", "level_v2": "", "evidence": "Prüfbericht vom März"})
    assert answer.status_code == 302
    declared = DeclaredService.objects.get()
    assert (declared.authority, declared.service, declared.level_v11, declared.level_v2) == \
        (measured_world["kommune"], measured_world["passport"], 3, None)
    html = client.get("/verwaltung/reifegrad/").content.decode()
    section = html[html.index('id="declared"'):]
    assert "Reisepass" in section and "erklärt" in section and "termine.kommune.example" in section
    # declared never mixes with measured: the passport is still a gap at its measured level
    gaps = html[html.index('id="gaps"'):html.index('id="declared"')]
    assert "Reisepass" in gaps


def test_another_kommune_neither_sees_nor_withdraws_a_declaration(measured_world):
    declared = DeclaredService.objects.create(authority=measured_world["kommune"], service=measured_world["passport"],
                                              url="https://geheim.kommune.example/", level_v11=3,
                                              declared_on=dt.date(2026, 1, 1), evidence="interner Prüfbericht")
    other = _as(measured_world["other"])
    assert "geheim.kommune.example" not in other.get("/verwaltung/reifegrad/").content.decode()
    assert other.post(f"/verwaltung/reifegrad/erklaert/{declared.pk}/zurueckziehen/").status_code == 404
    assert DeclaredService.objects.filter(pk=declared.pk).exists()
    own = _as(measured_world["admin"])
    assert own.post(f"/verwaltung/reifegrad/erklaert/{declared.pk}/zurueckziehen/").status_code == 302
    assert not DeclaredService.objects.exists()


def test_land_page_and_exports_cover_the_own_land_only(measured_world):
    client = _as(measured_world["operator"])
    html = client.get("/land/reifegrad/").content.decode()
    assert "heat__cell" in html and "Verbreitung je Kreis" in html
    assert "Angebote, die die meisten Kommunen voranbringen" in html

    export = client.get("/land/reifegrad/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["ars", "name", "art"]
    ars = {row[0] for row in rows[1:]}
    assert measured_world["kommune"].area_ars in ars and measured_world["neighbour"].area_ars in ars
    assert measured_world["elsewhere"].area_ars not in ars

    body = json.loads(client.get("/land/reifegrad/export.json").content)
    assert body["land"]["code"] == measured_world["land"].code
    assert {a["ars"] for a in body["areas"]} == ars
    assert all(a["ars"] not in (measured_world["elsewhere"].area_ars,) for a in body["areas"])


def test_land_offers_name_their_share_of_the_lands_demand_not_a_raw_weight(measured_world):
    """The weight (demand factor × inhabitants) has no unit a reader knows; it printed as "176652773,0"."""
    offer = OfferFactory(land_code=measured_world["land"].code, name="Hundesteuer online")
    offer.public_services.set(PublicService.objects.filter(key="99102013000000"))
    cells = Cell.objects.filter(area__land_code=measured_world["land"].code, area__kind=Area.Kind.GEMEINDE)
    raised = cells.filter(service=measured_world["dog"], level_v11__lt=2)
    assert raised.count() == 2  # neither Gemeinde has Hundesteuer online yet
    expected = sum(c.weight for c in raised) / sum(c.weight for c in cells)

    [row] = queries.top_offers(measured_world["land"].code)
    assert row["kommunen_raised"] == 2
    assert 0 < row["demand_share"] < 1 and row["demand_share"] == pytest.approx(expected)
    html = _as(measured_world["operator"]).get("/land/reifegrad/").content.decode()
    table = html[html.index('id="top-offers"'):html.index("</table>", html.index('id="top-offers"'))]
    assert "Anteil an der Nachfrage im Land" in table
    assert charts.percent(expected, 1) in table
    assert f"{row['weight']:.1f}".replace(".", ",") not in table


def test_public_page_and_api_show_aggregates_per_kommune(measured_world, client):
    code = measured_world["land"].code
    page = client.get(f"/reifegrad/{code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert measured_world["land"].name in html and f"/api/maturity/v1/lands/{code}" in html
    assert "interner" not in html

    body = client.get(f"/api/maturity/v1/lands/{code}").json()
    assert body["land"] == {"code": code, "name": measured_world["land"].name}
    kommune = next(a for a in body["areas"] if a["ars"] == measured_world["kommune"].area_ars)
    assert kommune["relevant"] == 2 and sum(kommune["levelsV11"]) == 2 and len(kommune["levelsV2"]) == 8
    assert kommune["sizeClass"] == 2
    assert body["notMeasurable"]

    answer = client.get(f"/api/maturity/v1/lands/{code}/areas.csv")
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "ars" and len(rows) == len(body["areas"]) + 1

    lands = client.get("/api/maturity/v1/lands").json()["lands"]
    assert {"code": code, "name": measured_world["land"].name} in lands


@pytest.mark.parametrize("path", ["/api/maturity/v1/lands/99", "/api/maturity/v1/lands/x",
                                  "/api/maturity/v1/lands/99/areas.csv"])
def test_unknown_land_is_a_problem_document(db, client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_public_page_of_an_unknown_land_is_not_found(db, client):
    assert client.get("/reifegrad/99/").status_code == 404


@pytest.mark.parametrize("hostile", ["\x00", "x" * 5000, "-1", "99999999999999999999", "<script>", "2026-02-30",
                                     "javascript:alert(1)"])
def test_declare_form_answers_hostile_values_with_german_errors(measured_world, hostile):
    client = _as(measured_world["admin"])
    answer = client.post("/verwaltung/reifegrad/erklaeren/", {
        "service": hostile, "url": hostile, "declared_on": hostile, "level_v11": hostile, "level_v2": hostile,
        "evidence": hostile * 2})
    assert answer.status_code in (200, 400)
    assert not DeclaredService.objects.exists()


@pytest.fixture
def fallback_kommune(settings):
    """A Gemeinde without an entry of its own, served online through the Land office's Land-wide entry."""
    from amtsweg.maturity.tests.worlds import build_fallback_world
    from amtsweg.routing import resolution

    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    resolution.invalidate(bump=False)
    world = build_fallback_world()
    kommune = AuthorityFactory(municipality=world["gemeinden"][2], name="Gemeinde ohne eigenen Eintrag")
    compute.recompute_all(actor=SYSTEM)
    yield {**world, "kommune": kommune, "staff": UserFactory(authority=kommune)}


def test_a_fallback_served_kommune_is_told_it_is_online_through_the_land_office(fallback_kommune):
    """Issue 16 item 1: the dashboard says how citizens apply online, never that the service is offline, and
    still offers taking it over."""
    office = fallback_kommune["land_office"].name
    html = _as(fallback_kommune["staff"]).get("/verwaltung/reifegrad/").content.decode()
    gaps = html[html.index('id="gaps"'):html.index("</table>", html.index('id="gaps"'))]
    dog_row = next(row for row in gaps.split("<tr")[1:] if "Hundesteuer" in row)
    assert f"Online über {office} (Landesebene)." in dog_row
    assert "kein Online-Antrag verfügbar" not in dog_row
    assert "Leistung selbst übernehmen (Online-Dienst im Shop)" in dog_row and 'href="/verwaltung/shop/"' in dog_row
    permit_row = next(row for row in gaps.split("<tr")[1:] if "Baugenehmigung" in row)
    assert "kein Online-Antrag verfügbar" in permit_row  # only a planned offer: offline, said so
    online = html[html.index('id="online-services"'):html.index("</table>", html.index('id="online-services"'))]
    assert "Hundesteuer" in online and f"online über {office} (Landesebene)" in online

    dog = fallback_kommune["services"]["99102013000000"]
    page = _as(fallback_kommune["staff"]).get(f"/verwaltung/reifegrad/leistung/{dog.pk}/").content.decode()
    assert f"Ihre Einwohner können die Leistung online über {office} (Landesebene) beantragen" in page
    assert "Leistung selbst übernehmen" in page
