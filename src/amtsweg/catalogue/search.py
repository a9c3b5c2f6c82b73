"""Word search over the catalogue and the municipality directory.

Plain functions, called by the views and tested directly. Matching runs on the stored `name_folded`
columns (see `amtsweg.core.text.fold`), so "Strasse", "Straße" and "STRASSE" find the same rows on SQLite
and PostgreSQL alike: the query is folded the same way and compared with a plain `LIKE '%…%'`, which needs
no database-specific collation or extension. Every word of a query must occur in the same name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from amtsweg.catalogue.models import OzgService, PublicService
from amtsweg.core import keyformats
from amtsweg.core.keyformats import ArsLevel
from amtsweg.core.text import fold
from amtsweg.geo.models import Municipality, PostcodeArea

MIN_QUERY_LENGTH = 3
MIN_PLACE_NAME_LENGTH = 2
MAX_QUERY_LENGTH = 100
MAX_WORDS = 8

# Punctuation people type around words ("Führerschein," or "„Hund“") that never helps a match.
_EDGE_PUNCTUATION = " \t.,;:!?\"'„“”‚‘’«»()[]{}"
_POSTCODE = re.compile(r"\d{5}")
_DIGITS = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Letters of any script, digits, and the punctuation that occurs in official Gemeinde names.
_PLACE_NAME_CHARS = re.compile(r"^[\w\s.,'()/\-]+$")


def _clean(raw: str | None) -> str:
    """Drop control and format characters (NUL would even break PostgreSQL) and outer spaces."""
    return "".join(c for c in (raw or "") if c.isspace() or not unicodedata.category(c).startswith("C")).strip()


class QueryError(ValueError):
    """A query that cannot be searched; `message` is shown to the citizen next to the search field."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def query_words(raw: str) -> list[str]:
    """Split a query into folded words, dropping punctuation around them.

    Raises QueryError for an empty, too short, too long or too wordy query, with a German hint.
    """
    text = _clean(raw)
    if not text:
        raise QueryError(_("Bitte geben Sie einen Suchbegriff ein, zum Beispiel „Wohngeld“ oder „Führerschein“."))
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("Der Suchbegriff ist zu lang. Bitte verwenden Sie höchstens %(max)d Zeichen.") % {"max": MAX_QUERY_LENGTH}
        )
    words = [w for w in (part.strip(_EDGE_PUNCTUATION) for part in fold(text).split()) if w]
    if sum(len(w) for w in words) < MIN_QUERY_LENGTH:
        raise QueryError(
            _("Der Suchbegriff ist zu kurz. Bitte geben Sie mindestens %(min)d Buchstaben ein.")
            % {"min": MIN_QUERY_LENGTH}
        )
    if len(words) > MAX_WORDS:
        raise QueryError(
            _("Bitte verwenden Sie höchstens %(max)d Suchwörter.") % {"max": MAX_WORDS}
        )
    return words


# Everyday words people type → words the catalogue uses (folded). The OZG-Umsetzungskatalog carries no
# synonyms; these are the common ones for the services Kommunen offer first. A query word is looked up
# folded and stemmed, so "Umzug", "umziehen" and "ummelden" need one entry each at most.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ummelden": ("wohnsitz",), "ummeldung": ("wohnsitz",), "umzug": ("wohnsitz", "umzug"),
    "umziehen": ("wohnsitz",), "wohnung": ("wohnsitz", "wohnung"), "adresse": ("wohnsitz", "anschrift"),
    "waffenschein": ("waffenschein", "waffenerlaubnis"), "waffe": ("waffe",), "jagdschein": ("jagdschein",),
    "perso": ("personalausweis",), "ausweis": ("ausweis",), "pass": ("reisepass", "pass"),
    "auto": ("kraftfahrzeug", "fahrzeug"), "kfz": ("kraftfahrzeug", "fahrzeug"),
    "heiraten": ("eheschliessung", "ehe"), "hochzeit": ("eheschliessung",),
    "hund": ("hund",), "hunde": ("hund",), "katze": ("haustier", "katze"),
    "baby": ("geburt", "elterngeld"), "kita": ("kindertages", "kita"), "hartz": ("buergergeld", "arbeitslos"),
    "bauantrag": ("baugenehmigung", "bauantrag"), "bauen": ("baugenehmigung", "bau"),
    "gewerbeschein": ("gewerbe",), "firma": ("gewerbe", "unternehmen"),
    "parkausweis": ("parkausweis", "parkerleichterung", "bewohnerpark"),
    "melden": ("melde", "meldung"), "meldezettel": ("meldebescheinigung", "meldebestaetigung"),
}
# Words that say what to do, not which service ("Hund anmelden"): they narrow a result, but when no
# service holds them too, the remaining words decide (see `search_services`).
MIN_STEM_LENGTH = 3
TYPO_SIMILARITY = 0.45  # trigram similarity (as pg_trgm computes it) from which a word counts as a typo of another


