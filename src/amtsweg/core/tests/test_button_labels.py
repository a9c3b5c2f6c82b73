"""KERN sizes a button that contains a `.kern-sr-only` element as an icon-only button (`.kern-btn:has(.kern-sr-only)`
is 48 px wide, 32 px for `--x-small`), so a visible label beside hidden words spills out of its frame onto the
next control ("Veröffentlichen" lay on "Bearbeiten" in the form versions table). A text button names its row for
screen readers with `aria-label` instead; only icon buttons may carry hidden text."""

from __future__ import annotations

import re
from pathlib import Path

import amtsweg

TEXT_BUTTON = re.compile(r'<(button|a)\b[^>]*class="[^"]*\bkern-btn\b[^"]*"[^>]*>(.*?)</\1>', re.S)


def shrunken_text_buttons(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        for match in TEXT_BUTTON.finditer(path.read_text(encoding="utf-8")):
            inner = match.group(2)
            if "kern-sr-only" in inner and "kern-icon" not in inner:
                found.append(f"{path.relative_to(root)}: {' '.join(match.group(0).split())[:120]}")
    return found


def test_no_text_button_hides_words_inside_it():
    assert shrunken_text_buttons(Path(amtsweg.__file__).parent) == []


def test_the_check_finds_a_text_button_with_hidden_words(tmp_path):
    (tmp_path / "t.html").write_text('<button class="kern-btn kern-btn--small"><span class="kern-label">Senden'
                                     '<span class="kern-sr-only"> Antrag 1</span></span></button>'
                                     '<button class="kern-btn"><span class="kern-icon"></span>'
                                     '<span class="kern-sr-only">Menü</span></button>', encoding="utf-8")
    assert len(shrunken_text_buttons(tmp_path)) == 1
