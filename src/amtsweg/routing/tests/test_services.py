"""Rotation with grace period, responsibility rules and conflicts, Land bulk load (all or nothing)."""

import datetime as dt

import pytest
from django.utils import timezone

from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.routing import services
from amtsweg.routing.models import Destination, DestinationKey, Responsibility
from amtsweg.routing.resolution import resolve
from amtsweg.routing.services import RoutingError
from amtsweg.routing.tests.factories import DestinationFactory, cached_keypair, public_jwk

pytestmark = pytest.mark.django_db
KEY = "99102013000000"


def test_rotation_activates_the_new_key_and_keeps_the_old_one_for_the_grace_period(offices):
    destination = offices["sb"]
    old = destination.active_encryption_key()
    now = timezone.now()
    new = services.add_key(destination, public_jwk("encryption", "second-key-0001", number=1), "encryption",
                           grace_days=14, now=now, actor=SYSTEM)
    old.refresh_from_db()
    assert destination.active_encryption_key() == new
    assert old.retired_at == now and old.valid_until == now + dt.timedelta(days=14)
    assert old.state == "grace" and new.state == "active"
    assert set(destination.decryption_keys()) == {old, new}
    services.end_grace_period(old, actor=SYSTEM)
    old.refresh_from_db()
    assert old.state == "expired"
    assert set(destination.decryption_keys()) == {new}


def test_rotation_refuses_a_reused_kid_and_keeps_the_active_key(offices):
    destination = offices["sb"]
    active = destination.active_encryption_key()
    with pytest.raises(Exception) as info:
        services.add_key(destination, public_jwk("encryption", active.kid, number=1), "encryption", actor=SYSTEM)
    assert "schon vergeben" in str(info.value)
    assert destination.active_encryption_key() == active


def test_signature_key_rotation_is_separate(offices):
    destination = offices["sb"]
    enc = destination.active_encryption_key()
    sig = services.add_key(destination, public_jwk("signature", "sig-key-00001", number=1), "signature", actor=SYSTEM)
    assert destination.active_signature_key() == sig
    assert destination.active_encryption_key() == enc


def test_active_key_cannot_end_its_grace_period(offices):
    with pytest.raises(RoutingError):
        services.end_grace_period(offices["sb"].active_encryption_key(), actor=SYSTEM)


def test_create_destination_returns_the_secret_once_and_refuses_private_keys(saarland):
    authority = AuthorityFactory(municipality=saarland["sb"])
    created = services.create_destination(authority, name="Steueramt", channels=["pull"],
                                          encryption_jwk=public_jwk("encryption", "first-key-0001"), actor=SYSTEM)
    assert created.callback_secret == created.destination.callback_secret
    assert len(created.callback_secret) >= 48
    private = cached_keypair(0).as_dict(private=True) | {"kid": "priv-key-0001", "alg": "RSA-OAEP-256",
                                                         "key_ops": ["wrapKey"]}
    count = DestinationKey.objects.count()
    with pytest.raises(Exception) as info:
        services.create_destination(authority, name="Falsch", channels=["pull"], encryption_jwk=private, actor=SYSTEM)
    assert "privater Schlüssel" in str(info.value)
    assert DestinationKey.objects.count() == count
    assert not DestinationKey.objects.filter(jwk__has_key="d").exists()


def test_callback_channel_needs_an_https_address(saarland):
    authority = AuthorityFactory(municipality=saarland["sb"])
    with pytest.raises(RoutingError) as info:
        services.create_destination(authority, name="X", channels=["callback"], callback_url="http://x.example",
                                    encryption_jwk=public_jwk("encryption"), actor=SYSTEM)
    assert "https://" in str(info.value)
    assert not Destination.objects.filter(name="X").exists()


def test_conflicting_responsibility_is_refused(hundesteuer, offices):
    with pytest.raises(RoutingError) as info:
        services.add_responsibility(KEY, "10041", offices["kreis"].authority, offices["kreis"], actor=SYSTEM)
    assert "schon eine Zuständigkeit" in str(info.value)
    assert Responsibility.objects.filter(leika_key=KEY, area_ars="10041").count() == 1


