"""Saarland fixtures shared by the routing tests."""

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.geo.tests.factories import (
    DistrictFactory,
    LandFactory,
    MunicipalAssociationFactory,
    MunicipalityFactory,
    PostcodeAreaFactory,
)
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory


@pytest.fixture
def saarland(db):
    """Land 10; Kreis 10041 with Saarbrücken and Völklingen; Kreis 10042 with Merzig; postcode 66333 spans
    Saarbrücken and Völklingen, 66111 is Saarbrücken only."""
    land = LandFactory(code="10", name="Saarland")
    kreis = DistrictFactory(code="10041", name="Regionalverband Saarbrücken", land=land)
    other_kreis = DistrictFactory(code="10042", name="Merzig-Wadern", land=land)
    sb_verband = MunicipalAssociationFactory(code="100410100", district=kreis, land=land, name="Saarbrücken")
    vk_verband = MunicipalAssociationFactory(code="100410519", district=kreis, land=land, name="Völklingen")
    mzg_verband = MunicipalAssociationFactory(code="100420111", district=other_kreis, land=land, name="Merzig")
    sb = MunicipalityFactory(ars="100410100100", name="Saarbrücken, Landeshauptstadt", association=sb_verband)
    vk = MunicipalityFactory(ars="100410519519", name="Völklingen, Mittelstadt", association=vk_verband)
    mzg = MunicipalityFactory(ars="100420111111", name="Merzig, Kreisstadt", association=mzg_verband)
    PostcodeAreaFactory(postcode="66111", municipality=sb, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66333", municipality=sb, place_name="Saarbrücken")
    PostcodeAreaFactory(postcode="66333", municipality=vk, place_name="Völklingen")
    return {"land": land, "kreis": kreis, "other_kreis": other_kreis, "sb": sb, "vk": vk, "mzg": mzg}


@pytest.fixture
def offices(saarland):
    """An Authority with a destination for the Land, the Kreis 10041 and the two Gemeinden."""
    return {
        "land": DestinationFactory(authority=AuthorityFactory(land_office=True, land=saarland["land"])),
        "kreis": DestinationFactory(authority=AuthorityFactory(district_office=True, district=saarland["kreis"])),
        "sb": DestinationFactory(authority=AuthorityFactory(municipality=saarland["sb"], website="https://www.saarbruecken.de")),
        "vk": DestinationFactory(authority=AuthorityFactory(municipality=saarland["vk"])),
    }


@pytest.fixture
def hundesteuer(offices):
    """Hundesteuer: Land-wide default, Kreis 10041, Saarbrücken itself."""
    return {
        "land": ResponsibilityFactory(destination=offices["land"], area_ars="10"),
        "kreis": ResponsibilityFactory(destination=offices["kreis"], area_ars="10041"),
        "sb": ResponsibilityFactory(destination=offices["sb"], area_ars="100410100100"),
    }
