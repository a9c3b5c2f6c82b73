"""PDF helpers (fpdf2): a Unicode TTF font so that umlauts, ß and € print correctly."""

from __future__ import annotations

from pathlib import Path

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def unicode_font(pdf) -> str:
    """Register DejaVu Sans (Debian fonts-dejavu-core, installed by bin/setup) and return its family name."""
    for directory in FONT_DIRS:
        regular = directory / "DejaVuSans.ttf"
        bold = directory / "DejaVuSans-Bold.ttf"
        if regular.exists():
            pdf.add_font("DejaVu", "", str(regular))
            if bold.exists():
                pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    raise RuntimeError("DejaVu fonts missing: run bin/setup (apt-get install fonts-dejavu-core)")
