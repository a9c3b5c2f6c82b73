"""Text normalisation for search: case, umlauts and ß folded so that "Strasse" finds "Straße"."""

import unicodedata

_FOLD = str.maketrans({"ß": "ss", "ẞ": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})


def fold(text: str) -> str:
    """Fold text for matching: lower case, ß→ss, ä→ae etc., other accents dropped, spaces collapsed.

    Both "Straße" and "Strasse" fold to "strasse"; "Müller" and "Mueller" to "mueller".
    """
    lowered = text.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())
