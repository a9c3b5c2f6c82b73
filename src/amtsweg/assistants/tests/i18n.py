"""Check that every German string of an app has an English translation in its compiled catalogue.

Extracts the strings afresh with `makemessages` (on a copy of the app, so the committed .po is untouched)
and looks each one up in the committed .mo: catches strings never extracted, left empty, left fuzzy
(msgfmt drops those) or translated in the .po but not compiled.
"""

from __future__ import annotations

import ast
import gettext
import shutil
from pathlib import Path

from django.core.management import call_command


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line.split(" ", 1)[1] if line.startswith("msg") else line) for line in lines)


def po_entries(po_file: Path) -> list[dict]:
    """The entries of a .po file as dicts (msgctxt, msgid, msgid_plural, msgstr…, fuzzy); obsolete ones left out."""
    entries = []
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().split("\n") if line and not line.startswith("#~")]
        entry: dict = {"fuzzy": any(line.startswith("#,") and "fuzzy" in line for line in lines)}
        key, values = None, []
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith("msg"):
                if key:
                    entry[key] = _unquote(values)
                key, values = line.split(" ", 1)[0], [line]
            else:
                values.append(line)
        if key:
            entry[key] = _unquote(values)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def untranslated(app_dir: Path, tmp_path: Path, monkeypatch) -> list[str]:
    """Strings of the app's code and templates without an English translation in the committed .mo."""
    copy = tmp_path / app_dir.name
    shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "data", "schemas", "xsd"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0)
    with (app_dir / "locale/en/LC_MESSAGES/django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001 - the raw msgid → msgstr table
    missing = []
    for entry in po_entries(copy / "locale/en/LC_MESSAGES/django.po"):
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        translation = catalog.get((key, 0) if "msgid_plural" in entry else key)
        if not translation:
            missing.append(entry["msgid"])
    return missing


def fuzzy(app_dir: Path) -> list[str]:
    return [e["msgid"] for e in po_entries(app_dir / "locale/en/LC_MESSAGES/django.po") if e["fuzzy"]]
