"""Resolution: (LeiKa key, place) → responsible Authority and destination.

The lookup structures (responsibilities by key and area, AGS → ARS, postcodes → Gemeinden, names) are
built once per process into plain dicts and reused; a counter row (`IndexVersion`) that every
routing-relevant write increments tells each process when its copy is stale. The counter is read at
most every `ROUTING_INDEX_CHECK_SECONDS` (default 1 s), so a lookup is a few dict accesses.

`resolve()` never raises for unknown or malformed input: it returns a `Resolution` whose `status` says
what happened and whose `message` tells a citizen in German what was asked and why nothing was found.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from amtsweg.core import keyformats
from amtsweg.core.keyformats import ArsLevel
from amtsweg.core.text import fold

if TYPE_CHECKING:
    from amtsweg.accounts.models import Authority
    from amtsweg.routing.models import Destination

PREFIX_LENGTHS = tuple(reversed(keyformats.ARS_LENGTHS))  # the most specific area first
MAX_INDEX_AGE = 300.0  # rebuild at least this often, to catch bulk writes that bypass the counter

FOUND = "found"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A Gemeinde a postcode or place name may mean."""

    ars: str
    name: str
    place_name: str = ""
    postcode: str = ""
    region: str = ""  # "Kreis, Land", to tell namesakes apart


@dataclass(frozen=True, slots=True)
class Target:
    responsibility_id: int
    area_ars: str
    authority_id: int
    destination_id: object  # UUID


@dataclass(slots=True)
class Resolution:
    """The answer to "who is responsible for this service here?"."""

    status: str
    leika_key: str
    asked: dict
    reason: str = ""
    message: str = ""
    authority: Authority | None = None
    destination: Destination | None = None
    responsibility_id: int | None = None
    area_ars: str = ""  # the area of the responsibility that matched (its level tells Gemeinde/Kreis/Land)
    municipality_ars: str = ""
    municipality_name: str = ""
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.status == FOUND

    @property
    def ambiguous(self) -> bool:
        return self.status == AMBIGUOUS


@dataclass(frozen=True, slots=True)
class SignatureKey:
    """A destination's activated signature key as the routing index holds it (see `signature_keys`)."""

    kid: str
    jwk: dict
    activated_at: object  # datetime
    retired: bool


@dataclass(slots=True)
class _Index:
    version: int
    built_at: float
    checked_at: float
    interval: float
    by_key: dict[str, dict[str, Target]]
    ags_to_ars: dict[str, str]
    municipality_names: dict[str, str]
    # postcode → [(ars, municipality name, place name, folded place name)]
    postcodes: dict[str, list[tuple[str, str, str, str]]]
    names: dict[str, list[str]]  # folded short name → ARS list
    area_names: dict[str, str]  # ARS prefix (Land, Kreis, Verband, Gemeinde) → name
    authorities: dict[int, Authority]
    destinations: dict[object, Destination]
    active_keys: dict[object, object]  # destination id → its active encryption DestinationKey
    city_districts: frozenset[str] = frozenset()  # ARS of Berlin/Hamburg/Bremen districts (not Gemeinden)
    # per LeiKa key, where it can be applied for online (filled lazily by `online_coverage`)
    coverage: dict[str, tuple] = field(default_factory=dict)
    # per-destination rendered API route, filled lazily by amtsweg.routing.api
    routes: dict[tuple, dict] = field(default_factory=dict)
    # per destination id, its activated signature keys (filled lazily by `signature_keys`)
    signature_keys: dict[str, tuple[SignatureKey, ...]] = field(default_factory=dict)


_lock = threading.Lock()
_index: _Index | None = None


def _short_name(name: str) -> str:
    """"Saarbrücken, Landeshauptstadt" → "saarbruecken" (what people type)."""
    return fold(name.split(",")[0].split("(")[0])


def _read_version() -> int:
    from amtsweg.routing.models import IndexVersion

    row = IndexVersion.objects.filter(pk=1).values_list("counter", flat=True).first()
    return row or 0


