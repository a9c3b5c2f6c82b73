"""Resolution: the most specific area wins; postcodes spanning several Gemeinden; clear answers for unknowns."""

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing import resolution
from amtsweg.routing.resolution import place_kwargs, resolve
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory

pytestmark = pytest.mark.django_db
KEY = "99102013000000"


@pytest.fixture
def layered(saarland):
    """Land, Kreis, Verband and Gemeinde entries for the same key."""
    land_office = DestinationFactory(authority=AuthorityFactory(land_office=True, land=saarland["land"]))
    kreis_office = DestinationFactory(authority=AuthorityFactory(district_office=True, district=saarland["kreis"]))
    sb_office = DestinationFactory(authority=AuthorityFactory(municipality=saarland["sb"]))
    vk_office = DestinationFactory(authority=AuthorityFactory(municipality=saarland["vk"]))
    return {
        "land": ResponsibilityFactory(destination=land_office, area_ars="10"),
        "kreis": ResponsibilityFactory(destination=kreis_office, area_ars="10041"),
        "verband": ResponsibilityFactory(destination=vk_office, area_ars="100410519"),
        "gemeinde": ResponsibilityFactory(destination=sb_office, area_ars="100410100100"),
    }


def test_gemeinde_beats_verband_beats_kreis_beats_land(saarland, layered):
    assert resolve(KEY, ars="100410100100").responsibility_id == layered["gemeinde"].pk
    assert resolve(KEY, ars="100410519519").responsibility_id == layered["verband"].pk
    assert resolve(KEY, ars="100420111111").responsibility_id == layered["land"].pk
    layered["verband"].delete()
    assert resolve(KEY, ars="100410519519").responsibility_id == layered["kreis"].pk


def test_found_result_names_the_area_and_gemeinde(saarland, layered):
    result = resolve(KEY, ars="100420111111")
    assert result.found and result.area_ars == "10"
    assert result.municipality_name == "Merzig, Kreisstadt"
    assert result.authority.kind == "land"
    assert result.destination.pk == layered["land"].destination_id


def test_short_ars_queries_use_that_level_and_above(saarland, layered):
    assert resolve(KEY, ars="10041").responsibility_id == layered["kreis"].pk
    assert resolve(KEY, ars="10").responsibility_id == layered["land"].pk


def test_ags_maps_to_the_gemeinde(saarland, layered):
    assert resolve(KEY, ags=saarland["sb"].ags).responsibility_id == layered["gemeinde"].pk
    assert resolve(KEY, ags="10041").responsibility_id == layered["kreis"].pk


def test_ambiguous_postcode_lists_the_gemeinden(saarland, layered):
    # the shared `saarland` fixture: 66333 spans Saarbrücken and Völklingen
    result = resolve(KEY, postcode="66333")
    assert result.ambiguous
    assert [c.ars for c in result.candidates] == ["100410100100", "100410519519"]
    assert "mehreren Gemeinden" in result.message
    # the place name picks one
    chosen = resolve(KEY, postcode="66333", place="Völklingen")
    assert chosen.found and chosen.responsibility_id == layered["verband"].pk
    # a place that matches none keeps the choice open
    assert resolve(KEY, postcode="66333", place="Berlin").ambiguous


def test_postcode_spanning_gemeinden_with_one_responsible_office_needs_no_choice(saarland):
    kreis = ResponsibilityFactory(
        destination=DestinationFactory(authority=AuthorityFactory(district_office=True, district=saarland["kreis"])),
        area_ars="10041",
    )
    # the shared `saarland` fixture: 66333 spans Saarbrücken and Völklingen
    result = resolve(KEY, postcode="66333")
    assert result.found and result.responsibility_id == kreis.pk
    assert len(result.candidates) == 2


def test_single_gemeinde_postcode_resolves_directly(saarland, layered):
    # the shared `saarland` fixture: 66111 is Saarbrücken only
    assert resolve(KEY, postcode="66111").responsibility_id == layered["gemeinde"].pk


