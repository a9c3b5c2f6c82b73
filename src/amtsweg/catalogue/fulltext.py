"""The catalogue's full-text index: one search document per OZG- and LeiKa-Leistung, searched by the database.

A row's `search_document` is its folded name (`core.text.fold`) followed by the everyday words that point at
it (`data/everyday_terms.csv`: "Waffenschein" for the Waffenerlaubnis, "ummelden" for the
Wohnsitzmeldungen). Each database searches that column with its own machinery:

* **PostgreSQL**: full-text search with the `german` configuration (Snowball stemming; a GIN index on
  `to_tsvector('german', search_document)`), prefix lexemes so that "Hund" finds "Hundesteuer", and pg_trgm
  (GIN `gin_trgm_ops` index) for parts inside compounds ("Steuer" in "Hundesteuer") and for typos
  (`strict_word_similarity`, the `%>>` operator).
* **SQLite**: two FTS5 tables per model, kept in step with the column by triggers: `…_fts` (unicode61
  words; the query's German Snowball stem, computed here with snowballstemmer, is matched as a prefix) and
  `…_trigram` (the trigram tokenizer: substrings and typo candidates, whose similarity is then computed
  here exactly as pg_trgm does).

The database decides which rows match; the order of the results is worked out from the same documents in
`catalogue.search` for both databases, so the demo (SQLite) and production (PostgreSQL) answer alike.
Stop words ("für", "und") are dropped from queries before either database sees them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from amtsweg.core.importing import ErrorCollector, read_csv
from amtsweg.core.text import fold

DATA = Path(__file__).resolve().parent / "data"
MIN_STEM_LENGTH = 3
MIN_SUBSTRING_LENGTH = 3  # the FTS5 trigram tokenizer finds substrings of three characters and more
TYPO_SIMILARITY = 0.5  # pg_trgm's default strict_word_similarity_threshold
TYPO_CANDIDATES = 50  # rows whose words are compared with a query word nothing holds
_TOKEN = re.compile(r"\w+")

SQLITE_TABLES = {
    "catalogue_ozgservice": ("catalogue_ozgservice_fts", "catalogue_ozgservice_trigram"),
    "catalogue_publicservice": ("catalogue_publicservice_fts", "catalogue_publicservice_trigram"),
}


# --- Words --------------------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """The words of a folded text as both databases split it (letters and digits; "-" and "/" separate)."""
    return _TOKEN.findall(text)


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("german")


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The German Snowball stem of a folded word ("anmelden", "anmeldung" → "anmeld"), kept a prefix of it.

    Snowball reads a folded "ue" as "ü" and prints it as "u": the stem is mapped back onto the folded word,
    so it stays a prefix of what the documents hold ("fuehrerscheine" → "fuehrerschein", not "fuhrerschein").
    """
    stemmed = _stemmer().stemWord(word)
    i = j = 0
    while i < len(word) and j < len(stemmed):
        if word[i] == stemmed[j]:
            i, j = i + 1, j + 1
        elif word[i] == "e" and i and word[i - 1] in "aou":
            i += 1
        else:
            break
    prefix = word[:i]
    return prefix if len(prefix) >= MIN_STEM_LENGTH else word


@functools.cache
def stopwords() -> frozenset[str]:
    """Snowball's German stop words as PostgreSQL's `german` configuration has them, also folded."""
    words = set()
    for line in (DATA / "german_stopwords.txt").read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            words.update({word, fold(word)})
    return frozenset(words)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Trigram similarity of two words, as PostgreSQL's pg_trgm `similarity()` defines it."""
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def closest_words(word: str, documents: Iterable[str]) -> tuple[float, list[str]]:
    """The words of `documents` most similar to `word` (pg_trgm similarity), with that similarity."""
    best, found = 0.0, set()
    for document in documents:
        for candidate in set(tokens(document)):
            value = similarity(word, candidate)
            if value > best:
                best, found = value, {candidate}
            elif value == best:
                found.add(candidate)
    return best, sorted(found)


# --- Everyday words ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EverydayTerm:
    """An everyday word and what it points at: OZG-IDs, LeiKa key prefixes, catalogue words (name prefixes)."""

    word: str
    ozg_ids: frozenset[int]
    leika_prefixes: tuple[str, ...]
    name_words: tuple[str, ...]