def _build(version: int) -> _Index:
    from amtsweg.accounts.models import Authority
    from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality, PostcodeArea
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility

    by_key: dict[str, dict[str, Target]] = {}
    for rid, key, area, authority_id, destination_id in Responsibility.objects.values_list(
        "id", "leika_key", "area_ars", "authority_id", "destination_id"
    ).iterator(chunk_size=20_000):
        by_key.setdefault(key, {})[area] = Target(rid, area, authority_id, destination_id)

    ags_to_ars: dict[str, str] = {}
    municipality_names: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    city_districts: set[str] = set()
    for ars, ags, name, city_district in Municipality.objects.current().values_list(
        "ars", "ags", "name", "is_city_district"
    ):
        if city_district:
            city_districts.add(ars)
        if ags:
            ags_to_ars.setdefault(ags, ars)
        municipality_names[ars] = name
        names.setdefault(_short_name(name), []).append(ars)

    postcodes: dict[str, list[tuple[str, str, str, str]]] = {}
    for postcode, place, ars in PostcodeArea.objects.current().filter(municipality__isnull=False).values_list(
        "postcode", "place_name", "municipality__ars"
    ):
        entries = postcodes.setdefault(postcode, [])
        entries.append((ars, municipality_names.get(ars, place), place, fold(place)))

    area_names = dict(municipality_names)
    for model in (Land, District, MunicipalAssociation):
        for code, name in model.objects.current().values_list("code", "name"):
            area_names[code] = name or code

    used_destinations = {t.destination_id for table in by_key.values() for t in table.values()}
    used_authorities = {t.authority_id for table in by_key.values() for t in table.values()}
    destinations = {d.pk: d for d in Destination.objects.select_related("authority")} if used_destinations else {}
    authorities = {a.pk: a for a in Authority.objects.filter(pk__in=used_authorities)} if used_authorities else {}
    active_keys: dict[object, object] = {}
    if used_destinations:
        # newest activated, not retired encryption key per destination (same rule as active_encryption_key)
        for key in DestinationKey.objects.filter(
            purpose=DestinationKey.Purpose.ENCRYPTION, retired_at__isnull=True, activated_at__isnull=False
        ).order_by("activated_at"):
            active_keys[key.destination_id] = key
    now = time.monotonic()
    return _Index(
        version=version,
        built_at=now,
        checked_at=now,
        interval=getattr(settings, "ROUTING_INDEX_CHECK_SECONDS", 1.0),
        by_key=by_key,
        ags_to_ars=ags_to_ars,
        municipality_names=municipality_names,
        postcodes=postcodes,
        names=names,
        area_names=area_names,
        authorities=authorities,
        destinations=destinations,
        active_keys=active_keys,
        city_districts=frozenset(city_districts),
    )


def get_index() -> _Index:
    """The current lookup structures, rebuilt when another write changed the routing data."""
    global _index
    index = _index
    now = time.monotonic()
    if index is not None and now - index.checked_at < index.interval and now - index.built_at < MAX_INDEX_AGE:
        return index
    with _lock:
        index = _index
        version = _read_version()
        if index is not None and index.version == version and now - index.built_at < MAX_INDEX_AGE:
            index.checked_at = now
            return index
        index = _build(version)
        _index = index
        return index


def signature_keys(destination_id) -> tuple[SignatureKey, ...]:
    """The destination's activated signature keys (retired ones included: their events still verify during a
    rollover), newest first, as of the routing index: read once per destination and index version instead of
    on every accept/reject event (the back office's ingest looked them up twice per submission: to sign and
    to verify). Every write of a `DestinationKey` bumps the index (routing.signals), so this process sees a
    new, retired or deleted key at once and the others within `ROUTING_INDEX_CHECK_SECONDS`, as they see the
    encryption keys the intake encrypts for."""
    from amtsweg.routing.models import DestinationKey

    index = get_index()
    key = str(destination_id).lower()
    found = index.signature_keys.get(key)
    if found is None:
        found = tuple(
            SignatureKey(kid, jwk, activated_at, retired_at is not None)
            for kid, jwk, activated_at, retired_at in DestinationKey.objects.filter(
                destination_id=destination_id, purpose=DestinationKey.Purpose.SIGNATURE, activated_at__isnull=False
            ).order_by("-activated_at").values_list("kid", "jwk", "activated_at", "retired_at")
        )
        index.signature_keys[key] = found
    return found


def invalidate(*, bump: bool = True) -> None:
    """Forget this process's lookup structures; with `bump`, tell the other processes too."""
    global _index
    _index = None
    if bump:
        from amtsweg.routing.models import IndexVersion

        if not IndexVersion.objects.filter(pk=1).update(counter=F("counter") + 1):
            IndexVersion.objects.get_or_create(pk=1, defaults={"counter": 1})


