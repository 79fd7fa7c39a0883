"""The database engine: SQLite FTS5 or PostgreSQL full-text search, no extra server.

Both share the storage (SearchEntry rows, tag rows) and the filters; they differ in how a
parsed query becomes a full-text match, how it is ranked and how snippets are cut. Filters,
including who may see what, are part of the WHERE clause of every statement (hits, counts,
facets and suggestions alike).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from itertools import combinations
from math import comb

from django.db import connection, transaction

from search.documents import SearchDocument
from search.engines.base import Engine, Facets, Hit, SearchRequest, SearchResult
from search.models import SearchEntry, SearchEntryTag, SearchTerm
from search.query import (
    MARK_END,
    MARK_START,
    Clause,
    ParsedQuery,
    marked_to_html,
    required_matches,
)

ENTRY = SearchEntry._meta.db_table
TAG = SearchEntryTag._meta.db_table
HALF_LIFE_SECONDS = 180 * 86400.0
CHUNK = 400


def database_engine(vendor: str) -> DatabaseEngine:
    if vendor == "postgresql":
        return PostgresEngine()
    if vendor == "sqlite":
        return SqliteEngine()
    raise RuntimeError(f"the database engine supports SQLite and PostgreSQL, not {vendor}")


def _delimited(values: Iterable[str]) -> str:
    values = [v for v in values if v]
    return "|" + "|".join(values) + "|" if values else ""


def _entry(doc: SearchDocument) -> SearchEntry:
    return SearchEntry(
        doc_id=doc.id,
        kind=doc.kind,
        url=doc.url,
        title=doc.title[:300],
        headings=doc.headings,
        summary=doc.summary,
        body=doc.body,
        code=doc.code,
        tags=_delimited(doc.tags),
        product_area=doc.product_area,
        product_area_name=doc.product_area_name,
        section=doc.section[:200],
        audience=_delimited(doc.audience),
        solved=doc.solved,
        staff_answered=doc.staff_answered,
        created=doc.created,
        updated=doc.updated,
        updated_epoch=doc.updated.timestamp(),
        popularity=doc.popularity,
        boost=doc.static_boost(),
        is_public=doc.is_public,
    )


class DatabaseEngine(Engine):
    """Storage and filters shared by the SQLite and PostgreSQL engines."""

    # Above `full_rank_max` matches, a first page (up to `title_tier_max` hits) is ranked
    # from the matches in titles, headings and tags when there are enough of them.
    full_rank_max = 2000
    title_tier_max = 50

    # -- indexing
    def _upsert(self, docs: list[SearchDocument]) -> None:
        """Replace the entries of `docs` (plain executemany: bulk loads stay fast)."""
        latest = {doc.id: doc for doc in docs}
        columns = [f.column for f in ENTRY_FIELDS]
        insert = (
            f"INSERT INTO {ENTRY} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            self._delete(list(latest))
            rows = []
            for doc in latest.values():
                entry = _entry(doc)
                rows.append(
                    [
                        f.get_db_prep_save(getattr(entry, f.attname), connection)
                        for f in ENTRY_FIELDS
                    ]
                )
            cursor.executemany(insert, rows)
            ids: dict[str, int] = {}
            keys = list(latest)
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start : start + CHUNK]
                cursor.execute(
                    f"SELECT doc_id, id FROM {ENTRY} WHERE doc_id IN "  # noqa: S608
                    f"({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                ids.update(cursor.fetchall())
            tag_rows = [[ids[doc.id], tag[:100]] for doc in latest.values() for tag in doc.tags]
            if tag_rows:
                cursor.executemany(
                    f"INSERT INTO {TAG} (entry_id, tag) VALUES (%s, %s)",  # noqa: S608
                    tag_rows,
                )

    def _delete(self, doc_ids: list[str]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(doc_ids), CHUNK):
                chunk = doc_ids[start : start + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {TAG} WHERE entry_id IN "  # noqa: S608
                    f"(SELECT id FROM {ENTRY} WHERE doc_id IN ({marks}))",
                    chunk,
                )
                cursor.execute(f"DELETE FROM {ENTRY} WHERE doc_id IN ({marks})", chunk)  # noqa: S608

    def clear(self) -> None:
        from search import vocabulary

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TAG}")  # noqa: S608
            cursor.execute(f"DELETE FROM {ENTRY}")  # noqa: S608
            vocabulary.clear()

    def rebuild(self, docs: Iterable[SearchDocument], batch_size: int = 500, progress=None) -> int:
        """Clear and refill in one transaction: readers see the old index until it commits."""
        total = 0
        with transaction.atomic():
            self.clear()
            batch: list[SearchDocument] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    total += self.upsert(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                total += self.upsert(batch)
                if progress:
                    progress(len(batch))
            self.optimize()
        return total

    def optimize(self) -> None:
        """Merge index segments after bulk loads (no-op where not needed)."""

    def count(self) -> int:
        return SearchEntry.objects.count()

    def ids(self, kind: str | None = None) -> set[str]:
        entries = SearchEntry.objects.all()
        if kind:
            entries = entries.filter(kind=kind)
        return set(entries.values_list("doc_id", flat=True))

    # -- filters
    def _filters(self, request: SearchRequest) -> tuple[str, list]:
        """The request's audience and filter conditions as SQL to append to a WHERE clause
        (" AND ...", or "" when there are none) and its parameters."""
        where: list[str] = []
        params: list = []
        audience_sql, audience_params = self._audience(request.audiences)
        if audience_sql:
            where.append(audience_sql)
            params += audience_params
        if request.kinds:
            where.append(f"e.kind IN ({', '.join(['%s'] * len(request.kinds))})")
            params += list(request.kinds)
        if request.product_areas:
            where.append(f"e.product_area IN ({', '.join(['%s'] * len(request.product_areas))})")
            params += list(request.product_areas)
        for tag in request.tags:
            where.append("e.tags LIKE %s")
            params.append(f"%|{_like_escape(tag)}|%")
        if request.solved_only:
            where.append("e.solved = %s")
            params.append(True)
        if request.staff_answered_only:
            where.append("e.staff_answered = %s")
            params.append(True)
        return (" AND " + " AND ".join(where)) if where else "", params

    def _audience(self, audiences: frozenset[str] | None) -> tuple[str, list]:
        if audiences is None:
            return "", []
        if not audiences:
            return "1 = 0", []
        parts = " OR ".join(["e.audience LIKE %s"] * len(audiences))
        return f"({parts})", [f"%|{_like_escape(a)}|%" for a in sorted(audiences)]

    def _facets(self, from_where: str, params: list) -> Facets:
        """Counts by kind, product area and tag of the matches described by `from_where`."""
        kind_rows, tag_rows = self._facet_rows(from_where, params)
        facets = Facets()
        kinds: dict[str, int] = {}
        areas: dict[str, list] = {}
        for kind, area, name, n in kind_rows:
            kinds[kind] = kinds.get(kind, 0) + n
            if area:
                entry = areas.setdefault(area, [name or area, 0])
                entry[1] += n
        facets.tag = [(t, n) for t, n in tag_rows]
        facets.kind = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        facets.product_area = sorted(
            ((slug, name, n) for slug, (name, n) in areas.items()), key=lambda a: (-a[2], a[0])
        )[: self.facet_limit]
        return facets

    def _facet_rows(self, from_where: str, params: list) -> tuple[list, list]:
        """(kind, area, area name, count) rows in one pass over the matches, tags in a second."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.kind, e.product_area, MAX(e.product_area_name), COUNT(*) "  # noqa: S608
                f"FROM {from_where} GROUP BY e.kind, e.product_area",
                params,
            )
            kind_rows = cursor.fetchall()
            tag_from = from_where.replace(
                " WHERE ", f" JOIN {TAG} t ON t.entry_id = e.id WHERE ", 1
            )
            cursor.execute(
                f"SELECT t.tag, COUNT(*) FROM {tag_from} "  # noqa: S608
                f"GROUP BY t.tag ORDER BY 2 DESC, 1 LIMIT {int(self.facet_limit)}",
                params,
            )
            return kind_rows, cursor.fetchall()

    @classmethod
    def _marked_hits(cls, rows: list[dict], ranked, score_of=float, snippet_of=str) -> list[Hit]:
        """Hits in `ranked` order ((id, score) pairs) from selected rows (hit columns plus
        title_marked and snippet_marked)."""
        rows = {row["id"]: row for row in rows}
        return [
            cls._hit(
                rows[i],
                rows[i]["title_marked"],
                snippet_of(rows[i]["snippet_marked"] or ""),
                score_of(score),
            )
            for i, score in ranked
            if i in rows
        ]

    @staticmethod
    def _hit(row: dict, title_marked: str, snippet_marked: str, score: float) -> Hit:
        return Hit(
            doc_id=row["doc_id"],
            kind=row["kind"],
            url=row["url"],
            title=row["title"],
            title_html=marked_to_html(title_marked or row["title"]),
            snippet_html=marked_to_html(snippet_marked or ""),
            section=row["section"],
            product_area=row["product_area"],
            product_area_name=row["product_area_name"],
            tags=[t for t in (row["tags"] or "").split("|") if t],
            solved=bool(row["solved"]),
            staff_answered=bool(row["staff_answered"]),
            created=_as_datetime(row["created"]),
            updated=_as_datetime(row["updated"]),
            score=score,
        )