def _stem(word: str) -> str:
    """The German Snowball stem of a folded word ("anmelden", "anmeldung" → "anmeld")."""
    stem = _stemmer().stemWord(word)
    # Snowball reads a folded "ue" as "ü" and prints it as "u": map the stem back onto the folded word, so
    # it stays a prefix of what `name_folded` holds ("fuehrerscheine" → "fuehrerschein", not "fuhrerschein").
    i = j = 0
    while i < len(word) and j < len(stem):
        if word[i] == stem[j]:
            i, j = i + 1, j + 1
        elif word[i] == "e" and i and word[i - 1] in "aou":
            i += 1
        else:
            break
    prefix = word[:i]
    return prefix if len(prefix) >= MIN_STEM_LENGTH else word


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("german")


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Trigram similarity of two words, as PostgreSQL's pg_trgm `similarity()` defines it."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


_vocabulary_cache: dict = {}


def vocabulary() -> frozenset[str]:
    """Every folded word of a current service name (OZG and LeiKa), rebuilt when the catalogue changes."""
    state = (OzgService.objects.count(), PublicService.objects.count(),
             PublicService.objects.order_by("-pk").values_list("pk", flat=True).first())
    if _vocabulary_cache.get("state") != state:
        words: set[str] = set()
        for model in (OzgService, PublicService):
            for name in model.objects.current().values_list("name_folded", flat=True).iterator(chunk_size=2000):
                words.update(w.strip(_EDGE_PUNCTUATION + "-/") for w in name.split())
        words.discard("")
        _vocabulary_cache.clear()
        _vocabulary_cache.update(state=state, words=frozenset(words))
    return _vocabulary_cache["words"]


def word_terms(word: str, words: frozenset[str] | None = None) -> tuple[str, ...]:
    """What one query word may be found as: its stem, the catalogue words of its everyday synonyms, and,
    when nothing in the catalogue holds it, the closest catalogue word (a typo: "hundesteur")."""
    if _DIGITS.fullmatch(word):
        return (word,)
    terms = [_stem(word)]
    for key in {word, terms[0]}:
        terms += [t for t in SYNONYMS.get(key, ()) if t not in terms]
    words = vocabulary() if words is None else words
    if not any(term in w for term in terms for w in words):
        close = max(words, key=lambda w: similarity(word, w), default="")
        if close and similarity(word, close) >= TYPO_SIMILARITY:
            terms.append(_stem(close))
    return tuple(terms)


def _any_term_q(terms: tuple[str, ...]) -> Q:
    condition = Q()
    for term in terms:
        condition |= Q(name_folded__contains=term)
    return condition