def test_place_name_alone(saarland, layered):
    assert resolve(KEY, place="Völklingen").responsibility_id == layered["verband"].pk
    assert resolve(KEY, place="voelklingen").responsibility_id == layered["verband"].pk


def test_unknown_service_names_what_was_asked(saarland, layered):
    result = resolve("99999999999999", ars="100410100100")
    assert result.status == "not_found" and result.reason == "unknown_service"
    assert "99999999999999" in result.message and "Saarbrücken" in result.message


def test_no_responsibility_in_this_area(saarland):
    ResponsibilityFactory(
        destination=DestinationFactory(authority=AuthorityFactory(municipality=saarland["sb"])),
        area_ars="100410100100",
    )
    result = resolve(KEY, ars="100420111111")
    assert result.reason == "no_responsibility"
    assert "Merzig" in result.message and "keine zuständige Stelle" in result.message


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"ars": "100410100999"}, "unknown_area"),
        ({"ags": "10041999"}, "unknown_area"),
        ({"postcode": "01234"}, "unknown_area"),
        ({"place": "Atlantis"}, "unknown_area"),
        ({"ars": "1004"}, "invalid_ars"),
        ({"ags": "abc"}, "invalid_ags"),
        ({"postcode": "6611"}, "invalid_postcode"),
        # other scripts' digits: Python's \d took them (then "no responsibility" or "unknown" instead of invalid)
        ({"ars": "١٠"}, "invalid_ars"),
        ({"ags": "١٠٠٤١١٠٠"}, "invalid_ags"),
        ({"postcode": "٦٦١١١"}, "invalid_postcode"),
        ({}, "missing_area"),
        ({"ars": "10", "postcode": "66111"}, "several_areas"),
    ],
)
def test_unknown_or_malformed_places(saarland, layered, kwargs, reason):
    result = resolve(KEY, **kwargs)
    assert not result.found and result.reason == reason
    assert result.message


def test_malformed_key():
    result = resolve("123", ars="10")
    assert result.status == "invalid" and result.reason == "invalid_leika_key"
    assert "123" in result.message
    assert resolve("99١٠٢٠١٣٠٠٠٠٠٠", ars="10").reason == "invalid_leika_key"


def test_malformed_ars_message_names_every_level():
    result = resolve(KEY, ars="1004")
    assert "(2, 3, 5, 9 oder 12 Ziffern)" in result.message


def test_index_notices_writes_through_the_counter(saarland, layered):
    assert resolve(KEY, ars="100420111111").area_ars == "10"
    index = resolution.get_index()
    # another process writes: only the shared counter tells us
    resolution.invalidate(bump=True)
    resolution._index = index
    from amtsweg.routing.models import Responsibility

    Responsibility.objects.filter(pk=layered["land"].pk).update(area_ars="10")  # no signal
    assert resolution.get_index() is not index


def test_place_kwargs():
    assert place_kwargs("66111") == {"postcode": "66111"}
    assert place_kwargs("10041100") == {"ags": "10041100"}
    assert place_kwargs("100410100100") == {"ars": "100410100100"}
    assert place_kwargs("66333 Völklingen") == {"postcode": "66333", "place": "Völklingen"}
    assert place_kwargs(" Saarbrücken ") == {"place": "Saarbrücken"}


def test_namesakes_are_told_apart_by_kreis_and_land(saarland, layered):
    MunicipalityFactory(ars="100420111112", name="Völklingen-Nord", association=saarland["mzg"].association)
    result = resolve(KEY, place="Völklingen")
    assert result.found  # the exact short name wins over the prefix match
    result = resolve(KEY, place="Völkl")
    assert result.ambiguous
    assert {c.region for c in result.candidates} == {"Regionalverband Saarbrücken, Saarland", "Merzig-Wadern, Saarland"}