def resolve(
    leika_key: str,
    *,
    ars: str | None = None,
    ags: str | None = None,
    postcode: str | None = None,
    place: str | None = None,
) -> Resolution:
    """Who is responsible for `leika_key` at the given place (exactly one of ARS, AGS, postcode or place name;
    a place name may accompany a postcode to pick one of its Gemeinden)."""
    leika_key = leika_key.strip() if leika_key else ""
    asked: dict = {}
    if ars:
        ars = ars.strip()
        asked["ars"] = ars
    if ags:
        ags = ags.strip()
        asked["ags"] = ags
    if postcode:
        postcode = postcode.strip()
        asked["postcode"] = postcode
    if place:
        place = place.strip()
        asked["place"] = place
    ars, ags, postcode, place = ars or None, ags or None, postcode or None, place or None

    if not keyformats.is_leika_key(leika_key):
        return Resolution(INVALID, leika_key, asked, "invalid_leika_key",
                          _("„%(key)s“ ist kein gültiger Leistungsschlüssel (14 Ziffern, beginnend mit 99).")
                          % {"key": leika_key[:40]})
    given = (ars is not None) + (ags is not None) + (postcode is not None)
    if given > 1:
        return Resolution(INVALID, leika_key, asked, "several_areas",
                          _("Bitte nur eine Ortsangabe machen: Regionalschlüssel, Gemeindeschlüssel oder "
                            "Postleitzahl."))
    if not given and not place:
        return Resolution(INVALID, leika_key, asked, "missing_area",
                          _("Bitte einen Ort angeben: Regionalschlüssel, Gemeindeschlüssel, Postleitzahl oder Name."))

    index = get_index()
    if ars is not None:
        if not keyformats.is_ars(ars):
            return Resolution(INVALID, leika_key, asked, "invalid_ars",
                              _("„%(ars)s“ ist kein gültiger Regionalschlüssel (2, 3, 5, 9 oder 12 Ziffern).")
                              % {"ars": ars[:40]})
        return _resolve_ars(index, leika_key, ars, asked)
    if ags is not None:
        if not keyformats.is_ags(ags):
            return Resolution(INVALID, leika_key, asked, "invalid_ags",
                              _("„%(ags)s“ ist kein gültiger Gemeindeschlüssel (8 Ziffern).") % {"ags": ags[:40]})
        if keyformats.is_municipality_ags(ags):
            mapped = index.ags_to_ars.get(ags)
            if mapped is None:
                return _unknown_area(leika_key, asked, _("Gemeindeschlüssel %(ags)s") % {"ags": ags})
            return _resolve_ars(index, leika_key, mapped, asked)
        return _resolve_ars(index, leika_key, ags, asked)
    if postcode is not None:
        if not keyformats.is_postcode(postcode):
            return Resolution(INVALID, leika_key, asked, "invalid_postcode",
                              _("„%(pc)s“ ist keine gültige Postleitzahl (5 Ziffern).") % {"pc": postcode[:40]})
        entries = index.postcodes.get(postcode)
        if not entries:
            return _unknown_area(leika_key, asked, _("Postleitzahl %(pc)s") % {"pc": postcode})
        candidates = _distinct_candidates(index, entries, postcode)
        if place:
            wanted = fold(place)
            narrowed = [c for c, e in candidates if _place_matches(wanted, e)]
            if narrowed:
                candidates = [(c, e) for c, e in candidates if c in narrowed]
        return _resolve_candidates(index, leika_key, [c for c, _e in candidates], asked)
    # place name alone
    arses = _search_names(index, place)
    if not arses:
        return _unknown_area(leika_key, asked, _("Ort „%(place)s“") % {"place": place[:80]})
    candidates = [Candidate(a, index.municipality_names.get(a, a), region=_region(index, a)) for a in arses]
    return _resolve_candidates(index, leika_key, candidates, asked)


def _region(index: _Index, ars: str) -> str:
    parts = [index.area_names.get(ars[:ArsLevel.KREIS], ""), index.area_names.get(ars[:ArsLevel.LAND], "")]
    return ", ".join(p for p in parts if p)


def _distinct_candidates(index: _Index, entries, postcode) -> list[tuple[Candidate, tuple]]:
    seen: dict[str, tuple[Candidate, tuple]] = {}
    for entry in entries:
        ars, name, place_name, _folded = entry
        if ars not in seen:
            seen[ars] = (Candidate(ars, name, place_name, postcode, _region(index, ars)), entry)
    return list(seen.values())


def _place_matches(wanted: str, entry: tuple) -> bool:
    _ars, name, _place, place_folded = entry
    return wanted in (place_folded, fold(name), _short_name(name)) or _short_name(name).startswith(wanted)


def _search_names(index: _Index, place: str) -> list[str]:
    wanted = _short_name(place)
    if not wanted:
        return []
    exact = index.names.get(wanted)
    if exact:
        return sorted(exact)
    return sorted(ars for short, arses in index.names.items() if short.startswith(wanted) for ars in arses)[:50]


