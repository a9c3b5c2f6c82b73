"""Every German text of every Amtsweg app has an English translation, and the compiled catalogue has it.

Per app, `makemessages` extracts the strings afresh from code and templates (on a copy of the app, so the
committed .po stays untouched) and each one is looked up in the committed .mo. That catches strings never
extracted, left empty, left fuzzy (msgfmt drops those) or translated in the .po but not compiled.
`msgfmt --check` additionally rejects a .po whose placeholders differ between German and English.
Django merges the apps' catalogues and the first app in INSTALLED_APPS wins, so a string each app translates
differently would silently show another app's wording: every app's translation must be the one shown.
A new app is checked as soon as it is in INSTALLED_APPS.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation

PO = Path("locale/en/LC_MESSAGES/django.po")
MO = PO.with_suffix(".mo")
APP_DIRS = sorted(Path(config.path) for config in apps.get_app_configs() if config.name.startswith("amtsweg."))
NOT_COPIED = shutil.ignore_patterns("__pycache__", "static", "data", "schemas", "xsd", "migrations", "tests")


class _Missing(gettext.NullTranslations):
    """The fallback of a catalogue: answers None where the catalogue has no translation."""

    def gettext(self, message):
        return None

    def ngettext(self, msgid1, msgid2, n):
        return None

    def pgettext(self, context, message):
        return None

    def npgettext(self, context, msgid1, msgid2, n):
        return None


def catalogue(mo_file: Path) -> gettext.GNUTranslations:
    with mo_file.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    translations.add_fallback(_Missing())
    return translations


def extracted(po_file: Path) -> list[tuple[str | None, str, str | None]]:
    """(msgctxt, msgid, msgid_plural) of the entries of a .po file, header and obsolete entries left out."""
    entries = []
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#"):
                continue
            if line.startswith("msg"):
                key, line = line.split(" ", 1)
                fields[key] = ""
            fields[key] += line.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        if fields.get("msgid"):
            entries.append((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
    return entries


def _lookup(translations, context: str | None, msgid: str, plural: str | None) -> str | None:
    if context and plural:
        return translations.npgettext(context, msgid, plural, 1)
    if context:
        return translations.pgettext(context, msgid)
    if plural:
        return translations.ngettext(msgid, plural, 1)
    return translations.gettext(msgid)


def untranslated(app_dir: Path, tmp_path: Path, monkeypatch, settings) -> list[str]:
    """Strings of the app's code and templates without an English translation in the committed .mo."""
    copy = tmp_path / app_dir.name
    shutil.copytree(app_dir, copy, ignore=NOT_COPIED)
    (copy / PO).unlink(missing_ok=True)
    (copy / "locale").mkdir(exist_ok=True)
    settings.LOCALE_PATHS = []  # makemessages writes into the copy's locale/, never into the project's
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0, no_location=True)
    if not (copy / PO).exists():
        return []  # no translatable string in this app
    if not (app_dir / MO).exists():
        return [f"{app_dir.name}: {MO} fehlt"]
    translations = catalogue(app_dir / MO)
    return [msgid for context, msgid, plural in extracted(copy / PO)
            if not _lookup(translations, context, msgid, plural)]


# Apps whose English catalogue is known to be missing, with the reason; the test reports XPASS once it is
# complete, and the entry goes. Never a way to land new untranslated text in a finished app.
NOT_YET_TRANSLATED: dict[str, str] = {}


@pytest.mark.parametrize("app_dir", [
    pytest.param(path, marks=pytest.mark.xfail(reason=NOT_YET_TRANSLATED[path.name], strict=False))
    if path.name in NOT_YET_TRANSLATED else path
    for path in APP_DIRS
], ids=[path.name for path in APP_DIRS])
def test_every_string_is_translated_and_compiled(app_dir, tmp_path, monkeypatch, settings):
    assert untranslated(app_dir, tmp_path, monkeypatch, settings) == []


@pytest.mark.parametrize("app_dir", APP_DIRS, ids=[path.name for path in APP_DIRS])
def test_the_catalogue_is_well_formed_and_has_no_fuzzy_entries(app_dir):
    po_file = app_dir / PO
    if not po_file.exists():
        pytest.skip("no translatable string")  # the test above fails if the app has any
    check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_file)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    assert "fuzzy" not in check.stderr and "untranslated" not in check.stderr, check.stderr


@pytest.mark.parametrize("app_dir", APP_DIRS, ids=[path.name for path in APP_DIRS])
def test_the_apps_translation_is_the_one_shown(app_dir):
    if not (app_dir / MO).exists():
        pytest.skip("no compiled catalogue: the app has no translatable string (the first test fails if it has)")
    own = catalogue(app_dir / MO)
    with translation.override("en"):
        shown = {
            msgid: (_lookup(own, context, msgid, plural), _lookup(translation, context, msgid, plural))
            for context, msgid, plural in extracted(app_dir / PO)
        }
    differing = {msgid: pair for msgid, pair in shown.items() if pair[0] and pair[0] != pair[1]}
    assert differing == {}, "(this app's translation, the one another app makes Django show)"


def test_every_app_is_checked():
    assert {"core", "accounts", "assistants", "submissions", "geo"} <= {path.name for path in APP_DIRS}
