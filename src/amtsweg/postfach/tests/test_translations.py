"""Every German text of the postfach app has an English translation (extracted afresh, looked up in the .mo)."""

from pathlib import Path

from amtsweg.assistants.tests.i18n import fuzzy, untranslated

APP_DIR = Path(__file__).resolve().parent.parent


def test_every_string_is_translated_and_compiled(tmp_path, monkeypatch):
    assert untranslated(APP_DIR, tmp_path, monkeypatch) == []


def test_no_fuzzy_translations():
    assert fuzzy(APP_DIR) == []
