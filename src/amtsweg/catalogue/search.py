"""Word search over the catalogue and the municipality directory.

Plain functions, called by the views and tested directly. Everything is folded (see
`amtsweg.core.text.fold`), so "Strasse", "Straße" and "STRASSE" find the same rows on SQLite and PostgreSQL
alike. Services are found by the databases' full-text search over the stored search documents
(`catalogue.fulltext`); places by a plain `LIKE '%…%'` on the folded names. Every word of a query must occur
in the same name or document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from amtsweg.catalogue import fulltext
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
# Quotes, brackets and the operators of FTS5 and tsquery separate words in a service query
# ('NEAR("Hund" -Steuer*' is "NEAR", "Hund", "Steuer"); "-" and "/" inside a word ("Kfz-Zulassung") stay.
_QUERY_SEPARATORS = re.compile(r"[\"*()\[\]{}^:&|!<>~+=,;?„“”‚‘’«»]")
_WORD_EDGES = _EDGE_PUNCTUATION + "-/"
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
    words = [w for w in (part.strip(_WORD_EDGES) for part in _QUERY_SEPARATORS.sub(" ", fold(text)).split()) if w]
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


# --- Services -----------------------------------------------------------------------------------------


@dataclass
class WordQuery:
    """One query word and what it may be found as: itself, or, when no current row holds it, the catalogue's
    closest words (a typo: "hundesteur" → "hundesteuer")."""

    typed: str
    terms: tuple[str, ...]
    corrected: bool = False


def _substrings(terms: tuple[str, ...]) -> list[str]:
    """What to look for inside words ("anmeld" inside "Gewerbeanmeldung"): each term's German stem, which is
    a prefix of the term and so finds everything the term would; a stem of three letters ("bau") would find
    too much inside other words, so the term itself then."""
    found = []
    for term in terms:
        stemmed = fulltext.stem(term)
        found.append(stemmed if len(stemmed) >= 4 else term)
    return found


def _condition(model, word: WordQuery) -> Q:
    return fulltext.word_condition(model, word.terms, _substrings(word.terms))


class _Counts:
    """How many current rows hold a set of query words, each asked of the database once per search."""

    def __init__(self, words: list[WordQuery]):
        self.words = words
        self._found: dict[tuple[int, ...], tuple[int, int]] = {}

    def _ask(self, indexes: tuple[int, ...]) -> tuple[int, int]:
        if indexes not in self._found:
            counts = []
            for model in (OzgService, PublicService):
                condition = Q()
                for index in indexes:
                    condition &= _condition(model, self.words[index])
                counts.append(model.objects.current().filter(condition).count())
            self._found[indexes] = (counts[0], counts[1])
        return self._found[indexes]

    def rows(self, indexes) -> int:
        return sum(self._ask(tuple(sorted(indexes))))

    def ozg_rows(self, index: int) -> int:
        return self._ask((index,))[0]


def _with_typos_corrected(words: list[WordQuery]) -> list[WordQuery]:
    """Replace each word that no current row holds by the catalogue's closest words (pg_trgm similarity ≥ 0.5)."""
    corrected = []
    counts = _Counts(words)
    for index, word in enumerate(words):
        if _DIGITS.fullmatch(word.typed) or counts.rows([index]):
            corrected.append(word)
            continue
        documents = [
            document
            for model in (OzgService, PublicService)
            for document in fulltext.typo_candidates(model.objects.current(), word.typed)
        ]
        best, closest = fulltext.closest_words(word.typed, documents)
        if best >= fulltext.TYPO_SIMILARITY:
            corrected.append(WordQuery(word.typed, tuple(closest), corrected=True))
        else:
            corrected.append(word)
    return corrected


