"""Levels of assurance (Vertrauensniveaus) and how the protocols spell them.

Amtsweg speaks the German names of the eIDAS levels: "niedrig", "substantiell", "hoch". BundID and other
SAML IdPs announce the level as an AuthnContextClassRef, either in the older STORK-QAA form
(`STORK-QAA-Level-1` … `-4`) or as an eIDAS URI (`http://eidas.europa.eu/LoA/substantial`); OpenID
providers put it into the `acr` claim. Everything is mapped here, in one place, so that a service's
minimum level can be compared with what a login reached.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NIEDRIG = "niedrig"
SUBSTANTIELL = "substantiell"
HOCH = "hoch"
LEVELS: tuple[str, ...] = (NIEDRIG, SUBSTANTIELL, HOCH)
LABELS = {
    NIEDRIG: _("niedrig (Benutzername und Passwort)"),
    SUBSTANTIELL: _("substantiell (z. B. ELSTER-Zertifikat)"),
    HOCH: _("hoch (Online-Ausweisfunktion)"),
}

# STORK QAA 1 and 2 are both below eIDAS "substantial" (BundID: 1 = Benutzername/Passwort).
STORK_QAA = {
    "STORK-QAA-Level-1": NIEDRIG,
    "STORK-QAA-Level-2": NIEDRIG,
    "STORK-QAA-Level-3": SUBSTANTIELL,
    "STORK-QAA-Level-4": HOCH,
}
EIDAS_LOA = {
    "http://eidas.europa.eu/LoA/low": NIEDRIG,
    "http://eidas.europa.eu/LoA/substantial": SUBSTANTIELL,
    "http://eidas.europa.eu/LoA/high": HOCH,
}
# What we put into a SAML AuthnRequest for a required level (BundID expects STORK-QAA).
REQUEST_CLASS_REF = {NIEDRIG: "STORK-QAA-Level-1", SUBSTANTIELL: "STORK-QAA-Level-3", HOCH: "STORK-QAA-Level-4"}
EIDAS_CLASS_REF = {v: k for k, v in EIDAS_LOA.items()}
_ALIASES = {"low": NIEDRIG, "substantial": SUBSTANTIELL, "high": HOCH, "1": NIEDRIG, "2": NIEDRIG,
            "3": SUBSTANTIELL, "4": HOCH}


def normalize(value: str | None) -> str | None:
    """The German level for any spelling a provider may use; None when unknown (never guess upwards)."""
    if not value:
        return None
    value = value.strip()
    if value in LEVELS:
        return value
    if value in STORK_QAA:
        return STORK_QAA[value]
    if value in EIDAS_LOA:
        return EIDAS_LOA[value]
    return _ALIASES.get(value.lower())


def rank(level: str | None) -> int:
    """0 for no/unknown level, 1..3 for niedrig..hoch."""
    normalized = normalize(level)
    return LEVELS.index(normalized) + 1 if normalized else 0


def satisfies(actual: str | None, required: str | None) -> bool:
    """Whether a login at `actual` is good enough for a service that requires `required` (None: any login)."""
    if required is None or required == "":
        return True
    required_rank = rank(required)
    if required_rank == 0:
        raise ValueError(f"unknown level of assurance: {required!r}")
    return rank(actual) >= required_rank


def label(level: str | None) -> str:
    normalized = normalize(level)
    return str(LABELS[normalized]) if normalized else ""
