"""Demo data: idempotent, private keys on disk match the published keys, every level is used, Land-level
entries go to the Land's office (not to the platform operator) and the Kreis Saarlouis has a destination."""

import io
import json
from pathlib import Path

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from amtsweg.accounts import demo as accounts_demo
from amtsweg.accounts.models import Authority
from amtsweg.core.actors import SYSTEM
from amtsweg.geo.tests.factories import (
    DistrictFactory,
    MunicipalAssociationFactory,
    MunicipalityFactory,
    PostcodeAreaFactory,
)
from amtsweg.routing import demo
from amtsweg.routing.models import Destination, Responsibility, ResponsibilityChange
from amtsweg.routing.resolution import resolve

pytestmark = pytest.mark.django_db

SAARLOUIS_ARS = "100440115115"


@pytest.fixture
def saarlouis(saarland, settings, tmp_path):
    """The Saarland fixture plus the Kreis Saarlouis with the Kreisstadt (postcode 66740); var dir in tmp."""
    settings.VAR_DIR = tmp_path
    kreis = DistrictFactory(code="10044", name="Saarlouis", land=saarland["land"])
    verband = MunicipalAssociationFactory(code="100440115", district=kreis, land=saarland["land"], name="Saarlouis")
    town = MunicipalityFactory(ars=SAARLOUIS_ARS, name="Saarlouis, Kreisstadt", association=verband)
    PostcodeAreaFactory(postcode="66740", municipality=town, place_name="Saarlouis")
    return {**saarland, "sls_kreis": kreis, "sls": town}


def test_demo_is_idempotent_and_its_private_keys_decrypt(saarlouis, tmp_path):
    demo.load_demo(io.StringIO())
    demo.load_demo(io.StringIO())
    assert Destination.objects.count() == len(demo.DESTINATIONS) == 6
    assert Responsibility.objects.count() == len(demo.RESPONSIBILITIES)
    assert {len(r.area_ars) for r in Responsibility.objects.all()} == {2, 5, 12}

    result = resolve(demo.BAUGENEHMIGUNG, ars="100410519519")
    assert result.area_ars == "10041"
    index = json.loads((tmp_path / "demo-keys" / "destinations.json").read_text())
    entry = next(e for e in index if e["destinationId"] == str(result.destination.pk))
    private = RSAKey.import_key(json.loads(Path(entry["encryptionPrivateKey"]).read_text()))
    public = result.destination.active_encryption_key()
    assert public.kid == entry["encryptionKid"]
    token = jwe.encrypt_compact({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": public.kid}, b"Antrag",
                                # joserfc maps RSA-OAEP to the "encrypt" key_op; FIT-Connect's keys say "wrapKey"
                                RSAKey.import_key({k: v for k, v in public.jwk.items() if k != "key_ops"}),
                                algorithms=["RSA-OAEP-256", "A256GCM"])
    assert jwe.decrypt_compact(token, private, algorithms=["RSA-OAEP-256", "A256GCM"]).plaintext == b"Antrag"
    assert oct(Path(entry["encryptionPrivateKey"]).stat().st_mode)[-3:] == "600"


def test_land_level_entries_go_to_the_land_office_not_to_the_platform_operator(saarlouis):
    accounts_demo.load_demo(io.StringIO())  # as `amtsweg demo` runs it: the operator is the first Land authority
    operator = Authority.objects.get(kind=Authority.Kind.LAND, name__startswith="IT-Dienstleistungszentrum")
    demo.load_demo(io.StringIO())

    result = resolve(demo.HUNDESTEUER, postcode="66740")
    assert result.found and result.area_ars == "10" and result.municipality_ars == SAARLOUIS_ARS
    office = result.authority
    assert office.name == demo.LAND_OFFICE and office.kind == Authority.Kind.LAND and office.pk != operator.pk
    assert office.land_id == saarlouis["land"].pk
    assert office.email and office.phone and office.street and office.opening_hours
    assert "Kommunen" not in office.opening_hours
    assert result.destination.authority == office
    assert not Responsibility.objects.filter(authority=operator).exists()
    assert not Destination.objects.filter(authority=operator).exists()

    demo.load_demo(io.StringIO())
    assert Authority.objects.filter(kind=Authority.Kind.LAND, name=demo.LAND_OFFICE).count() == 1


def test_kreis_saarlouis_has_its_own_destination_for_the_baugenehmigung(saarlouis, tmp_path):
    accounts_demo.load_demo(io.StringIO())
    kreis_office = Authority.objects.filter(area_ars="10044").order_by("pk").first()  # whom the shop connects
    demo.load_demo(io.StringIO())

    result = resolve(demo.BAUGENEHMIGUNG, postcode="66740")
    assert result.found and result.area_ars == "10044"
    assert result.authority == kreis_office and Authority.objects.filter(area_ars="10044").count() == 1
    destination = Destination.objects.filter(authority=kreis_office).order_by("created_at").first()
    assert result.destination == destination and destination.name == "Bauaufsicht Kreis Saarlouis"
    entry = next(e for e in json.loads((tmp_path / "demo-keys" / "destinations.json").read_text())
                 if e["destinationId"] == str(destination.pk))
    assert Path(entry["encryptionPrivateKey"]).exists() and Path(entry["signaturePrivateKey"]).exists()
    # the Regionalverband's Kreis keeps its own Bauaufsicht
    assert resolve(demo.BAUGENEHMIGUNG, ars="100410519519").authority.area_ars == "10041"


def test_demo_repairs_land_entries_an_earlier_run_gave_to_the_platform_operator(saarlouis):
    operator = Authority.objects.create(kind=Authority.Kind.LAND, area_ars="10", land=saarlouis["land"],
                                        name="IT-Dienstleistungszentrum Saarland – Amtsweg-Betrieb",
                                        email="amtsweg-betrieb@saarland.example")
    out = io.StringIO()
    old = demo._destination("land", operator, out)  # the state the earlier demo left behind
    Destination.objects.filter(pk=old.pk).update(notification_email=operator.email)
    demo.services.add_responsibility(demo.HUNDESTEUER, "10", operator, old, actor=SYSTEM)

    demo.load_demo(out)

    office = Authority.objects.get(kind=Authority.Kind.LAND, name=demo.LAND_OFFICE)
    old.refresh_from_db()
    assert old.authority == office and old.notification_email == office.email
    assert resolve(demo.HUNDESTEUER, ars=SAARLOUIS_ARS).authority == office
    assert not Responsibility.objects.filter(authority=operator).exists()
    assert ResponsibilityChange.objects.filter(action=ResponsibilityChange.Action.CHANGED, area_ars="10",
                                               authority_id=office.pk).exists()
    assert "jetzt bei" in out.getvalue()


def test_demo_keys_carry_chains_of_the_demo_pki(saarlouis, tmp_path):
    """FIT-Connect's JWK schema requires x5c (issue 15, item 4): the demo's keys are certified at set-up by the
    demo PKI generated into the var dir, and their chains pass the production check."""
    from amtsweg.routing.keys import validate_public_jwk
    from amtsweg.routing.models import DestinationKey

    demo.load_demo(io.StringIO())
    assert (tmp_path / "pki" / "root.crt.pem").exists()
    keys = list(DestinationKey.objects.all())
    assert len(keys) == 2 * len(demo.DESTINATIONS)
    for key in keys:
        assert len(key.jwk["x5c"]) == 3
        assert validate_public_jwk(key.jwk, key.purpose, require_chain=True)["x5c"] == key.jwk["x5c"]