@functools.cache
def everyday_terms() -> tuple[EverydayTerm, ...]:
    """The curated everyday words (`data/everyday_terms.csv`, sources in `data/README.md`)."""
    errors = ErrorCollector()
    rows = read_csv(DATA / "everyday_terms.csv", errors, required=("begriff", "ziele"), delimiter=";")
    errors.raise_if_any()  # a broken shipped file must fail loudly, not shrink the search silently
    terms = []
    for row in rows:
        targets = row["ziele"].split()
        terms.append(EverydayTerm(
            word=fold(row["begriff"]),
            ozg_ids=frozenset(int(t[4:]) for t in targets if t.startswith("ozg:")),
            leika_prefixes=tuple(t[6:] for t in targets if t.startswith("leika:")),
            name_words=tuple(fold(t[5:]) for t in targets if t.startswith("wort:")),
        ))
    return tuple(terms)


def document_for(name: str, *, ozg_id: int | None = None, leika_key: str = "") -> str:
    """The search document of a catalogue row: its folded name, then the everyday words pointing at it."""
    folded = fold(name)
    words = tokens(folded)
    extra: list[str] = []
    for term in everyday_terms():
        if term.word in extra:
            continue
        if (
            (ozg_id is not None and ozg_id in term.ozg_ids)
            or (leika_key and any(leika_key.startswith(prefix) for prefix in term.leika_prefixes))
            or any(w.startswith(target) for target in term.name_words for w in words)
        ):
            extra.append(term.word)
    return " ".join([folded, *extra])


def refresh_documents(ozg_model=None, leika_model=None) -> int:
    """Bring every row's `search_document` up to date (after an import, or when the everyday words change).

    Returns how many rows changed. Takes the (historical) models so that a data migration can call it.
    """
    if ozg_model is None or leika_model is None:
        from amtsweg.catalogue.models import OzgService, PublicService

        ozg_model, leika_model = OzgService, PublicService
    changed = 0
    for model, fields in ((ozg_model, ("ozg_id",)), (leika_model, ("key",))):
        stale = []
        for row in model.objects.only("pk", "name", "search_document", *fields).iterator(chunk_size=2000):
            document = (
                document_for(row.name, ozg_id=row.ozg_id) if model is ozg_model
                else document_for(row.name, leika_key=row.key)
            )
            if document != row.search_document:
                row.search_document = document
                stale.append(row)
        model.objects.bulk_update(stale, ["search_document"], batch_size=500)
        changed += len(stale)
    return changed


# --- The databases' indexes -----------------------------------------------------------------------------------


def search_columns_exist(conn) -> bool:
    """Whether the migration that adds `search_document` has run (not after migrating back before it)."""
    with conn.cursor() as cursor:
        columns = conn.introspection.get_table_description(cursor, "catalogue_publicservice")
    return any(column.name == "search_document" for column in columns)


def install_sqlite_index(conn) -> None:
    """Create the FTS5 tables and their triggers (idempotent) and fill them from the documents.

    Runs from the migration and after every `migrate` (`apps.CatalogueConfig`): SQLite rebuilds a table for
    many schema changes, which drops its triggers.
    """
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for table, (fts, trigram) in SQLITE_TABLES.items():
            for index, tokenizer in ((fts, "unicode61 remove_diacritics 2"), (trigram, "trigram")):
                for statement in _sqlite_statements(table, index, tokenizer):
                    cursor.execute(statement)


def _sqlite_statements(table: str, index: str, tokenizer: str) -> list[str]:
    """The FTS5 table `index` over `table.search_document` (external content) and the triggers keeping it so.
    Identifiers are this module's constants, never input."""
    delete_old = f"INSERT INTO {index}({index}, rowid, search_document) VALUES ('delete', old.id, old.search_document);"  # noqa: S608, E501
    insert_new = f"INSERT INTO {index}(rowid, search_document) VALUES (new.id, new.search_document);"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5(search_document, "
        f"content='{table}', content_rowid='id', tokenize='{tokenizer}')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE ON {table} BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",  # noqa: S608
    ]


def uninstall_sqlite_index(conn) -> None:
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for fts, trigram in SQLITE_TABLES.values():
            for index in (fts, trigram):
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {index}_{event}")
                cursor.execute(f"DROP TABLE IF EXISTS {index}")


# The tsvector is stored (a generated column the ORM does not know, so the previous release's code neither
# reads nor writes it): computed per row at query time, it cost a sequential scan some 80 ms on 5,000 rows
# whenever the planner did not pick the index.
POSTGRES_INDEXES = {
    table: (
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('german'::regconfig, COALESCE(search_document, ''))) STORED",
        f"CREATE INDEX IF NOT EXISTS {table}_search_fts ON {table} USING gin (search_vector)",
        f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_document gin_trgm_ops)",
        f"ANALYZE {table}",
    )
    for table in SQLITE_TABLES
}


def install_postgres_index(conn) -> None:
    """GIN indexes for the German full-text match and for pg_trgm (substrings, typos)."""
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for statements in POSTGRES_INDEXES.values():
            for statement in statements:
                cursor.execute(statement)


