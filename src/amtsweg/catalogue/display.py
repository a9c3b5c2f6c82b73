"""How catalogue data is shown to citizens: legal references as links, LeiKa types in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

# "§ 20 Kreislaufwirtschaftsgesetz (KrWG) [http://www.gesetze-im-internet.de/krwg/__20.html], …"
# Each reference ends with its address in brackets; text after the last bracket is one more reference.
_REFERENCE = re.compile(r"(?P<label>[^\[\]]*?)\s*(?:\[(?P<url>[^\[\]]*)\]|$)")
LINKED_HOSTS = {"www.gesetze-im-internet.de", "gesetze-im-internet.de"}


@dataclass(frozen=True)
class LegalReference:
    label: str
    url: str = ""


def legal_references(text: str) -> list[LegalReference]:
    """Split the catalogue's Rechtsgrundlage text into references.

    Only links to gesetze-im-internet.de (the federal law portal) are kept, upgraded to https; other
    addresses in the 2019 data (funding portals, ministries) are often dead, so only their label is shown.
    """
    references: list[LegalReference] = []
    for match in _REFERENCE.finditer(text or ""):
        label, url = match.group("label").strip(" ,;"), (match.group("url") or "").strip()
        if not label and not url:
            continue
        parts = urlsplit(url) if url else None
        if parts and parts.scheme in ("http", "https") and parts.hostname in LINKED_HOSTS:
            url = parts._replace(scheme="https").geturl()
        else:
            url = ""
        references.append(LegalReference(label=label or _("Rechtsgrundlage"), url=url))
    return references


# FIM-Baustein Leistungen: who regulates a service (Regelungskompetenz) and who carries it out (Vollzug).
LEIKA_TYPES = {
    "1": _("Typ 1: Bund regelt und vollzieht"),
    "2": _("Typ 2: Bund regelt, Land vollzieht"),
    "3": _("Typ 3: Bund regelt, Kommune vollzieht"),
    "2/3": _("Typ 2/3: Bund regelt, Land oder Kommune vollzieht"),
    "4": _("Typ 4: Land regelt und vollzieht"),
    "5": _("Typ 5: Land regelt, Kommune vollzieht"),
    "6": _("Typ 6: Kommune regelt und vollzieht"),
}


def leika_type_label(code: str) -> str:
    """The LeiKa type in words; combined codes ("1, 2/3") are described part by part."""
    parts = [p.strip() for p in (code or "").split(",") if p.strip()]
    if not parts:
        return str(_("nicht angegeben"))
    return "; ".join(str(LEIKA_TYPES.get(p, _("Typ %(code)s") % {"code": p})) for p in parts)


def leika_anchor(public_service) -> str:
    """Fragment id of a LeiKa-Leistung on its OZG-Leistung's page (search results link to it)."""
    return f"leika-{public_service.key}" if public_service.key else f"leika-ohne-schluessel-{public_service.pk}"