def _lookup(index: _Index, leika_key: str, ars: str) -> Target | None:
    table = index.by_key.get(leika_key)
    if table is None:
        return None
    for length in PREFIX_LENGTHS:
        if length <= len(ars):
            target = table.get(ars[:length])
            if target is not None:
                return target
    return None


def _found(index: _Index, leika_key: str, asked: dict, target: Target, ars: str, candidates=()) -> Resolution:
    gemeinde = keyformats.is_municipality_ars(ars)
    return Resolution(
        FOUND,
        leika_key,
        asked,
        "",
        "",
        index.authorities.get(target.authority_id),
        index.destinations.get(target.destination_id),
        target.responsibility_id,
        target.area_ars,
        ars if gemeinde else "",
        index.municipality_names.get(ars, "") if gemeinde else "",
        tuple(candidates) if candidates else (),
    )


def _resolve_ars(index: _Index, leika_key: str, ars: str, asked: dict) -> Resolution:
    if keyformats.is_municipality_ars(ars) and index.municipality_names and ars not in index.municipality_names:
        return _unknown_area(leika_key, asked, _("Regionalschlüssel %(ars)s") % {"ars": ars})
    target = _lookup(index, leika_key, ars)
    if target is None:
        return _no_responsibility(index, leika_key, asked, ars)
    return _found(index, leika_key, asked, target, ars)


def _resolve_candidates(index: _Index, leika_key: str, candidates: list[Candidate], asked: dict) -> Resolution:
    if len(candidates) == 1:
        return _resolve_ars(index, leika_key, candidates[0].ars, asked)
    targets = {c.ars: _lookup(index, leika_key, c.ars) for c in candidates}
    distinct = {t.responsibility_id if t else None for t in targets.values()}
    if len(distinct) == 1 and None not in distinct:
        # Every Gemeinde the place may mean has the same responsibility (e.g. the Kreis's): no need to ask.
        target = next(iter(targets.values()))
        return _found(index, leika_key, asked, target, target.area_ars, candidates)
    return Resolution(
        AMBIGUOUS,
        leika_key,
        asked,
        "ambiguous_place",
        _("Die Angabe passt zu mehreren Gemeinden. Bitte wählen Sie Ihre Gemeinde aus."),
        candidates=tuple(sorted(candidates, key=lambda c: (c.name, c.ars))),
    )


def _unknown_area(leika_key: str, asked: dict, what: str) -> Resolution:
    return Resolution(NOT_FOUND, leika_key, asked, "unknown_area",
                      _("%(what)s ist uns nicht bekannt. Bitte prüfen Sie die Angabe.") % {"what": what})


def _no_responsibility(index: _Index, leika_key: str, asked: dict, ars: str) -> Resolution:
    place = index.area_names.get(ars) or ars
    reason = "no_responsibility" if leika_key in index.by_key else "unknown_service"
    return Resolution(
        NOT_FOUND,
        leika_key,
        asked,
        reason,
        _("Für die Leistung %(key)s ist für %(place)s (%(ars)s) keine zuständige Stelle eingetragen.")
        % {"key": leika_key, "place": place, "ars": ars},
        municipality_ars=ars if keyformats.is_municipality_ars(ars) else "",
        municipality_name=index.municipality_names.get(ars, ""),
    )


@dataclass(slots=True)
class Office:
    """The one answer to "who is responsible here, and can I apply online?" — used alike by the page
    "Wer ist zuständig?", the place step of every form and the intake, so they never disagree.

    `online` is true only where an application can really be delivered: a responsibility is found and its
    destination is active with an active encryption key (what the intake needs). Otherwise `authority`
    (when found) is the office to contact in person, and `message` says why in plain German.
    """

    resolution: Resolution
    online: bool
    message: str = ""

    @property
    def found(self) -> bool:
        return self.resolution.found

    @property
    def authority(self) -> Authority | None:
        return self.resolution.authority

    @property
    def destination(self) -> Destination | None:
        return self.resolution.destination if self.online else None

    def contact(self) -> dict:
        """Name and contact of the office as plain strings (kept on the receipt, printed in the PDF)."""
        authority = self.authority
        if authority is None:
            return {}
        fields = ("name", "street", "postcode", "city", "phone", "email", "website", "sepa_creditor_id")
        return {name: str(getattr(authority, name, "") or "") for name in fields}