ENTRY_FIELDS = [f for f in SearchEntry._meta.concrete_fields if not f.primary_key]

HIT_COLUMNS = (
    "e.id, e.doc_id, e.kind, e.url, e.title, e.section, e.product_area, e.product_area_name, "
    "e.tags, e.solved, e.staff_answered, e.created, e.updated"
)


def relaxed_pairs(parts: list[str]) -> list[tuple[str, str]]:
    """The relaxed match: any two of the words when there are three or more, else any one.

    (Each single part is paired with itself so one- and two-word queries work too.)
    """
    from itertools import combinations

    if len(parts) < 3:
        return [(p, p) for p in parts]
    return list(combinations(parts, 2))


def _like_escape(value: str) -> str:
    return value.replace("%", "").replace("_", "").replace("|", "")


def _as_datetime(value):
    from datetime import UTC, datetime

    from django.utils.dateparse import parse_datetime

    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
        if value is None:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _dictfetch(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ===================================================================== SQLite FTS5


def _fts_string(tokens: list[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _fts_clause(clause: Clause, *, prefix_mode: str) -> str:
    """The clause's alternatives; with `prefix`, the first (as typed) also as a prefix."""
    parts = []
    for i, alternative in enumerate(clause.alternatives):
        text = _fts_string(alternative)
        if clause.prefix and i == 0:
            text = f"{text}*" if prefix_mode == "only" else f"({text} OR {text}*)"
        parts.append(text)
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def fts_match(query: ParsedQuery, *, match_all: bool = True, prefix_mode: str = "or") -> str:
    """Render a parsed query as an FTS5 MATCH expression (every token quoted: no syntax errors)."""
    positive = [_fts_clause(c, prefix_mode=prefix_mode) for c in query.positive]
    if match_all:
        expression = " AND ".join(positive)
    else:
        expression = " OR ".join(
            (f"({a} AND {b})" if a != b else a) for a, b in relaxed_pairs(positive)
        )
    negative = [_fts_clause(c, prefix_mode=prefix_mode) for c in query.negative]
    if negative:
        expression = f"({expression}) NOT ({' OR '.join(negative)})"
    return expression


def _with_negative(match: str, negative: list[str]) -> str:
    return f"({match}) NOT ({' OR '.join(negative)})" if negative else match


# Joins go through a narrow covering index (migration 0003), never the wide rows.
JOINED = f"search_fts JOIN {ENTRY} e INDEXED BY search_entry_meta ON e.id = search_fts.rowid"


class SqliteEngine(DatabaseEngine):
    """FTS5 with the porter stemmer; bm25 with column weights, a coordination factor (the
    share of the query's words a document has), and bonuses for a title with the whole query
    and for the words standing near each other."""

    name = "sqlite"
    # title, headings, summary, body, code, tags (the column order of migration 0007)
    weights = "4.0, 2.0, 2.0, 1.0, 0.5, 2.0"

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    # bm25 weighs a title word by how often it occurs, so a long thread that repeats the words
    # outranked the page titled with them ("List SIMs" under "...when listing SIMs"); a title
    # that has the query doubles the score (MRR@10 0.866 -> 0.923 on the labelled queries).
    title_bonus = 2.0
    near_bonus = 1.3
    near_distance = 12
    synonym_credit = 0.7  # a clause matched only through a synonym counts this much
    coordination_power = 1
    coordination_floor = 0.0  # what a document with none of the words' weight keeps
    max_combinations = 20

    def _bonus_sql(self, factor: float) -> str:
        """`factor` for the documents that match one more FTS expression (a %s), else 1."""
        return (
            "(CASE WHEN e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) "  # noqa: S608
            f"THEN {float(factor)} ELSE 1.0 END)"
        )

    @staticmethod
    def _has_sql() -> str:
        return "(e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s))"

    def _plan(self, request: SearchRequest) -> dict:
        """The MATCH expression, the "most words" condition and the score, with parameters."""
        query = request.query
        clauses = [_fts_clause(c, prefix_mode="or") for c in query.positive]
        typed = [_fts_clause(c, prefix_mode="or") for c in query.as_typed().positive]
        negative = [_fts_clause(c, prefix_mode="or") for c in query.negative]
        n = len(clauses)
        need = required_matches(n, request.match_all)
        everything = " AND ".join(clauses)
        condition, condition_params = "", []
        if need == n:
            match = everything
        elif need == 1:
            match = " OR ".join(clauses)
        elif comb(n, need) <= self.max_combinations:
            # FTS5 evaluates "any `need` of the clauses" on its doclists, without reading rows;
            # the rows are ranked by bm25 of any word (an OR of ANDs would count a word only
            # where its whole group matched)
            combined = " OR ".join(
                "(" + " AND ".join(group) + ")" for group in combinations(clauses, need)
            )
            match = " OR ".join(clauses)
            condition = f" AND {self._has_sql()}"
            condition_params = [_with_negative(combined, negative)]
        else:  # a long question: count the clauses each candidate matches
            match = " OR ".join(clauses)
            condition = " AND (" + " + ".join([self._has_sql()] * n) + f") >= {need}"
            condition_params = list(clauses)
        match = _with_negative(match, negative)
        coordination, coordination_params = self._coordination(query, clauses, typed, need < n)
        score = (
            f"bm25(search_fts, {self.weights}) * e.boost * "
            f"(1.0 + 0.5 / (1.0 + MAX(%s - e.updated_epoch, 0) / {HALF_LIFE_SECONDS})) "
            f"* {coordination} * {self._bonus_sql(self.title_bonus)}"
        )
        score_params = [time.time(), *coordination_params * self.coordination_power]
        score_params.append(f"{{title}} : ({everything})")
        words = [c.tokens for c in query.positive if len(c.alternatives) == 1]
        if len(words) >= 2:
            near = " ".join(_fts_string(w) for w in words)
            score += f" * {self._bonus_sql(self.near_bonus)}"
            score_params.append(f"NEAR({near}, {self.near_distance})")
        return {
            "match": match,
            "condition": condition,
            "condition_params": condition_params,
            "score": score,
            "score_params": score_params,
        }

    def _coordination(self, query, clauses, typed, partial: bool) -> tuple[str, list]:
        """Coordination: 1 per clause matched as typed, less through a synonym only (SQL and
        its parameters); with `partial` (not every clause required) a clause may match 0."""
        parts, params = [], []
        for clause, as_typed in zip(clauses, typed, strict=True):
            if clause != as_typed:
                parts.append(
                    f"(CASE WHEN {self._has_sql()} THEN 1.0 WHEN {self._has_sql()} "
                    f"THEN {self.synonym_credit} ELSE 0.0 END)"
                )
                params += [as_typed, clause]
            elif partial:
                parts.append(f"(CASE WHEN {self._has_sql()} THEN 1.0 ELSE 0.0 END)")
                params.append(clause)
            else:
                parts.append("1.0")
        weights = [c.weight for c in query.positive]
        parts = [f"{w} * {part}" for w, part in zip(weights, parts, strict=True)]
        share = f"(({' + '.join(parts)}) / {float(sum(weights))})"
        floor = float(self.coordination_floor)
        share = f"({floor} + {1.0 - floor} * {share})"
        return " * ".join([share] * self.coordination_power) or "1.0", params

    def _search(self, request: SearchRequest) -> SearchResult:
        plan = self._plan(request)
        match, score, score_params = plan["match"], plan["score"], plan["score_params"]
        where_sql, params = self._filters(request)
        from_where = f"{JOINED} WHERE search_fts MATCH %s{plan['condition']}{where_sql}"
        base_params = [match, *plan["condition_params"], *params]
        wanted = request.offset + request.limit
        if request.facets:
            facets = self._facets(from_where, base_params)
            total = sum(n for _, n in facets.kind)
        else:
            facets = Facets()
            total = self._count(from_where, base_params)
        if not total or request.offset >= total:
            return SearchResult([], total, facets)
        with connection.cursor() as cursor:
            ranked: list = []
            if total > self.full_rank_max and wanted <= self.title_tier_max:
                # Very common words: rank the matches in titles, headings and tags (which
                # the weights put first anyway) instead of scoring thousands of bodies.
                cursor.execute(
                    f"SELECT e.id, {score} AS score FROM {JOINED} "  # noqa: S608
                    f"WHERE search_fts MATCH %s{plan['condition']}{where_sql} "
                    "ORDER BY score LIMIT %s",
                    [
                        *score_params,
                        f"{{title headings summary tags}} : ({match})",
                        *plan["condition_params"],
                        *params,
                        wanted,
                    ],
                )
                ranked = cursor.fetchall()
            if len(ranked) >= wanted:
                ranked = ranked[request.offset : wanted]
            else:
                cursor.execute(
                    f"SELECT e.id, {score} AS score FROM {from_where} "  # noqa: S608
                    "ORDER BY score LIMIT %s OFFSET %s",
                    [*score_params, *base_params, request.limit, request.offset],
                )
                ranked = cursor.fetchall()
            hits = self._hydrate(cursor, match, ranked)
        return SearchResult(hits, total, facets)

    def _count(self, from_where: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {from_where}", params)  # noqa: S608
            return cursor.fetchone()[0]

    def _hydrate(self, cursor, match: str, ranked: list[tuple[int, float]]) -> list[Hit]:
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, "  # noqa: S608
            f"highlight(search_fts, 0, '{MARK_START}', '{MARK_END}') AS title_marked, "
            f"snippet(search_fts, 3, '{MARK_START}', '{MARK_END}', '…', 28) AS snippet_marked "
            f"FROM search_fts JOIN {ENTRY} e ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND search_fts.rowid IN ({', '.join(['%s'] * len(ids))})",
            [match, *ids],
        )
        return self._marked_hits(_dictfetch(cursor), ranked, score_of=lambda score: -score)


def _word_regex_postgres(words: list[str]) -> str:
    """A PostgreSQL regular expression for any of `words` standing alone or inside code (the
    same boundaries as `word_excerpt`). Query words are letters and digits; any regular
    expression syntax is escaped all the same."""
    alternatives = "|".join(re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\1", w) for w in set(words))
    return f"(^|[^[:alnum:]])({alternatives})($|[^[:alnum:]])"


def word_excerpt(text: str, words: list[str], width: int = 220) -> str | None:
    """An excerpt of `text` around the first of `words` standing as a word of its own or as a
    part of code (`client.list_sims()`, `/v1/sims`), with every such word marked; None when
    none is there."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return None
    start = max(first.start() - width // 3, 0)
    end = min(start + width, len(text))
    if start > 0:
        start = text.find(" ", start, first.start()) + 1 or start
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    window = text[start:end]
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", window)
    return ("… " if start > 0 else "") + marked.strip() + (" …" if end < len(text) else "")


def _excerpt(text: str, length: int = 160) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


# ===================================================================== PostgreSQL


def _ts_token(token: str) -> str:
    return "'" + token.replace("\\", "").replace("'", "''") + "'"


def _ts_alternative(tokens: list[str], prefix: bool, adjacent: bool = True) -> str:
    parts = [_ts_token(t) for t in tokens]
    if prefix:
        parts[-1] += ":*"
    joiner = " <-> " if adjacent else " & "
    return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"


def _ts_clause(clause: Clause, *, prefix_mode: str, adjacent: bool = True) -> str:
    """The clause's alternatives; with `prefix`, the first (as typed) also as a prefix."""
    parts = [_ts_alternative(a, False, adjacent) for a in clause.alternatives]
    if clause.prefix:
        prefixed = _ts_alternative(clause.tokens, True, adjacent)
        parts[0] = prefixed if prefix_mode == "only" else f"({parts[0]} | {prefixed})"
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def ts_query(query: ParsedQuery, *, match_all: bool = True, prefix_mode: str = "or") -> str:
    """Render a parsed query as to_tsquery() input (each token quoted, then stemmed by PG).

    In the relaxed form (any two words of a long question) the words of a phrase need not be
    adjacent: a phrase makes PostgreSQL recheck every candidate row against its full tsvector,
    which for a relaxed question means reading thousands of them out of TOAST.
    """
    positive = [_ts_clause(c, prefix_mode=prefix_mode, adjacent=match_all) for c in query.positive]
    if match_all:
        expression = "(" + " & ".join(positive) + ")"
    else:
        expression = (
            "("
            + " | ".join((f"({a} & {b})" if a != b else a) for a, b in relaxed_pairs(positive))
            + ")"
        )
    negative = [_ts_clause(c, prefix_mode=prefix_mode) for c in query.negative]
    if negative:
        expression += " & !(" + " | ".join(negative) + ")"
    return expression


def ts_any_word(query: ParsedQuery) -> str:
    """Any word of the query's positive clauses: what snippets highlight.

    ts_headline's cost grows with the query, and a relaxed question with synonyms is a long
    one; the words alone pick the same fragments and mark the same terms.
    """
    words: list[str] = []
    for clause in query.positive:
        prefix = clause.prefix and len(clause.alternatives) == 1
        for alternative in clause.alternatives:
            for token in alternative:
                word = _ts_token(token)
                words += [word, f"{word}:*"] if prefix else [word]
    return " | ".join(dict.fromkeys(words)) or "''"


HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=32, MinWords=14, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_HEADLINE_OPTIONS = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'


# Created by migrations 0002 and 0004 (0005 gives them small pending lists).
POSTGRES_GIN_INDEXES = [
    "search_entry_vector_gin",
    "search_entry_suggest_gin",
    "search_entry_title_vector_gin",
    "search_term_trgm",
]


def prefer_indexes(cursor) -> None:
    """Within the current transaction, find matches through the GIN indexes.

    The planner costs `@@` like any cheap operator, so for a word in a third of the rows it
    picks a sequential scan, which reads every row's tsvector out of TOAST (about 15 times
    slower than a bitmap scan of the index, which needs no vector for plain word queries).
    """
    cursor.execute("SET LOCAL enable_seqscan = off")


class PostgresEngine(DatabaseEngine):
    """tsvector (title A; headings, tags, summary B; code C; body D) + GIN; ts_rank with
    weights and length normalisation, times a coordination factor (the share of the query's
    words a document has) and a bonus for a title with the whole query; ts_headline."""

    name = "postgresql"
    full_rank_max = 500
    common_candidates = 300
    # D (body), C (code), B (headings, summary, tags), A (title): the ratios of SQLite's
    # column weights (4 / 2 / 1 / 0.5); 10 / 5 / 1 let a title word outweigh a page about
    # the whole query
    rank_weights = "{0.25, 0.125, 0.5, 1.0}"

    # Without length normalisation the longest page came first for a fifth of the queries on
    # a real docs tree: divide by 1 + log(length).
    rank_function = "ts_rank"
    normalization = 1
    title_bonus = 2.0
    synonym_credit = 0.7
    coordination_power = 1
    coordination_floor = 0.0

    def optimize(self) -> None:
        """After a bulk load: merge the GIN indexes' pending lists (which every search would
        otherwise scan in full) and refresh the planner's statistics."""
        with connection.cursor() as cursor:
            for index in POSTGRES_GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute(f"ANALYZE {ENTRY}")
            cursor.execute(f"ANALYZE {TAG}")
            cursor.execute(f"ANALYZE {SearchTerm._meta.db_table}")

    def _plan(self, request: SearchRequest) -> tuple[str, list, list[str]]:
        """(the q subquery, its parameters, its column names): the match (most of the words),
        the rank query (any word), the whole query, and each clause with and without
        synonyms (for the coordination factor)."""
        query = request.query
        adjacent = request.match_all
        clauses = [_ts_clause(c, prefix_mode="or", adjacent=adjacent) for c in query.positive]
        typed = [
            _ts_clause(c, prefix_mode="or", adjacent=adjacent) for c in query.as_typed().positive
        ]
        n = len(clauses)
        need = required_matches(n, request.match_all)
        everything = "(" + " & ".join(clauses) + ")"
        if need == n:
            match = everything
        else:
            from itertools import combinations

            match = (
                "("
                + " | ".join("(" + " & ".join(group) + ")" for group in combinations(clauses, need))
                + ")"
            )
        negative = [_ts_clause(c, prefix_mode="or") for c in query.negative]
        if negative:
            match += " & !(" + " | ".join(negative) + ")"
        columns = {"query": match, "everything": everything}
        for i, (clause, as_typed) in enumerate(zip(clauses, typed, strict=True)):
            columns[f"c{i}"] = clause
            if as_typed != clause:
                columns[f"t{i}"] = as_typed
        select = ", ".join(f"to_tsquery('english', %s) AS {name}" for name in columns)
        return f"(SELECT {select}) AS q", list(columns.values()), list(columns)

    def _score_sql(
        self,
        names: list[str],
        clauses: list[Clause],
        column: str = "e.search_vector",
        table: str = "e",
        source="q",
    ) -> str:
        """Text rank x coordination x title bonus x static boost and freshness (one %s
        parameter: now)."""
        weights = [c.weight for c in clauses]
        n = len(weights)
        parts = []
        for i in range(n):
            has = f"{column} @@ {source}.c{i}"
            if f"t{i}" in names:
                parts.append(
                    f"(CASE WHEN {column} @@ {source}.t{i} THEN 1.0 WHEN {has} "
                    f"THEN {self.synonym_credit} ELSE 0.0 END)"
                )
            else:
                parts.append(f"(CASE WHEN {has} THEN 1.0 ELSE 0.0 END)")
        parts = [f"{w} * {part}" for w, part in zip(weights, parts, strict=True)]
        share = f"({' + '.join(parts)}) / {float(sum(weights))}"
        floor = float(self.coordination_floor)
        coordination = f"power({floor} + {1.0 - floor} * {share}, {self.coordination_power})"
        # ts_rank knows nothing of how rare a word is: ranked on "any word", a page repeating
        # the common words of a question beat the one with its rare word. Each clause is
        # ranked on its own, times BM25's inverse document frequency (which FTS5 and Lucene
        # apply themselves).
        ranks = [
            f"{c.idf} * {self.rank_function}('{self.rank_weights}', {column}, {source}.c{i}, "
            f"{int(self.normalization)})"
            for i, c in enumerate(clauses)
        ]
        rank = f"({' + '.join(ranks)})"
        title = (
            f"(CASE WHEN to_tsvector('english', {table}.title) @@ {source}.everything "
            f"THEN {self.title_bonus} ELSE 1.0 END)"
        )
        return f"{rank} * {coordination} * {title} * {self._freshness_sql(table)}"

    @staticmethod
    def _freshness_sql(table: str = "e") -> str:
        """The document's static boost, decayed with age (one %s parameter: now)."""
        return (
            f"{table}.boost * (1.0 + 0.5 / (1.0 + GREATEST(%s - {table}.updated_epoch, 0) / "
            f"{HALF_LIFE_SECONDS}))"
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        q_sql, q_params, names = self._plan(request)
        where_sql, params = self._filters(request)
        from_where = f"{ENTRY} e CROSS JOIN {q_sql} WHERE e.search_vector @@ q.query{where_sql}"
        base_params = [*q_params, *params]
        clauses = request.query.positive
        score = self._score_sql(names, clauses)
        with transaction.atomic(), connection.cursor() as cursor:
            prefer_indexes(cursor)
            if request.facets:
                facets = self._facets(from_where, base_params)
                total = sum(n for _, n in facets.kind)
            else:
                facets = Facets()
                cursor.execute(f"SELECT COUNT(*) FROM {from_where}", base_params)  # noqa: S608
                total = cursor.fetchone()[0]
            if not total or request.offset >= total:
                return SearchResult([], total, facets)
            if total > self.full_rank_max:
                ranked = self._rank_common(cursor, request, from_where, base_params, names, clauses)
            else:
                cursor.execute(
                    f"SELECT e.id, {score} AS score FROM {from_where} "  # noqa: S608
                    "ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                    [time.time(), *base_params, request.limit, request.offset],
                )
                ranked = cursor.fetchall()
            hits = self._hydrate(cursor, ts_any_word(request.query), ranked, query=request.query)
        return SearchResult(hits, total, facets)

    def _rank_common(
        self, cursor, request: SearchRequest, from_where: str, params: list, names, clauses
    ):
        """A page of a query matching thousands of rows, without scoring them all.

        Scoring a match reads its full tsvector out of TOAST, which costs about as much as
        everything else in a search put together once there are a few thousand. So the
        order is: (1) the matches in titles, headings, tags and summaries, scored on their
        small inline vector (the weights rank them first anyway); (2) the best
        `common_candidates` of the other matches by quality and freshness, scored in full;
        (3) the rest by quality and freshness. Each page is a slice of that one order.
        """
        wanted = request.offset + request.limit
        now = time.time()
        # Without exclusions, a match in the title vector is a match in the full vector
        # (same leading lexemes and positions), so the full vector need not be read.
        title_where = from_where
        if not request.query.negative:
            title_where = from_where.replace("e.search_vector @@ q.query", "TRUE", 1)
        cursor.execute(
            f"SELECT e.id, {self._score_sql(names, clauses, 'e.title_vector')} AS score "  # noqa: S608
            f"FROM {title_where} AND e.title_vector @@ q.query ORDER BY score DESC, e.id LIMIT %s",
            [now, *params, wanted],
        )
        ranked = cursor.fetchall()
        if len(ranked) < wanted:
            titled = [row[0] for row in ranked]
            columns = ", ".join(f"q.{name}" for name in names)
            full = self._score_sql(names, clauses, "c.search_vector", "c", "c")
            cursor.execute(
                f"SELECT c.id, {full} AS score "  # noqa: S608
                "FROM (SELECT e.id, e.title, e.search_vector, e.boost, e.updated_epoch, "
                f"{columns} FROM {from_where} AND e.title_vector @@ q.query IS NOT TRUE "
                f"ORDER BY {self._freshness_sql()} DESC, e.id LIMIT %s) c "
                "ORDER BY score DESC, c.id",
                [now, *params, now, self.common_candidates],
            )
            ranked += cursor.fetchall()
            if len(ranked) < wanted:
                cursor.execute(
                    f"SELECT e.id, {self._freshness_sql()} AS score FROM {from_where} "  # noqa: S608
                    "AND e.title_vector @@ q.query IS NOT TRUE "
                    f"ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                    [now, *params, wanted - len(ranked), len(ranked) - len(titled)],
                )
                ranked += cursor.fetchall()
        return ranked[request.offset : wanted]

    def _facet_rows(self, from_where: str, params: list) -> tuple[list, list]:
        """Kinds, areas and the top tags in one statement: the matches are found once."""
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH m AS MATERIALIZED ("  # noqa: S608
                f"SELECT e.id, e.kind, e.product_area, e.product_area_name FROM {from_where}) "
                "SELECT 'kind', m.kind, m.product_area, MAX(m.product_area_name), COUNT(*) "
                "FROM m GROUP BY m.kind, m.product_area "
                "UNION ALL "
                "(SELECT 'tag', t.tag, '', '', COUNT(*) "
                f"FROM m JOIN {TAG} t ON t.entry_id = m.id "
                f"GROUP BY t.tag ORDER BY 5 DESC, 2 LIMIT {int(self.facet_limit)})",
                params,
            )
            rows = cursor.fetchall()
        kind_rows = [row[1:] for row in rows if row[0] == "kind"]
        tag_rows = [(row[1], row[4]) for row in rows if row[0] == "tag"]
        return kind_rows, tag_rows

    def _hydrate(
        self, cursor, tsq: str, ranked, config: str = "english", query: ParsedQuery | None = None
    ) -> list[Hit]:
        """The hits of `ranked`, with marked titles and snippets (one query).

        ts_headline parses the stored text, in which `client.list_sims()` is one token, so a
        document found for `list_sims` (migration 0006 indexes the parts) would get an unmarked
        excerpt from its start. With `query`, a snippet without marks is replaced by a window
        around the first of the query's words that stands alone or inside code, when there is
        one; the window is read in the same query, and only for those rows.
        """
        if not ranked:
            return []
        words = [token for clause in query.positive for token in clause.tokens] if query else []
        code_window = "NULL"
        params: list = [TITLE_HEADLINE_OPTIONS]
        if words:
            code_window = (
                f"CASE WHEN strpos(h.snippet_marked, '{MARK_START}') = 0 THEN (SELECT "  # noqa: S608
                "substr(w.body, greatest(w.at - 90, 1), 330) FROM (SELECT left(e.body, 20000) "
                "AS body, regexp_instr(left(e.body, 20000), %s, 1, 1, 0, 'i') AS at) w "
                "WHERE w.at > 0) END"
            )
            params.append(_word_regex_postgres(words))
        params += [tsq, HEADLINE_OPTIONS, [row[0] for row in ranked]]
        # OFFSET 0 keeps the planner from inlining the LATERAL subquery, which would compute
        # the headline (the costliest part) twice: once to select, once to test for marks.
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, "  # noqa: S608
            f"ts_headline('{config}', e.title, q.query, %s) AS title_marked, h.snippet_marked, "
            f"{code_window} AS code_window "
            f"FROM {ENTRY} e CROSS JOIN to_tsquery('{config}', %s) AS q(query) CROSS JOIN "
            f"LATERAL (SELECT ts_headline('{config}', left(e.body, 20000), q.query, %s) "
            "AS snippet_marked OFFSET 0) h WHERE e.id = ANY(%s)",
            params,
        )
        rows = _dictfetch(cursor)
        for row in rows:
            excerpt = word_excerpt(row["code_window"], words) if row["code_window"] else None
            if excerpt:
                row["snippet_marked"] = excerpt
        return self._marked_hits(rows, ranked)
