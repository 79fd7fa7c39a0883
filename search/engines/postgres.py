"""The PostgreSQL full-text engine: the parsed query as a tsquery, ranking, headlines and the
GIN indexes it relies on.
"""

from __future__ import annotations

import re
import time

from django.db import connection, transaction

from search.engines.base import Facets, Hit, SearchRequest, SearchResult
from search.engines.sql_base import (
    ENTRY,
    HALF_LIFE_SECONDS,
    HIT_COLUMNS,
    TAG,
    DatabaseEngine,
    dictfetch,
    relaxed_pairs,
)
from search.models import SearchStem, SearchTerm
from search.query import (
    MARK_END,
    MARK_START,
    Clause,
    ParsedQuery,
    required_matches,
)


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


def _ts_alternative(
    tokens: list[str], prefix: bool, adjacent: bool = True, weight: str = ""
) -> str:
    """`weight` ("A") restricts the words to that part of the vector (the title)."""
    parts = [_ts_token(t) + (f":{weight}" if weight else "") for t in tokens]
    if prefix:
        parts[-1] = f"{_ts_token(tokens[-1])}:*{weight}"
    joiner = " <-> " if adjacent else " & "
    return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"


def _ts_clause(clause: Clause, *, prefix_mode: str, adjacent: bool = True, weight: str = "") -> str:
    """The clause's alternatives; with `prefix`, the first (as typed) also as a prefix."""
    parts = [_ts_alternative(a, False, adjacent, weight) for a in clause.alternatives]
    if clause.prefix:
        prefixed = _ts_alternative(clause.tokens, True, adjacent, weight)
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
            for model in (SearchTerm, SearchStem):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

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
        # the whole query in the title (weight A): the title bonus, read from the vector
        # instead of parsing every candidate's title again
        in_title = [
            _ts_clause(c, prefix_mode="or", adjacent=adjacent, weight="A") for c in query.positive
        ]
        columns = {"query": match, "in_title": " & ".join(in_title)}
        for i, (clause, as_typed) in enumerate(zip(clauses, typed, strict=True)):
            columns[f"c{i}"] = clause
            if as_typed != clause:
                columns[f"t{i}"] = as_typed
        select = ", ".join(f"to_tsquery('english', %s) AS {name}" for name in columns)
        # OFFSET 0: see `_search` (no facets: the planner does not see the words)
        fence = "" if request.facets else " OFFSET 0"
        return f"(SELECT {select}{fence}) AS q", list(columns.values()), list(columns)

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
        title = f"(CASE WHEN {column} @@ {source}.in_title THEN {self.title_bonus} ELSE 1.0 END)"
        return f"{rank} * {coordination} * {title} * {self._freshness_sql(table)}"

    @staticmethod
    def _freshness_sql(table: str = "e") -> str:
        """The document's static boost, decayed with age (one %s parameter: now)."""
        return (
            f"{table}.boost * (1.0 + 0.5 / (1.0 + GREATEST(%s - {table}.updated_epoch, 0) / "
            f"{HALF_LIFE_SECONDS}))"
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        """With facets (the search page), inside a transaction that prefers the GIN indexes
        (`prefer_indexes`): the planner's estimates of how common the words are choose how
        thousands of matches are joined with their tags. Without (the type-ahead, on every
        key stroke), the words are hidden from the planner instead (the q subquery's OFFSET
        0): it cannot estimate them, takes them for rare and reads the GIN indexes, with no
        transaction and SET LOCAL (BEGIN, SET, COMMIT: three round trips fewer, each one a
        wait for the server on a busy machine, and no planning against the word statistics).
        Either way the same statements and the same order."""
        if not request.facets:
            with connection.cursor() as cursor:
                return self._search_with(cursor, request)
        with transaction.atomic(), connection.cursor() as cursor:
            prefer_indexes(cursor)
            return self._search_with(cursor, request)

    def _search_with(self, cursor, request: SearchRequest) -> SearchResult:
        q_sql, q_params, names = self._plan(request)
        where_sql, params = self._filters(request)
        from_where = f"{ENTRY} e CROSS JOIN {q_sql} WHERE e.search_vector @@ q.query{where_sql}"
        base_params = [*q_params, *params]
        clauses = request.query.positive
        if request.facets:
            facets = self._facets(from_where, base_params)
            total = sum(n for _, n in facets.kind)
        else:
            facets = Facets()
            total = self._count_some(cursor, from_where, base_params, request)
        capped = self._capped(request, total)
        if not total or request.offset >= total:
            return SearchResult([], total, facets, capped)
        if total > self.full_rank_max:
            ranked = self._rank_common(cursor, request, from_where, base_params, names, clauses)
        else:
            cursor.execute(
                f"SELECT e.id, {self._score_sql(names, clauses)} AS score "  # noqa: S608
                f"FROM {from_where} ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [time.time(), *base_params, request.limit, request.offset],
            )
            ranked = cursor.fetchall()
        if request.marked:
            hits = self._hydrate(cursor, ts_any_word(request.query), ranked, query=request.query)
        else:
            hits = self._plain_hits(cursor, ranked)
        return SearchResult(hits, total, facets, capped)

    def _plain_hits(self, cursor, ranked) -> list[Hit]:
        """The hits of `ranked` without marks: the hybrid ranking's candidates. ts_headline
        over 50 bodies cost the type-ahead more than everything else (p95 12 -> 28 ms at
        100k documents); only the page shown is marked (`_marked`)."""
        if not ranked:
            return []
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, e.title AS title_marked, '' AS snippet_marked "  # noqa: S608
            f"FROM {ENTRY} e WHERE e.id = ANY(%s)",
            [[row[0] for row in ranked]],
        )
        return self._marked_hits(dictfetch(cursor), ranked)

    def _marked(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        # by doc_id, so a page re-indexed since the candidates were read (a new row) is read
        # again: only while the person asking may still read it (it may have been gated)
        audience_sql, audience_params = self._audience(request.audiences)
        audience_sql = f" AND {audience_sql}" if audience_sql else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.doc_id, e.id FROM {ENTRY} e WHERE e.doc_id = ANY(%s){audience_sql}",  # noqa: S608
                [[h.doc_id for h in hits], *audience_params],
            )
            ids = dict(cursor.fetchall())
            ranked = [(ids[h.doc_id], h.score) for h in hits if h.doc_id in ids]
            return self._hydrate(cursor, ts_any_word(request.query), ranked, query=request.query)

    def _count_some(self, cursor, from_where: str, params: list, request=None) -> int:
        """`DatabaseEngine._count_some`, first in the title vectors when nothing is
        excluded: a match there is a match (the same leading lexemes), so enough title
        matches answer without reading the whole index's postings (a two-letter prefix's
        bitmap of every document cost more than ranking the page)."""
        if request is None or request.query.negative:
            return super()._count_some(cursor, from_where, params)
        enough = self.full_rank_max + 1
        in_titles = from_where.replace("e.search_vector @@ q.query", "e.title_vector @@ q.query", 1)
        # a CASE's scalar subqueries run only when reached: the full count only when needed
        cursor.execute(
            f"SELECT CASE WHEN (SELECT COUNT(*) FROM (SELECT 1 FROM {in_titles} LIMIT %s) t) "  # noqa: S608
            f"= %s THEN %s ELSE (SELECT COUNT(*) FROM (SELECT 1 FROM {from_where} LIMIT %s) m) "
            "END",
            [*params, enough, enough, enough, *params, enough],
        )
        return cursor.fetchone()[0]

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
        rows = dictfetch(cursor)
        for row in rows:
            excerpt = word_excerpt(row["code_window"], words) if row["code_window"] else None
            if excerpt:
                row["snippet_marked"] = excerpt
        return self._marked_hits(rows, ranked)
