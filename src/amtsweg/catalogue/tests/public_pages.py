"""A small, realistic excerpt of the reference data for the public-page tests (names and keys are real)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from amtsweg.catalogue.tests.factories import (
    LifeSituationFactory,
    OzgServiceFactory,
    PublicServiceFactory,
    TopicFactory,
)
from amtsweg.geo.tests.factories import (
    DistrictFactory,
    LandFactory,
    MunicipalAssociationFactory,
    MunicipalityFactory,
    PostcodeAreaFactory,
)

FEV = "§ 4 Absatz 1 Satz 1 Fahrerlaubnis-Verordnung (FeV) [http://www.gesetze-im-internet.de/fev_2010/__4.html]"
FSTRG = (
    "§ 8 Bundesfernstraßengesetz (FstrG) [http://www.gesetze-im-internet.de/fstrg/__8.html], "
    "§ 46 Straßenverkehrsordnung (StVO) [http://www.gesetze-im-internet.de/stvo_2013/__46.html], "
    "Förderrichtlinie (FöRL) [https://www.foerderdatenbank.de/x]"
)


def build_catalogue() -> SimpleNamespace:
    mobility = TopicFactory(number=9, name="Mobilität & Reisen")
    business = TopicFactory(number=14, name="Unternehmensführung & -entwicklung")
    hobby = TopicFactory(number=5, name="Engagement & Hobby")
    building = TopicFactory(number=2, name="Bauen & Wohnen")

    licence = LifeSituationFactory(number=25, name="Führerschein", topic=mobility)
    events = LifeSituationFactory(number=52, name="Veranstaltungen", topic=business)
    pets = LifeSituationFactory(number=47, name="Tierhaltung", topic=hobby)
    construction = LifeSituationFactory(number=14, name="Bauen & Immobilien", topic=building)

    driving = OzgServiceFactory(ozg_id=10169, name="Führerschein", life_situation=licence)
    register = OzgServiceFactory(ozg_id=10168, name="Fahreignungsregister", life_situation=licence)
    streets = OzgServiceFactory(
        ozg_id=10348, name="Sondernutzung von Straßen und Verkehrsraumeinschränkung", life_situation=events
    )
    dogs = OzgServiceFactory(ozg_id=10160, name="Hundehaltung", life_situation=pets)
    permit = OzgServiceFactory(ozg_id=10519, name="Bauvorbescheid und Baugenehmigung", life_situation=construction)
    ended = OzgServiceFactory(
        ozg_id=10999, name="Alte Straßenleistung", life_situation=construction, ended_on=datetime.date(2024, 1, 1)
    )

    licence_basic = PublicServiceFactory(
        key="99023001000000", name="Führerschein", leika_type="2/3", legal_basis=FEV, ozg_services=[driving]
    )
    licence_issue = PublicServiceFactory(
        key="99023001012000", name="Führerschein Ausstellung", leika_type="2/3", ozg_services=[driving]
    )
    street_use = PublicServiceFactory(
        key="99108012005000",
        name="Sondernutzung von Straßen Erlaubnis",
        leika_type="2/3",
        legal_basis=FSTRG,
        ozg_services=[streets],
    )
    parking = PublicServiceFactory(
        key="99108011000000", name="Parkplatzabsperrung für Umzug Halteverbotszone", leika_type="5",
        ozg_services=[streets],
    )
    dog_tax = PublicServiceFactory(hundesteuer=True, leika_type="4", ozg_services=[dogs])
    building_permit = PublicServiceFactory(baugenehmigung=True, leika_type="4", ozg_services=[permit])
    not_in_leika = PublicServiceFactory(key="", name="Hundeführerschein Sachkundenachweis", leika_type="",
                                        ozg_services=[dogs])
    ended_leika = PublicServiceFactory(
        key="99023001099000", name="Führerschein Karteikarte", ended_on=datetime.date(2024, 1, 1),
        ozg_services=[driving],
    )
    return SimpleNamespace(**locals())


def build_places() -> SimpleNamespace:
    saarland = LandFactory(code="10", name="Saarland")
    rlp = LandFactory(code="07", name="Rheinland-Pfalz")
    sb_district = DistrictFactory(code="10041", name="Regionalverband Saarbrücken", land=saarland)
    swp = DistrictFactory(code="07340", name="Südwestpfalz", land=rlp)
    sb_assoc = MunicipalAssociationFactory(code="100410100", name="Saarbrücken, Landeshauptstadt",
                                           district=sb_district, land=saarland)
    vk_assoc = MunicipalAssociationFactory(code="100410519", name="", district=sb_district, land=saarland)
    zw_land = MunicipalAssociationFactory(code="073405008", name="Zweibrücken-Land", district=swp, land=rlp)

    saarbruecken = MunicipalityFactory(
        ars="100410100100", ags="10041100", name="Saarbrücken, Landeshauptstadt", association=sb_assoc,
        population=180_374, population_date=datetime.date(2024, 12, 31),
    )
    voelklingen = MunicipalityFactory(
        ars="100410519519", ags="10041519", name="Völklingen, Stadt", association=vk_assoc, population=None
    )
    althornbach = MunicipalityFactory(ars="073405008201", ags="07340201", name="Althornbach", association=zw_land,
                                      population=666)
    battweiler = MunicipalityFactory(ars="073405008202", ags="07340202", name="Battweiler", association=zw_land,
                                     population=667)
    grosssteinhausen = MunicipalityFactory(ars="073405008210", ags="07340210", name="Großsteinhausen",
                                           association=zw_land, population=598)

    PostcodeAreaFactory(postcode="66111", municipality=saarbruecken, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66113", municipality=saarbruecken, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66333", municipality=voelklingen, place_name="Völklingen")
    PostcodeAreaFactory(postcode="66482", municipality=althornbach, place_name="Althornbach")
    for municipality in (battweiler, grosssteinhausen):
        PostcodeAreaFactory(postcode="66484", municipality=municipality, place_name=municipality.name)
    # An OSM row whose Gemeinde was matched by AGS only (no foreign key): still listed under the postcode.
    PostcodeAreaFactory(postcode="66484", municipality=None, ags="07340201", place_name="Althornbach")
    return SimpleNamespace(**locals())
