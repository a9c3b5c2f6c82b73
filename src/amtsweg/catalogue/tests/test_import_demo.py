"""`amtsweg demo --no-serve` on a test database, with the Saarland's reference rows and the full catalogue."""

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from amtsweg.catalogue.models import OzgService, PublicService, Topic
from amtsweg.core.management.commands.demo import DEMO_APPS
from amtsweg.geo.models import Municipality, PostcodeArea
from amtsweg.maturity.models import Area, AreaSnapshot, AreaSummary

SHIPPED = Path(settings.PROJECT_DIR) / "data" / "reference"


def _filter(source: Path, target: Path, keep) -> int:
    """Copy a shipped CSV keeping the header and the rows ``keep(row)`` accepts (as the real bytes)."""
    text = source.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    kept = [rows[0]] + [r for r in rows[1:] if keep(dict(zip(rows[0], r, strict=True)))]
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(kept)
    return len(kept) - 1


@pytest.fixture
def saarland_source(tmp_path):
    """The real files, cut down to the demo Land (Saarland, ARS prefix 10); the catalogue stays complete."""
    (tmp_path / "gemeinden").mkdir()
    shutil.copytree(SHIPPED / "ozg-katalog", tmp_path / "ozg-katalog")
    gemeinden = SHIPPED / "gemeinden"
    _filter(gemeinden / "gemeinden_ars_2026-06-30.csv", tmp_path / "gemeinden" / "gemeinden_ars_2026-06-30.csv",
            lambda r: r["ars"].startswith("10"))
    _filter(gemeinden / "destatis_gv_auszug_bevoelkerung.csv",
            tmp_path / "gemeinden" / "destatis_gv_auszug_bevoelkerung.csv", lambda r: r["land"] == "10")
    _filter(gemeinden / "zuordnung_plz_ort.csv", tmp_path / "gemeinden" / "zuordnung_plz_ort.csv",
            lambda r: r["ags"].startswith("10"))
    return tmp_path


@pytest.mark.django_db
def test_demo_without_serving_prepares_reference_and_demo_data(saarland_source):
    out = io.StringIO()

    call_command("demo", no_serve=True, source=saarland_source, stdout=out, stderr=io.StringIO())

    assert Municipality.objects.count() == 53  # 52 Gemeinden + the deutsch-luxemburgisches Gebiet
    assert Municipality.objects.get(ars="100410100100").population == 180_374
    assert PostcodeArea.objects.filter(postcode="66333").exists()
    assert Topic.objects.count() == 14
    assert OzgService.objects.count() == 557
    assert PublicService.objects.filter(key__in=["99102013000000", "99115004001005", "99012008001000"]).count() == 3
    text = out.getvalue()
    assert "Datenbank bereit" in text
    loaded = text.split("demo data loaded: ")[1].splitlines()[0]
    expected = [app for app in DEMO_APPS if (Path(settings.BASE_DIR) / app / "demo.py").exists()]
    assert loaded == (", ".join(expected) or "–")
    # casework: Saarbrücken's team with its staff account and a retention rule (issue 14)
    assert "Team Hundesteuer (Bürgeramt Saarbrücken) angelegt: Mitglied sb.sachbearbeitung" in text
    # issue 14's "Done when": a Kommune on Amtsweg-Sachbearbeitung with cases in every state, its accounts
    # printed; and Saarbrücken's Team Hundesteuer has cases too (its Hundesteuer destination is on the back office)
    from amtsweg.casework.models import Case

    assert set(Case.objects.filter(authority__area_ars="100410519519").values_list("state", flat=True)) == {
        "received", "in_progress", "inquiry", "decided", "closed", "forwarded"}
    assert Case.objects.filter(authority__area_ars="100410100100", team__name="Team Hundesteuer").count() >= 5
    for account in ("vk.sachbearbeitung", "vk.fachdienst", "vk.admin", "sb.sachbearbeitung"):
        assert f"Konto {account} (" in text and "Passwort" in text
    # maturity: the demo Land is measured at set-up, so its pages show data at once (issue 17)
    assert "Reifegrad des Saarlandes gemessen: " in text
    summaries = AreaSummary.objects.filter(area__land_code="10")
    assert summaries.count() == Area.objects.filter(land_code="10").count() > 50
    assert all(summary.relevant > 400 for summary in summaries)
    assert AreaSnapshot.objects.filter(land_code="10").count() == summaries.count()

    out = io.StringIO()
    call_command("demo", no_serve=True, source=saarland_source, stdout=out, stderr=io.StringIO())
    assert ": 0 Änderungen" in out.getvalue()  # idempotent, and so are the apps' demos
    assert "Team Hundesteuer (Bürgeramt Saarbrücken) bereits vorhanden" in out.getvalue()


@pytest.mark.django_db
def test_a_failing_app_demo_is_reported_rolled_back_and_the_others_still_load(monkeypatch):
    import importlib.machinery
    import sys
    import types

    from amtsweg.core.management.commands import demo

    def module(name, load_demo):
        mod = types.ModuleType(name)
        mod.__spec__ = importlib.machinery.ModuleSpec(name, loader=None)
        mod.load_demo = load_demo
        monkeypatch.setitem(sys.modules, name, mod)

    def broken(stdout):
        Topic.objects.create(number=99, name="halb angelegt")
        raise ValueError("kaputt")

    module("amtsweg.fake_broken.demo", broken)
    module("amtsweg.fake_good.demo", lambda stdout: stdout.write("Login: demo / demo\n"))
    monkeypatch.setattr(demo, "DEMO_APPS", ["fake_broken", "fake_missing", "fake_good"])
    # load_app_demos skips apps that are not installed: the two fakes with a demo count as installed.
    monkeypatch.setattr(demo.apps, "is_installed", lambda name: name in {"amtsweg.fake_broken", "amtsweg.fake_good"})
    out, err = io.StringIO(), io.StringIO()

    loaded, failed = demo.load_app_demos(out, err)

    assert (loaded, failed) == (["fake_good"], ["fake_broken"])
    assert "demo data of fake_broken failed: ValueError: kaputt" in err.getvalue()
    assert "Login: demo / demo" in out.getvalue()
    assert not Topic.objects.filter(number=99).exists()