def test_responsibility_rules(saarland, offices):
    sb = offices["sb"]
    with pytest.raises(RoutingError, match="Gemeindeverzeichnis"):
        services.add_responsibility(KEY, "100419999999", sb.authority, sb, actor=SYSTEM)
    with pytest.raises(RoutingError, match="kein gültiger Leistungsschlüssel"):
        services.add_responsibility("12", "100410100100", sb.authority, sb, actor=SYSTEM)
    with pytest.raises(RoutingError, match="kein gültiger Leistungsschlüssel"):  # stored before: \d{12} took it
        services.add_responsibility("99١٠٢٠١٣٠٠٠٠٠٠", "100410100100", sb.authority, sb, actor=SYSTEM)
    with pytest.raises(RoutingError, match="2, 3, 5, 9 oder 12"):
        services.add_responsibility(KEY, "١٠", sb.authority, sb, actor=SYSTEM)
    with pytest.raises(RoutingError, match="gehört nicht"):
        services.add_responsibility(KEY, "100410100100", sb.authority, offices["vk"], actor=SYSTEM)
    # a Land's central destination may serve a Kommune of its Land
    created = services.add_responsibility(KEY, "100410100100", sb.authority, offices["land"], actor=SYSTEM)
    assert resolve(KEY, ars="100410100100").destination.pk == offices["land"].pk
    assert created.authority == sb.authority


def test_kommune_staff_manage_only_their_own_area(saarland, offices):
    staff = UserFactory(authority=offices["sb"].authority)
    with pytest.raises(RoutingError, match="Gebiet 10041"):
        services.add_responsibility(KEY, "10041", offices["sb"].authority, offices["sb"], actor=staff)
    with pytest.raises(RoutingError):
        services.add_responsibility(KEY, "100410519519", offices["vk"].authority, offices["vk"], actor=staff)
    assert services.add_responsibility(KEY, "100410100100", offices["sb"].authority, offices["sb"], actor=staff)


def test_bulk_load_is_all_or_nothing(saarland):
    land_office = AuthorityFactory(land_office=True, land=saarland["land"])
    operator = UserFactory(land_operator=True, authority=land_office)
    central = AuthorityFactory(land_office=True, land=saarland["land"], name="Landesverwaltungsamt")
    good = {"authorityId": central.pk, "name": "Zentrale Antragsstelle", "channels": ["pull"],
            "encryptionKey": public_jwk("encryption", "bulk-key-0001")}
    bad = {"authorityArs": "10", "name": "Kaputt", "encryptionKey": {
        **public_jwk("encryption", "bulk-key-0002"), "alg": "RSA1_5"}}
    result = services.bulk_load_destinations([good, bad, "x"], actor=operator)
    assert [n for n, _r in result.errors] == [2, 3]
    assert "Unbekannter Algorithmus" in result.errors[0][1]
    assert not Destination.objects.exists()
    result = services.bulk_load_destinations([good], actor=operator)
    assert not result.errors and Destination.objects.get().name == "Zentrale Antragsstelle"


def test_bulk_load_by_the_land_refuses_kommunen(saarland):
    """Issue 12.1: a Land operator registered destinations (with keys the Land holds) for Kommunen."""
    operator = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True, land=saarland["land"]))
    sb = AuthorityFactory(municipality=saarland["sb"])
    result = services.bulk_load_destinations(
        [{"authorityId": sb.pk, "name": "Bürgeramt", "encryptionKey": public_jwk("encryption")}], actor=operator)
    assert result.errors and "Zuständigkeitsbereich" in result.errors[0][1]
    assert not Destination.objects.exists()


def test_a_land_operator_cannot_touch_a_kommunes_destination_or_keys(saarland, offices):
    """Issue 12.1: a Land operator could register a key it holds as the active key of a Kommune's destination."""
    operator = UserFactory(land_operator=True, authority=offices["land"].authority)
    sb = offices["sb"]
    active = sb.active_encryption_key()
    with pytest.raises(RoutingError):
        services.add_key(sb, public_jwk("encryption", "land-key-0001", number=1), "encryption", actor=operator)
    with pytest.raises(RoutingError):
        services.update_destination(sb, actor=operator, name="Umgeleitet")
    with pytest.raises(RoutingError):
        services.regenerate_callback_secret(sb, actor=operator)
    with pytest.raises(RoutingError):
        services.create_destination(sb.authority, name="Zweiter", channels=["pull"],
                                    encryption_jwk=public_jwk("encryption", "land-key-0002"), actor=operator)
    assert sb.active_encryption_key() == active
    assert Destination.objects.filter(authority=sb.authority).count() == 1
    # The Land's own destinations remain the Land's to manage.
    own = services.add_key(offices["land"], public_jwk("encryption", "land-key-0003", number=1), "encryption",
                           actor=operator)
    assert offices["land"].active_encryption_key() == own


