"""The dictionary behind "did you mean": words of public documents and their frequencies.

Fed when documents are indexed (by every engine, so spelling help works the same everywhere);
only public documents contribute, so a suggestion never reveals a word of gated content.
Counts only grow between rebuilds; a suggestion is offered only when it finds results for
the person asking, so a stale word is harmless.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

from django.db import connection, transaction

from search.documents import SearchDocument
from search.models import SearchStem, SearchTerm
from search.query import ParsedQuery, edit_distance, words_of

BATCH = 500


def add_documents(docs: Iterable[SearchDocument]) -> None:
    counts: Counter[str] = Counter()
    stems: Counter[str] = Counter()
    for doc in docs:
        if doc.is_public:
            words = set(
                words_of(
                    f"{doc.title} {doc.headings} {doc.summary} {doc.body} {doc.code} "
                    f"{' '.join(doc.tags)}"
                )
            )
            counts.update(words)
            stems.update({stem_of(word) for word in words})
    _add_counts(SearchTerm, "term", counts)
    _add_counts(SearchStem, "stem", stems)


def _add_counts(model, column: str, counts: Counter[str]) -> None:
    """Add `counts` to the frequencies of `model` (one upsert per batch)."""
    table = model._meta.db_table
    items = list(counts.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            placeholders = ", ".join(["(%s, %s)"] * len(chunk))
            params: list = []
            for key, freq in chunk:
                params += [key, freq]
            cursor.execute(
                f"INSERT INTO {table} ({column}, frequency) VALUES {placeholders} "  # noqa: S608
                f"ON CONFLICT ({column}) DO UPDATE SET "
                f"frequency = {table}.frequency + excluded.frequency",
                params,
            )


def clear() -> None:
    SearchTerm.objects.all().delete()
    SearchStem.objects.all().delete()


def _candidates(word: str) -> list[tuple[str, int]]:
    low, high = len(word) - 2, len(word) + 2
    if connection.vendor == "postgresql":
        from search.engines.database import prefer_indexes

        with transaction.atomic(), connection.cursor() as cursor:
            prefer_indexes(cursor)  # the trigram index, not a similarity() per term
            cursor.execute(
                "SELECT term, frequency FROM search_searchterm "
                "WHERE term %% %s AND length(term) BETWEEN %s AND %s "
                "ORDER BY similarity(term, %s) DESC, frequency DESC LIMIT 40",
                [word, low, high, word],
            )
            return list(cursor.fetchall())
    # SQLite: the words sharing the first letter (an index range scan), or the first two
    # letters swapped, within two characters of the length.
    prefixes = {word[0]}
    if len(word) > 1:
        prefixes.add(word[1])
    rows: list[tuple[str, int]] = []
    for prefix in prefixes:
        rows += list(
            SearchTerm.objects.filter(
                term__gte=prefix, term__lt=prefix + "\uffff", frequency__gte=1
            )
            .extra(where=["length(term) BETWEEN %s AND %s"], params=[low, high])  # noqa: S610
            .values_list("term", "frequency")
        )
    return rows


@lru_cache(maxsize=2)
def _stemmer(algorithm: str):
    import snowballstemmer

    return snowballstemmer.stemmer(algorithm)


def same_stem(a: str, b: str) -> bool:
    """Whether every engine's stemmer takes `a` and `b` for one word (SQLite FTS5 and the
    cluster stem with Porter's algorithm, PostgreSQL with Snowball's English)."""
    return all(_stemmer(name).stemWord(a) == _stemmer(name).stemWord(b) for name in STEMMERS)


STEMMERS = ("porter", "english")


@lru_cache(maxsize=50_000)
def stem_of(word: str) -> str:
    """The stem a word's rarity is counted under (Porter's, as SQLite FTS5 stems; the other
    engines' English stemmers agree on all but a few words)."""
    return _stemmer("porter").stemWord(word)


def correct_word(word: str) -> str | None:
    """The most likely intended word for `word`, or None when it is fine or unknown.

    A word that is only another form of a known one ("commands" beside "command") is fine:
    the engines match it through the stem, so "correcting" it would only search twice."""
    if len(word) < 4 or not word.isalpha():
        return None
    if SearchTerm.objects.filter(term=word).exists():
        return None
    limit = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    for term, freq in _candidates(word):
        distance = edit_distance(word, term, limit)
        if distance > limit:
            continue
        if same_stem(word, term):
            return None
        key = (distance, -freq, term)
        if best is None or key < best:
            best = key
    return best[2] if best else None


COMPLETIONS = 3
IDF_FLOOR = 0.01
WEIGHTS_CACHE_KEY = "search:vocabulary-size:v1"