def responsible_office(leika_key: str, **place: str | None) -> Office:
    """Resolve like `resolve()` (same keyword arguments) and say whether the service can be done online."""
    resolution = resolve(leika_key, **place)
    if not resolution.found or resolution.authority is None:
        if resolution.reason in ("no_responsibility", "unknown_service"):
            name = resolution.municipality_name or get_index().area_names.get(
                resolution.asked.get("ars", ""), "") or _("Ihren Ort")
            message = _("Für %(place)s ist für diese Leistung noch keine zuständige Stelle eingetragen. Sie "
                        "können sie hier nicht online beantragen; bitte wenden Sie sich an Ihre "
                        "Gemeindeverwaltung.") % {"place": name}
            return Office(resolution, False, message)
        return Office(resolution, False, resolution.message)
    destination = resolution.destination
    if destination is not None and _deliverable(get_index(), destination.pk):
        return Office(resolution, True)
    return Office(resolution, False, _("Diese Leistung kann für Ihren Ort noch nicht online beantragt werden. "
                                       "Zuständig ist %(office)s; bitte wenden Sie sich direkt dorthin.")
                  % {"office": resolution.authority.name})


def _deliverable(index: _Index, destination_id) -> bool:
    """Whether applications can reach this destination: active, with an active encryption key (what the
    intake needs). The one rule for `responsible_office` and `online_coverage`."""
    from amtsweg.routing.models import Destination

    destination = index.destinations.get(destination_id)
    return (destination is not None and destination.status == Destination.Status.ACTIVE
            and index.active_keys.get(destination_id) is not None)


@dataclass(frozen=True, slots=True)
class LandCoverage:
    """Where in one Land a service can be applied for online, counted with the resolution's own lookup, so
    that the catalogue's "Online in …" never disagrees with "Wer ist zuständig?" and the intake."""

    land_ars: str
    land_name: str
    municipalities: int  # Gemeinden of the Land (no gemeindefreie Gebiete, no city districts)
    online: int  # of them, those where the responsible office receives online applications
    own: int  # of them, online through an entry of the Gemeinde or its Gemeindeverband
    fallback_offices: tuple[str, ...]  # Kreis or Land offices that take the others' applications

    @property
    def everywhere(self) -> bool:
        return self.municipalities > 0 and self.online == self.municipalities


def online_coverage(leika_key: str) -> tuple[LandCoverage, ...]:
    """Per Land with any responsibility for `leika_key`: how many Gemeinden can apply online, and through whom.

    Computed once per index version and key (a dict lookup per Gemeinde of the Länder concerned, no query),
    then kept with the index; a routing write makes a new index and so a new count.
    """
    from amtsweg.geo.models import is_unincorporated_ars

    index = get_index()
    cached = index.coverage.get(leika_key)
    if cached is not None:
        return cached
    table = index.by_key.get(leika_key) or {}
    lands = sorted({area[:ArsLevel.LAND] for area in table})
    counts = {land: [0, 0, 0, {}] for land in lands}  # Gemeinden, online, own, fallback office → count
    for ars in index.municipality_names:
        entry = counts.get(ars[:ArsLevel.LAND])
        if entry is None or ars in index.city_districts or is_unincorporated_ars(ars):
            continue
        entry[0] += 1
        target = _lookup(index, leika_key, ars)
        if target is None or not _deliverable(index, target.destination_id):
            continue
        entry[1] += 1
        if len(target.area_ars) >= ArsLevel.GEMEINDEVERBAND:
            entry[2] += 1
        else:
            authority = index.authorities.get(target.authority_id)
            name = authority.name if authority is not None else index.area_names.get(target.area_ars, "")
            entry[3][name] = entry[3].get(name, 0) + 1
    result = tuple(
        LandCoverage(land, index.area_names.get(land, land), total, online, own,
                     tuple(name for name, _n in sorted(offices.items(), key=lambda item: -item[1])))
        for land, (total, online, own, offices) in counts.items()
        if online
    )
    index.coverage[leika_key] = result
    return result


def area_name(ars: str) -> str:
    """Name of a Land, Kreis, Verband or Gemeinde by its key (for lists and reports)."""
    return get_index().area_names.get(ars, "")


def place_kwargs(text: str) -> dict:
    """Interpret what somebody typed as a place: postcode (5 digits), AGS (8), ARS (2/5/9/12) or a name."""
    value = " ".join((text or "").split())
    if value.isdigit():
        if len(value) == keyformats.POSTCODE_LENGTH:
            return {"postcode": value}
        if len(value) == keyformats.AGS_LENGTH:
            return {"ags": value}
        return {"ars": value}
    match = re.match(r"^(\d{5})\s+(.+)$", value)
    if match:
        return {"postcode": match.group(1), "place": match.group(2)}
    return {"place": value}
