import io
import re

import pytest
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.demo import load_demo
from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.testing import login_staff
from amtsweg.geo.tests.factories import DistrictFactory, LandFactory, MunicipalityFactory


@pytest.fixture
def demo_geography(db):
    land = LandFactory(code="10", name="Saarland")
    regionalverband = DistrictFactory(code="10041", name="Regionalverband Saarbrücken", land=land)
    DistrictFactory(code="10044", name="Saarlouis", land=land)
    for ars, name in (("100410100100", "Saarbrücken, Landeshauptstadt"), ("100410519519", "Völklingen, Stadt")):
        MunicipalityFactory(ars=ars, name=name, association__code=ars[:9], association__district=regionalverband)


@pytest.mark.django_db
def test_demo_creates_tenants_and_prints_secrets_once(demo_geography, client):
    out = io.StringIO()
    load_demo(out)
    text = out.getvalue()
    assert Authority.objects.filter(kind="land", area_ars="10").count() == 1
    assert set(Authority.objects.filter(kind="municipality").values_list("area_ars", flat=True)) == {
        "100410100100", "100410519519"}
    assert Authority.objects.get(kind="district").area_ars == "10044"
    assert User.objects.get(username="saarland.betrieb").is_land_operator
    for prefix in ("sb", "vk", "sls"):
        admin = User.objects.get(username=f"{prefix}.admin")
        assert admin.role == "kommune_admin" and TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
        assert User.objects.get(username=f"{prefix}.sachbearbeitung").role == "kommune_staff"
    assert text.count("otpauth://totp/Amtsweg%3A") == 4  # three admins and the Land operator
    password = re.search(r"Konto sb\.admin .*Passwort (\S+)", text).group(1)
    admin = User.objects.get(username="sb.admin")
    assert admin.check_password(password) and admin.password != password  # stored only hashed
    login_staff(client, admin)
    assert "Bürgeramt Saarbrücken" in client.get("/verwaltung/").content.decode()

    again = io.StringIO()
    load_demo(again)
    assert "Passwort" not in again.getvalue().replace("Passwörter unverändert", "")
    assert "otpauth" not in again.getvalue()
    assert Authority.objects.count() == 4 and User.objects.count() == 7
    assert User.objects.get(username="sb.admin").check_password(password)


@pytest.mark.django_db
def test_demo_needs_the_reference_data():
    with pytest.raises(CommandError, match="import-reference"):
        load_demo(io.StringIO())
    assert not Authority.objects.exists()