def weigh(query: ParsedQuery) -> ParsedQuery:
    """Each clause weighted by how rare its words are among public documents (inverse
    document frequency): the coordination factor then counts a missing "cbor" for more than
    a missing "device". The completions of a word being typed (a prefix clause) are read in
    the same statement: the type-ahead asks for both on every key stroke."""
    import math

    words = {t for c in query.positive for t in c.tokens if t.isalpha()}
    typing = _typing_prefix(query)
    if not words and typing is None:
        return query
    counts = _read_counts(words, typing)
    frequency, stem_frequency, size = counts.words, counts.stems, counts.documents
    # in the order `completions` gives (a union keeps no order of its own)
    typed = [t for t, _ in sorted(counts.completions.items(), key=lambda tn: (-tn[1], tn[0]))]
    clauses = []
    for clause in query.clauses:
        known = [frequency.get(t, 0) for t in clause.tokens if t.isalpha()]
        # as rare as its stem (what the engines match), and never rarer than the word itself:
        # a vocabulary built before stems were counted has none, or only those of the
        # documents indexed since (a word in 300 documents whose stem counts 1 so far)
        matched = [
            max(stem_frequency.get(stem_of(t), 0), frequency.get(t, 0))
            for t in clause.tokens
            if t.isalpha()
        ]
        df = min(matched) if matched else 0
        weight = math.log(1.0 + size / (df + 0.5)) if df else math.log(1.0 + size / 0.5)
        # BM25's (Robertson's) IDF, floored as FTS5 floors it: a word in most documents says
        # next to nothing about any of them (`size` is cached: a word may have grown past it)
        idf = max(math.log((max(size, df) - df + 0.5) / (df + 0.5)), IDF_FLOOR)
        known_word = not clause.is_word or clause.identifier or bool(df) or len(known) != 1
        clauses.append(
            replace(
                clause,
                weight=round(weight, 3),
                idf=round(idf, 3),
                known=known_word,
                completions=typed if typing is not None and clause is query.clauses[-1] else None,
            )
        )
    return replace(query, clauses=clauses)


class _Counts(NamedTuple):
    words: dict[str, int]  # word -> public documents with it
    stems: dict[str, int]  # stem -> public documents with any of its forms
    completions: dict[str, int]  # likeliest completions of the word being typed -> documents
    documents: int  # the number of public documents (the commonest word's count; cached)


def _read_counts(words: set[str], typing: str | None) -> _Counts:
    """What `weigh` needs, in one statement."""
    from django.core.cache import cache

    size = cache.get(WEIGHTS_CACHE_KEY)
    table = SearchTerm._meta.db_table
    parts, params = [], []
    if words:
        marks = ", ".join(["%s"] * len(words))
        parts.append(f"SELECT 'f', term, frequency FROM {table} WHERE term IN ({marks})")  # noqa: S608
        params += sorted(words)
        stems = sorted({stem_of(word) for word in words})
        marks = ", ".join(["%s"] * len(stems))
        parts.append(
            f"SELECT 's', stem, frequency FROM {SearchStem._meta.db_table} "  # noqa: S608
            f"WHERE stem IN ({marks})"
        )
        params += stems
    if size is None:  # the commonest word's count stands for the number of documents
        parts.append(f"SELECT 'n', NULL, MAX(frequency) FROM {table}")  # noqa: S608
    if typing is not None:
        sql, completion_params = _completions_sql(typing, COMPLETIONS)
        parts.append(f"SELECT * FROM ({sql}) c")  # noqa: S608
        params += completion_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    by_kind: dict[str, dict] = {"f": {}, "s": {}, "c": {}, "n": {}}
    for kind, key, n in rows:
        by_kind[kind][key] = n
    if size is None:
        size = max(int(by_kind["n"].get(None) or 1), 1)
        cache.set(WEIGHTS_CACHE_KEY, size, 300)
    return _Counts(by_kind["f"], by_kind["s"], by_kind["c"], size)


def _typing_prefix(query: ParsedQuery) -> str | None:
    """The word being typed (the last clause, a prefix) when it can have completions."""
    if not query.clauses or not query.clauses[-1].prefix:
        return None
    prefix = query.clauses[-1].tokens[0]
    return prefix if len(prefix) >= 2 and prefix.isalpha() else None


def _completions_sql(prefix: str, limit: int) -> tuple[str, list]:
    """('c', word, frequency) rows: the most frequent public words that start with `prefix`
    (not `prefix` itself)."""
    table = SearchTerm._meta.db_table
    return (
        f"SELECT 'c', term, frequency FROM {table} WHERE term > %s AND term < %s "  # noqa: S608
        "ORDER BY frequency DESC, term LIMIT %s",
        [prefix, prefix + "\uffff", int(limit)],
    )


def completions(prefix: str, limit: int = COMPLETIONS) -> list[str]:
    """The most frequent public words that start with `prefix` (not `prefix` itself)."""
    if len(prefix) < 2 or not prefix.isalpha():
        return []
    sql, params = _completions_sql(prefix, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [term for _, term, _ in cursor.fetchall()]


def complete_last_word(query: ParsedQuery) -> ParsedQuery:
    """The word being typed (a prefix clause) also matches its likeliest completions as
    whole words: a prefix cannot match a stemmed index ("provisio" vs "provis")."""
    clauses = query.clauses
    if not clauses or not clauses[-1].prefix:
        return query
    last = clauses[-1]
    found = last.completions if last.completions is not None else completions(last.tokens[0])
    extra = [[word] for word in found if [word] not in last.alternatives]
    if not extra:
        return query
    return replace(
        query, clauses=[*clauses[:-1], replace(last, alternatives=[*last.alternatives, *extra])]
    )


def suggest_spelling(query: ParsedQuery) -> str | None:
    """The query with misspelt words replaced, or None when nothing needs fixing."""
    raw = query.raw
    changed = False
    for word in query.words():
        fixed = correct_word(word)
        if fixed and fixed != word:
            raw = _replace_word(raw, word, fixed)
            changed = True
    return raw if changed else None


def _replace_word(raw: str, word: str, fixed: str) -> str:
    import re

    return re.sub(rf"(?i)\b{re.escape(word)}\b", fixed, raw, count=1)