def _all_words_q(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(name_folded__contains=word)
    return condition


def _all_words(queryset: QuerySet, words: list[str]) -> QuerySet:
    for word in words:
        queryset = queryset.filter(name_folded__contains=word)
    return queryset


@dataclass
class ServiceHit:
    """One OZG-Leistung in the results, with the LeiKa-Leistungen of it that matched the query.

    `service` is None for matching LeiKa-Leistungen that belong to no current OZG-Leistung.
    """

    service: OzgService | None
    name_matches: bool = False
    public_services: list[PublicService] = field(default_factory=list)


@dataclass
class ServiceResults:
    query: str
    hits: list[ServiceHit]
    ozg_count: int
    leika_count: int
    ignored_words: list[str] = field(default_factory=list)  # query words no result holds (see _words_that_find)


def search_services(raw: str) -> ServiceResults:
    """Find OZG-Leistungen whose name, or the name of one of their LeiKa-Leistungen, holds every word.

    A query that is one number also finds the OZG-Leistung with that OZG-ID and LeiKa keys starting with it.

    Results are grouped by OZG-Leistung: those whose own name matches first (a name starting with the
    query before others), then those found only through a LeiKa-Leistung; stray LeiKa matches come last.
    """
    words = query_words(raw)
    phrase = " ".join(words)
    groups = [word_terms(w) for w in words]
    used = _words_that_find(groups)
    service_filter = Q()
    for index in used:
        service_filter &= _any_term_q(groups[index])
    public_service_filter = service_filter
    if len(words) == 1 and _DIGITS.fullmatch(words[0]):
        # A number: an OZG-ID, or a LeiKa key or the start of one (e.g. "99102013" for all Hundesteuer keys).
        if len(words[0]) <= 9:
            service_filter |= Q(ozg_id=int(words[0]))
        if len(words[0]) >= 5:
            public_service_filter |= Q(key__startswith=words[0])
    services = OzgService.objects.current().filter(service_filter).select_related("topic", "life_situation")
    hits: dict[int | None, ServiceHit] = {s.pk: ServiceHit(service=s, name_matches=True) for s in services}
    current_services = OzgService.objects.current().select_related("topic", "life_situation")
    public_services = (
        PublicService.objects.current()
        .filter(public_service_filter)
        .prefetch_related(Prefetch("ozg_services", queryset=current_services, to_attr="current_ozg_services"))
    )
    leika_count = 0
    for public_service in public_services:
        leika_count += 1
        owners = public_service.current_ozg_services or [None]
        for owner in owners:
            key = owner.pk if owner else None
            if key not in hits:
                hits[key] = ServiceHit(service=owner)
            hits[key].public_services.append(public_service)

    stems = [g[0] for g in groups]

    def rank(hit: ServiceHit) -> tuple:
        """Relevance: the OZG name holds the query, then how many query words its name and its LeiKa
        names hold as whole words (not just inside a compound), then the name."""
        if hit.service is None:
            return (3, 0, 0, "")
        folded = hit.service.name_folded
        names = [folded] + [p.name_folded for p in hit.public_services]
        whole = sum(1 for stem in stems if any(re.search(rf"\b{re.escape(stem)}", n) for n in names))
        return (0 if hit.name_matches else 1, 0 if folded.startswith(phrase) else 1, -whole, folded)

    ordered = sorted(hits.values(), key=rank)
    for hit in ordered:
        hit.public_services.sort(key=lambda p: p.name_folded)
    ozg_count = sum(1 for h in ordered if h.service is not None)
    typed = [p for p in (part.strip(_EDGE_PUNCTUATION) for part in _clean(raw).split())
             if fold(p).strip(_EDGE_PUNCTUATION)]  # as typed, for the page; same order as `words`
    typed = typed if len(typed) == len(words) else words
    ignored = [typed[i] for i in range(len(words)) if i not in used]
    return ServiceResults(query=_clean(raw), hits=ordered, ozg_count=ozg_count, leika_count=leika_count,
                          ignored_words=ignored)


def _words_that_find(groups: list[tuple[str, ...]]) -> list[int]:
    """Indexes of the query words to require: all of them when some service holds every one; otherwise the
    most telling ones (fewest services first) as long as something is still found — "Hund anmelden" finds
    the Hundesteuer although no name says "anmelden"."""
    everything = list(range(len(groups)))
    if len(groups) <= 1 or _count(groups, everything):
        return everything
    order = sorted(everything, key=lambda i: (_count(groups, [i]) or 10**9))
    chosen: list[int] = []
    for index in order:
        if _count(groups, chosen + [index]):
            chosen.append(index)
    return sorted(chosen) or everything


def _count(groups: list[tuple[str, ...]], indexes: list[int]) -> int:
    condition = Q()
    for index in indexes:
        condition &= _any_term_q(groups[index])
    return (PublicService.objects.current().filter(condition).count()
            + OzgService.objects.current().filter(condition).count())


# --- Places -------------------------------------------------------------------------------------------


@dataclass
class PostcodeMatch:
    """A Gemeinde sharing the searched postcode; `municipality` is None if the postcode row names a
    Gemeinde (by AGS) that the directory does not hold, and `place_names` are the OSM place names."""

    municipality: Municipality | None
    ags: str
    place_names: list[str]

    @property
    def name(self) -> str:
        return self.municipality.name if self.municipality else self.place_names[0]

    @property
    def other_place_names(self) -> list[str]:
        """OSM place names that differ from the Gemeinde's official name (e.g. "Saarbrücken")."""
        return [n for n in self.place_names if n != self.name]

    @property
    def names(self) -> list[str]:
        return ([self.municipality.name] if self.municipality else []) + self.place_names


@dataclass
class PlaceResults:
    kind: str  # "postcode", "name" or "key"
    query: str
    postcode: str = ""
    postcode_matches: list[PostcodeMatch] = field(default_factory=list)
    municipalities: QuerySet | None = None


def _municipality_queryset() -> QuerySet:
    return Municipality.objects.current().select_related("district", "land", "association")


def postcode_matches(postcode: str, name_words: list[str] | None = None) -> list[PostcodeMatch]:
    """All current Gemeinden sharing a postcode (OSM data), each once, with their place names."""
    areas = list(PostcodeArea.objects.current().filter(postcode=postcode).select_related("municipality"))
    missing_ags = {a.ags for a in areas if a.municipality_id is None}
    by_ags = {m.ags: m for m in _municipality_queryset().filter(ags__in=missing_ags)} if missing_ags else {}
    linked_ids = {a.municipality_id for a in areas if a.municipality_id}
    linked = {m.pk: m for m in _municipality_queryset().filter(pk__in=linked_ids)}
    matches: dict[str, PostcodeMatch] = {}
    for area in areas:
        municipality = linked.get(area.municipality_id) if area.municipality_id else by_ags.get(area.ags)
        if area.municipality_id and municipality is None:
            continue  # linked Gemeinde has ended
        key = municipality.ars if municipality else f"ags:{area.ags}"
        match = matches.setdefault(key, PostcodeMatch(municipality=municipality, ags=area.ags, place_names=[]))
        if area.place_name not in match.place_names:
            match.place_names.append(area.place_name)
    result = sorted(matches.values(), key=lambda m: fold(m.name))
    if name_words:
        result = [m for m in result if any(all(w in fold(n) for w in name_words) for n in m.names)]
    return result


def municipalities_by_name(words: list[str], phrase: str) -> QuerySet:
    """Current Gemeinden whose folded name holds every word; exact and prefix matches first."""
    queryset = _all_words(_municipality_queryset(), words)
    return queryset.annotate(
        rank=Case(
            When(name_folded=phrase, then=Value(0)),
            When(name_folded__startswith=phrase, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "name_folded", "ars")


def find_places(raw: str) -> PlaceResults:
    """Interpret a place query: a five-digit postcode (optionally with a name), an AGS/ARS, or a name.

    Raises QueryError with a specific German message for input that is none of these, e.g. "12ab".
    """
    text = _clean(raw)
    if not text:
        raise QueryError(_("Bitte geben Sie eine Postleitzahl oder den Namen einer Gemeinde ein."))
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("Die Eingabe ist zu lang. Bitte verwenden Sie höchstens %(max)d Zeichen.") % {"max": MAX_QUERY_LENGTH}
        )
    tokens = [t for t in (part.strip(_EDGE_PUNCTUATION) for part in text.split()) if t]
    for token in tokens:
        if _HAS_DIGIT.search(token) and _HAS_LETTER.search(token):
            raise QueryError(
                _(
                    "„%(token)s“ ist weder eine Postleitzahl noch ein Ortsname. Bitte geben Sie eine "
                    "fünfstellige Postleitzahl (zum Beispiel 66111) oder einen Ortsnamen (zum Beispiel "
                    "Saarbrücken) ein."
                )
                % {"token": token}
            )
    if len(tokens) == 1 and _DIGITS.fullmatch(tokens[0]):
        digits = tokens[0]
        if len(digits) == keyformats.POSTCODE_LENGTH:
            return PlaceResults(kind="postcode", query=text, postcode=digits, postcode_matches=postcode_matches(digits))
        if len(digits) in (keyformats.AGS_LENGTH, ArsLevel.GEMEINDE):
            field_name = "ags" if len(digits) == keyformats.AGS_LENGTH else "ars"
            found = _municipality_queryset().filter(**{field_name: digits}).order_by("name", "ars")
            return PlaceResults(kind="key", query=text, municipalities=found)
        raise QueryError(
            _(
                "Eine Postleitzahl hat genau fünf Ziffern (zum Beispiel 66111); Sie haben %(count)d "
                "Ziffern eingegeben."
            )
            % {"count": len(digits)}
        )
    if not _PLACE_NAME_CHARS.match(text):
        raise QueryError(
            _(
                "Der Ortsname enthält Zeichen, die in Gemeindenamen nicht vorkommen. Erlaubt sind Buchstaben, "
                "Leerzeichen und - . , ' ( ) /."
            )
        )
    postcodes = [t for t in tokens if _POSTCODE.fullmatch(t)]
    if len(postcodes) == 1:
        name_words = [fold(t) for t in tokens if t != postcodes[0]]
        return PlaceResults(
            kind="postcode",
            query=text,
            postcode=postcodes[0],
            postcode_matches=postcode_matches(postcodes[0], name_words),
        )
    words = [w for w in (fold(t).strip(_EDGE_PUNCTUATION) for t in tokens) if w]
    if sum(len(w) for w in words) < MIN_PLACE_NAME_LENGTH:
        raise QueryError(
            _("Bitte geben Sie mindestens %(min)d Buchstaben des Ortsnamens ein.") % {"min": MIN_PLACE_NAME_LENGTH}
        )
    if len(words) > MAX_WORDS:
        raise QueryError(_("Bitte verwenden Sie höchstens %(max)d Suchwörter.") % {"max": MAX_WORDS})
    return PlaceResults(kind="name", query=text, municipalities=municipalities_by_name(words, " ".join(words)))


def postcodes_of(municipality: Municipality) -> list[str]:
    """The Gemeinde's postcodes (OSM data, ODbL), sorted, each once."""
    linked = Q(municipality=municipality)
    if municipality.ags:
        linked |= Q(municipality__isnull=True, ags=municipality.ags)
    areas = PostcodeArea.objects.current().filter(linked)
    return sorted(set(areas.values_list("postcode", flat=True)))
