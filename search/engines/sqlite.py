"""The SQLite FTS5 engine: the parsed query as an FTS5 match, ranking and snippets."""

from __future__ import annotations

import time
from itertools import combinations
from math import comb

from django.db import connection

from search.engines.base import Facets, Hit, SearchRequest, SearchResult
from search.engines.sql_base import (
    ENTRY,
    HALF_LIFE_SECONDS,
    HIT_COLUMNS,
    DatabaseEngine,
    dictfetch,
    relaxed_pairs,
)
from search.query import (
    MARK_END,
    MARK_START,
    Clause,
    ParsedQuery,
    required_matches,
)


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


TIER_COLUMNS = "title headings summary tags"

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

    def _plan(self, request: SearchRequest, columns: str = "") -> dict:
        """The MATCH expression, the "most words" condition and the score, with parameters.

        With `columns` ("title headings"), the score looks for the words in those columns
        only: the common-words tier ranks its matches by them without reading every body's
        doclist (a two-letter prefix matches most documents)."""
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
        if columns:
            coordination_params = [f"{{{columns}}} : ({p})" for p in coordination_params]
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
            near = f"NEAR({near}, {self.near_distance})"
            score_params.append(f"{{{columns}}} : {near}" if columns else near)
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
            with connection.cursor() as cursor:
                total = self._count_some(cursor, from_where, base_params)
        capped = self._capped(request, total)
        if not total or request.offset >= total:
            return SearchResult([], total, facets, capped)
        with connection.cursor() as cursor:
            ranked: list = []
            if total > self.full_rank_max and wanted <= self.title_tier_max:
                # Very common words: rank the matches in titles, headings and tags (which
                # the weights put first anyway) instead of scoring thousands of bodies.
                tier = self._plan(request, columns=TIER_COLUMNS)
                cursor.execute(
                    f"SELECT e.id, {tier['score']} AS score FROM {JOINED} "  # noqa: S608
                    f"WHERE search_fts MATCH %s{plan['condition']}{where_sql} "
                    "ORDER BY score LIMIT %s",
                    [
                        *tier["score_params"],
                        f"{{{TIER_COLUMNS}}} : ({match})",
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
        return SearchResult(hits, total, facets, capped)

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
        return self._marked_hits(dictfetch(cursor), ranked, score_of=lambda score: -score)
