"""PDF helpers (fpdf2): Unicode TTF fonts so that every name prints, not only umlauts, ß and €.

DejaVu Sans (Debian's fonts-dejavu-core) covers Latin, Greek, Cyrillic, Arabic, Hebrew and more; an
applicant named 李小龍 or 김민준 needs a CJK font, अनुष्का or สมชาย another. fpdf2 would otherwise drop those
glyphs and log a warning naming them (personal data in the log, and a receipt without the applicant's
name). `unicode_font` therefore registers fallback fonts (Debian's fonts-wqy-microhei and
fonts-freefont-ttf, installed by bin/setup) for the characters DejaVu lacks, but only when the document
needs them: parsing the 5 MB CJK font costs about 0.2 s, which most documents need not pay.

Arabic and Hebrew run right to left and join their letters; Indic and Thai scripts combine marks with
their consonants. Their glyphs alone print such a name wrongly, so text in these scripts goes through
HarfBuzz (fpdf2's text shaping with uharfbuzz), cell by cell (`shaping_for`): shaping costs about five
times the plain layout, which Latin text need not pay.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
# Fallbacks for what DejaVu lacks, tried in this order (name for fpdf2, file). Files that are missing are
# skipped; the glyphs they would have drawn are then missing as before.
FALLBACK_FONTS = [
    ("WenQuanYiMicroHei", Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),  # Chinese, Japanese, Korean
    ("FreeSerif", Path("/usr/share/fonts/truetype/freefont/FreeSerif.ttf")),  # Indic, Thai, Ethiopic, ...
]


@cache
def covered_codepoints(path: Path) -> frozenset[int]:
    """The characters a font file has glyphs for (the first font of a collection), read once per process."""
    with TTFont(str(path), fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _dejavu() -> tuple[Path, Path | None]:
    for directory in FONT_DIRS:
        regular = directory / "DejaVuSans.ttf"
        if regular.exists():
            bold = directory / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.exists() else None
    raise RuntimeError("DejaVu fonts missing: run bin/setup (apt-get install fonts-dejavu-core)")


def unicode_font(pdf, texts: Iterable[str] = ()) -> str:
    """Register DejaVu Sans (regular and bold) and return its family name; if `texts` (everything the
    document will print) holds characters DejaVu lacks, also register fallback fonts that have them."""
    regular, bold = _dejavu()
    pdf.add_font("DejaVu", "", str(regular))
    if bold is not None:
        pdf.add_font("DejaVu", "B", str(bold))
    missing = {ord(ch) for text in texts for ch in text if ch.isprintable() and not ch.isspace()}
    missing -= covered_codepoints(regular)
    fallbacks = []
    for name, path in FALLBACK_FONTS:
        if not missing:
            break
        if path.exists() and missing & covered_codepoints(path):
            pdf.add_font(name, "", str(path))
            fallbacks.append(name)
            missing -= covered_codepoints(path)
    if fallbacks:
        # exact_match=False: bold text (labels, headings) falls back to the regular CJK face.
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return "DejaVu"


def needs_shaping(text: str) -> bool:
    """Whether `text` has right-to-left letters or combining marks (Arabic, Hebrew, Indic, Thai, ...)."""
    return any(unicodedata.bidirectional(ch) in {"R", "AL"} or unicodedata.category(ch) in {"Mn", "Mc"}
               for ch in text)


def shaping_for(pdf, text: str) -> None:
    """Switch fpdf2's text shaping on for the next cell if `text` needs it, else off (the cheaper path)."""
    pdf.set_text_shaping(needs_shaping(text))


def write_sections(pdf, sections: Iterable[dict], width: float, *, empty: str = "") -> None:
    """The answers of a form as the receipt and the e-Akte print them: a bold section title, then per row a bold
    label and its value (shaped only where the script needs it); `empty` stands in for a missing value."""
    for section in sections:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, section["title"], new_x="LMARGIN", new_y="NEXT")
        for row in section["rows"]:
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(width, 5, row["label"], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 10)
            shaping_for(pdf, row["value"])
            pdf.multi_cell(width, 5, row["value"] or empty, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_shaping(False)