def test_a_land_operator_registers_only_land_wide_responsibilities_of_the_land(saarland, offices):
    operator = UserFactory(land_operator=True, authority=offices["land"].authority)
    land = offices["land"]
    for area in ("10041", "100410100100"):  # would take precedence over the Kommune's own entries
        with pytest.raises(RoutingError, match="Gebiet"):
            services.add_responsibility(KEY, area, land.authority, land, actor=operator)
    with pytest.raises(RoutingError):
        services.add_responsibility(KEY, "10", offices["sb"].authority, offices["sb"], actor=operator)
    assert services.add_responsibility(KEY, "10", land.authority, land, actor=operator)


def test_bulk_load_refuses_authorities_of_another_land(saarland):
    from amtsweg.geo.tests.factories import LandFactory

    other_land_office = AuthorityFactory(land_office=True, land=LandFactory(code="09", name="Bayern"))
    operator = UserFactory(land_operator=True, authority=other_land_office)
    sb = AuthorityFactory(municipality=saarland["sb"])
    result = services.bulk_load_destinations(
        [{"authorityId": sb.pk, "name": "X", "encryptionKey": public_jwk("encryption")}], actor=operator)
    assert result.errors and not Destination.objects.exists()


def test_inactive_destination_is_still_found_but_says_so(hundesteuer):
    destination = hundesteuer["sb"].destination
    services.update_destination(destination, status=Destination.Status.INACTIVE, actor=SYSTEM)
    result = resolve(KEY, ars="100410100100")
    assert result.destination.status == "inactive"


def test_destination_factory_states():
    assert DestinationFactory(callback=True).accepts_callback


def test_every_change_of_a_responsibility_is_recorded_and_scoped(saarland, offices, client):
    from amtsweg.accounts.testing import login_staff
    from amtsweg.routing.importer import import_responsibilities
    from amtsweg.routing.models import ResponsibilityChange

    staff = UserFactory(authority=offices["sb"].authority)
    created = services.add_responsibility(KEY, "100410100100", offices["sb"].authority, offices["sb"], actor=staff)
    services.change_responsibility(created, destination=offices["land"], actor=staff)
    services.remove_responsibility(created, actor=staff)
    csv = f"leika_key,area_ars,destination_id\n{KEY},100410519519,{offices['vk'].pk}\n"
    import_responsibilities(csv.encode(), actor=SYSTEM)
    actions = list(ResponsibilityChange.objects.order_by("pk").values_list("action", "area_ars", "user"))
    assert actions == [("created", "100410100100", staff.pk), ("changed", "100410100100", staff.pk),
                       ("deleted", "100410100100", staff.pk), ("imported", "100410519519", None)]
    assert [c.action for c in ResponsibilityChange.objects.visible_to(staff)] == ["deleted", "changed", "created"]
    login_staff(client, staff)
    page = client.get("/verwaltung/zustaendigkeiten/").content.decode()
    assert "Letzte Änderungen" in page and "100410519519" not in page


def test_the_responsibility_model_checks_keys_with_the_one_key_format_module():
    """The model's field validators are core.keyformats' (issue 13, item 8): ASCII digits only, and an area
    may be a 3-digit Regierungsbezirk; the message says so. Its own regular expressions took any Unicode
    digit and named only four levels."""
    from django.core.exceptions import ValidationError

    from amtsweg.routing.models import Responsibility

    leika_key, area = Responsibility._meta.get_field("leika_key"), Responsibility._meta.get_field("area_ars")
    leika_key.run_validators("99102013000000")
    area.run_validators("101")  # Regierungsbezirk-level keys are areas too
    with pytest.raises(ValidationError):
        leika_key.run_validators("99" + "١" * 12)  # Arabic-Indic digits are \d for a regular expression
    with pytest.raises(ValidationError) as info:
        area.run_validators("１０")
    assert "Regierungsbezirk" in str(info.value)