def _quality(document: str, word: WordQuery) -> int:
    """How well a document holds a word: 3 the word itself (any inflection), 2 a word beginning with its stem
    (a compound's start), 1 inside a word (a compound's part), 0 not at all."""
    words = fulltext.tokens(document)
    best = 0
    for term in word.terms:
        stemmed = fulltext.stem(term)
        if any(w == term or fulltext.stem(w) == stemmed for w in words):
            return 3
        if any(w.startswith(stemmed) for w in words):
            best = max(best, 2)
        elif any(s in document for s in _substrings((term,))):
            best = max(best, 1)
    return best


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
    """Find OZG-Leistungen whose search document, or that of one of their LeiKa-Leistungen, holds every word.

    The database matches (see `catalogue.fulltext`): German stems, word beginnings and compound parts, the
    everyday words of the documents, and for a word nothing holds its closest catalogue words. Stop words
    are left out. A query that is one number also finds the OZG-Leistung with that OZG-ID and LeiKa keys
    starting with it.

    Relevance, the same on SQLite and PostgreSQL: OZG-Leistungen whose own document holds every word first
    (a name starting with the query before others), then by how well it holds them (the word itself, a
    compound's start, a compound's part), how well its best LeiKa-Leistung does, how many of its
    LeiKa-Leistungen match, and the name; stray LeiKa matches come last.
    """
    words = query_words(raw)
    phrase = " ".join(words)
    content = [i for i, w in enumerate(words) if w not in fulltext.stopwords()] or list(range(len(words)))
    queries = _with_typos_corrected([WordQuery(words[i], (words[i],)) for i in content])
    used = [content[i] for i in _words_that_find(_Counts(queries))]
    chosen = [queries[content.index(i)] for i in used]

    def condition(model) -> Q:
        result = Q()
        for word in chosen:
            result &= _condition(model, word)
        return result

    service_filter = condition(OzgService)
    public_service_filter = condition(PublicService)
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

    def rank(hit: ServiceHit) -> tuple:
        if hit.service is None:
            return (3, 0, 0, 0, 0, "")
        own = sum(_quality(hit.service.search_document, word) for word in chosen)
        best_leika = max(
            (sum(_quality(p.search_document, word) for word in chosen) for p in hit.public_services), default=0
        )
        folded = hit.service.name_folded
        return (0 if hit.name_matches else 1, 0 if folded.startswith(phrase) else 1, -own, -best_leika,
                -len(hit.public_services), folded, hit.service.ozg_id)

    ordered = sorted(hits.values(), key=rank)
    for hit in ordered:
        hit.public_services.sort(key=lambda p: (p.name_folded, p.key))
    ozg_count = sum(1 for h in ordered if h.service is not None)
    typed = [p for p in (part.strip(_WORD_EDGES) for part in _QUERY_SEPARATORS.sub(" ", _clean(raw)).split())
             if fold(p).strip(_WORD_EDGES)]  # as typed, for the page; same order as `words`
    typed = typed if len(typed) == len(words) else words
    ignored = [typed[i] for i in content if i not in used]
    return ServiceResults(query=_clean(raw), hits=ordered, ozg_count=ozg_count, leika_count=leika_count,
                          ignored_words=ignored)


def _words_that_find(counts: _Counts) -> list[int]:
    """Indexes of the query words to require: all of them when some row holds every one; otherwise the words
    that name an OZG-Leistung (its name or everyday words) before the others, the most telling first (fewest
    rows), as long as something is still found. In a catalogue without "Hundehaltung Anmeldung", "Hund
    anmelden" still finds the Hundehaltung, "Reisepass verloren" the Reisepass, and the page names the rest."""
    everything = list(range(len(counts.words)))
    if len(everything) <= 1 or counts.rows(everything):
        return everything
    order = sorted(everything, key=lambda i: (0 if counts.ozg_rows(i) else 1, counts.rows([i]) or 10**9, i))
    chosen: list[int] = []
    for index in order:
        if counts.rows(chosen + [index]):
            chosen.append(index)
    return sorted(chosen) or everything


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


def _all_words(queryset: QuerySet, words: list[str]) -> QuerySet:
    for word in words:
        queryset = queryset.filter(name_folded__contains=word)
    return queryset


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