def uninstall_postgres_index(conn) -> None:
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for table in POSTGRES_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_fts")
            cursor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


# --- Conditions -----------------------------------------------------------------------------------------------


def _fts5_string(text: str) -> str:
    """An FTS5 string literal: whatever the citizen typed stays text, never an FTS5 operator."""
    return '"' + text.replace('"', '""') + '"'


def word_condition(model, terms: Iterable[str], substrings: Iterable[str] = ()) -> Q:
    """Rows whose document holds one of `terms` (folded words) as a word or word beginning after German
    stemming ("anmelden" finds "Anmeldung", "Hund" finds "Hundesteuer"), or one of `substrings` inside a
    word (a compound's part: "steuer" in "Hundesteuer")."""
    terms = [t for t in dict.fromkeys(terms) if t]
    substrings = [t for t in dict.fromkeys(substrings) if len(t) >= MIN_SUBSTRING_LENGTH]
    if connection.vendor == "postgresql":
        condition = _postgres_condition(model, terms, substrings)
    else:
        condition = _sqlite_condition(model, terms, substrings)
    return condition if condition else Q(pk__in=[])


def _postgres_condition(model, terms: list[str], substrings: list[str]) -> Q:
    from django.contrib.postgres.search import Lexeme, SearchQuery, SearchVectorExact, SearchVectorField

    lexemes = None
    for term in terms:
        parts = [p for p in tokens(term) if p not in stopwords()]
        if not parts:
            continue
        expression = None
        for part in parts:
            lexeme = Lexeme(part, prefix=len(part) >= MIN_STEM_LENGTH)
            expression = lexeme if expression is None else expression & lexeme
        lexemes = expression if lexemes is None else lexemes | expression
    condition = Q()
    if lexemes is not None:
        # The stored column (see POSTGRES_INDEXES); the query's words go through the same `german` stemmer.
        vector = RawSQL(f'"{model._meta.db_table}"."search_vector"', [], output_field=SearchVectorField())  # noqa: S611
        condition |= Q(SearchVectorExact(vector, SearchQuery(lexemes, config="german")))
    for substring in substrings:
        condition |= Q(search_document__contains=substring)
    return condition


def _sqlite_condition(model, terms: list[str], substrings: list[str]) -> Q:
    fts, trigram = SQLITE_TABLES[model._meta.db_table]
    alternatives = []
    for term in terms:
        parts = [p for p in tokens(term) if p not in stopwords()]
        if parts:
            alternatives.append(
                "(" + " AND ".join(
                    _fts5_string(stem(p)) + ("*" if len(p) >= MIN_STEM_LENGTH else "") for p in parts
                ) + ")"
            )
    condition = Q()
    if alternatives:
        match = " OR ".join(alternatives)
        condition |= Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [match]))  # noqa: S608, S611
    if substrings:
        match = " OR ".join(_fts5_string(t) for t in substrings)
        condition |= Q(pk__in=RawSQL(f"SELECT rowid FROM {trigram} WHERE {trigram} MATCH %s", [match]))  # noqa: S608, S611
    return condition


def typo_candidates(queryset, word: str) -> list[str]:
    """Documents of the rows most likely to hold a misspelt `word`: pg_trgm's strict word similarity on
    PostgreSQL (indexed `%>>`), the FTS5 trigram table's best matches on SQLite. A few, never all rows."""
    if len(word) < MIN_SUBSTRING_LENGTH:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramStrictWordSimilar
        from django.contrib.postgres.search import TrigramStrictWordSimilarity

        # The lookup class itself: its `__trigram_strict_word_similar` name needs django.contrib.postgres
        # installed, which the SQLite installations do not have.
        candidates = (
            queryset.filter(TrigramStrictWordSimilar(F("search_document"), word))
            .annotate(typo_similarity=TrigramStrictWordSimilarity(word, "search_document"))
            .order_by("-typo_similarity", "pk")
            .values_list("search_document", flat=True)[:TYPO_CANDIDATES]
        )
        # The planner prices strict_word_similarity() as cheap and scans all rows (about 10 times slower than
        # the trigram index on the catalogue); for this one statement it takes the index.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            found = list(candidates)
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return found
    _fts, trigram = SQLITE_TABLES[queryset.model._meta.db_table]
    grams = sorted({word[i:i + 3] for i in range(len(word) - 2)})
    match = " OR ".join(_fts5_string(g) for g in grams)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {trigram} WHERE {trigram} MATCH %s ORDER BY rank LIMIT %s",  # noqa: S608
            [match, TYPO_CANDIDATES * 4],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return list(queryset.filter(pk__in=ids).values_list("search_document", flat=True))
