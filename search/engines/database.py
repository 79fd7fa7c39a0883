"""The database engine: SQLite FTS5 or PostgreSQL full-text search, no extra server.

Both share the storage (SearchEntry rows, tag rows) and the filters; they differ in how a
parsed query becomes a full-text match, how it is ranked and how snippets are cut. Filters,
including who may see what, are part of the WHERE clause of every statement (hits, counts,
facets and suggestions alike).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection, transaction

from search.documents import SearchDocument
from search.engines.base import Engine, Facets, Hit, SearchRequest, SearchResult
from search.models import SearchEntry, SearchEntryTag
from search.query import MARK_END, MARK_START, Clause, ParsedQuery, marked_to_html

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
        body=doc.body,
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
    def _filters(self, request: SearchRequest) -> tuple[list[str], list]:
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
        return where, params

    def _audience(self, audiences: frozenset[str] | None) -> tuple[str, list]:
        if audiences is None:
            return "", []
        if not audiences:
            return "1 = 0", []
        parts = " OR ".join(["e.audience LIKE %s"] * len(audiences))
        return f"({parts})", [f"%|{_like_escape(a)}|%" for a in sorted(audiences)]

    def _facets(self, from_where: str, params: list) -> Facets:
        """Kind and product-area counts in one pass over the matches, tags in a second."""
        facets = Facets()
        kinds: dict[str, int] = {}
        areas: dict[str, list] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.kind, e.product_area, MAX(e.product_area_name), COUNT(*) "  # noqa: S608
                f"FROM {from_where} GROUP BY e.kind, e.product_area",
                params,
            )
            for kind, area, name, n in cursor.fetchall():
                kinds[kind] = kinds.get(kind, 0) + n
                if area:
                    entry = areas.setdefault(area, [name or area, 0])
                    entry[1] += n
            tag_from = from_where.replace(
                " WHERE ", f" JOIN {TAG} t ON t.entry_id = e.id WHERE ", 1
            )
            cursor.execute(
                f"SELECT t.tag, COUNT(*) FROM {tag_from} "  # noqa: S608
                f"GROUP BY t.tag ORDER BY 2 DESC, 1 LIMIT {int(self.facet_limit)}",
                params,
            )
            facets.tag = [(t, n) for t, n in cursor.fetchall()]
        facets.kind = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        facets.product_area = sorted(
            ((slug, name, n) for slug, (name, n) in areas.items()), key=lambda a: (-a[2], a[0])
        )[: self.facet_limit]
        return facets

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
    parts = []
    for alternative in clause.alternatives:
        text = _fts_string(alternative)
        if clause.prefix and len(clause.alternatives) == 1:
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


# Joins go through a narrow covering index (migration 0003), never the wide rows.
JOINED = f"search_fts JOIN {ENTRY} e INDEXED BY search_entry_meta ON e.id = search_fts.rowid"
TITLE_TIER_MAX = 50
FULL_RANK_MAX = 2000  # matches scored in full; above, titles/headings/tags first


class SqliteEngine(DatabaseEngine):
    """FTS5 with the porter stemmer; bm25 with column weights title > headings > tags > body."""

    name = "sqlite"
    weights = "10.0, 5.0, 1.0, 4.0"  # title, headings, body, tags

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def _score_sql(self) -> str:
        return (
            f"bm25(search_fts, {self.weights}) * e.boost * "
            f"(1.0 + 0.5 / (1.0 + MAX(%s - e.updated_epoch, 0) / {HALF_LIFE_SECONDS}))"
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        match = fts_match(request.query, match_all=request.match_all)
        where, params = self._filters(request)
        where_sql = (" AND " + " AND ".join(where)) if where else ""
        from_where = f"{JOINED} WHERE search_fts MATCH %s{where_sql}"
        base_params = [match, *params]
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
            if total > FULL_RANK_MAX and wanted <= TITLE_TIER_MAX:
                # Very common words: rank the matches in titles, headings and tags (which
                # the weights put first anyway) instead of scoring thousands of bodies.
                cursor.execute(
                    f"SELECT e.id, {self._score_sql()} AS score FROM {JOINED} "  # noqa: S608
                    f"WHERE search_fts MATCH %s{where_sql} ORDER BY score LIMIT %s",
                    [time.time(), f"{{title headings tags}} : ({match})", *params, wanted],
                )
                ranked = cursor.fetchall()
            if len(ranked) >= wanted:
                ranked = ranked[request.offset : wanted]
            else:
                cursor.execute(
                    f"SELECT e.id, {self._score_sql()} AS score FROM {from_where} "  # noqa: S608
                    "ORDER BY score LIMIT %s OFFSET %s",
                    [time.time(), *base_params, request.limit, request.offset],
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
            f"snippet(search_fts, 2, '{MARK_START}', '{MARK_END}', '…', 28) AS snippet_marked "
            f"FROM search_fts JOIN {ENTRY} e ON e.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND search_fts.rowid IN ({', '.join(['%s'] * len(ids))})",
            [match, *ids],
        )
        rows = {row["id"]: row for row in _dictfetch(cursor)}
        return [
            self._hit(rows[i], rows[i]["title_marked"], rows[i]["snippet_marked"], -score)
            for i, score in ranked
            if i in rows
        ]

    def _suggest(self, query: ParsedQuery, audiences, limit: int) -> list[Hit]:
        request = SearchRequest(query=query, audiences=audiences, limit=limit, facets=False)
        where, params = self._filters(request)
        where_sql = (" AND " + " AND ".join(where)) if where else ""
        with connection.cursor() as cursor:
            # 1. every word in a title, heading or tag (unstemmed; the last one as a prefix).
            match = fts_match(query, prefix_mode="only")
            cursor.execute(
                "SELECT e.id, bm25(search_suggest_fts, 10.0, 4.0, 4.0) * e.boost * "  # noqa: S608
                "(1.0 + 0.5 / (1.0 + MAX(%s - e.updated_epoch, 0) / "
                f"{HALF_LIFE_SECONDS})) AS score FROM search_suggest_fts "
                f"JOIN {ENTRY} e INDEXED BY search_entry_meta ON e.id = search_suggest_fts.rowid "
                f"WHERE search_suggest_fts MATCH %s{where_sql} ORDER BY score LIMIT %s",
                [time.time(), match, *params, limit],
            )
            ranked = cursor.fetchall()
            hits = []
            if ranked:
                ids = [r[0] for r in ranked]
                cursor.execute(
                    f"SELECT {HIT_COLUMNS}, "  # noqa: S608
                    f"highlight(search_suggest_fts, 0, '{MARK_START}', '{MARK_END}') "
                    "AS title_marked, substr(e.body, 1, 200) AS snippet_marked "
                    f"FROM search_suggest_fts JOIN {ENTRY} e ON e.id = search_suggest_fts.rowid "
                    "WHERE search_suggest_fts MATCH %s AND search_suggest_fts.rowid IN "
                    f"({', '.join(['%s'] * len(ids))})",
                    [match, *ids],
                )
                rows = {r["id"]: r for r in _dictfetch(cursor)}
                hits = [
                    self._hit(
                        rows[i],
                        rows[i]["title_marked"],
                        _excerpt(rows[i]["snippet_marked"]),
                        -score,
                    )
                    for i, score in ranked
                    if i in rows
                ]
            if len(hits) < limit and len(query.positive) >= 2:
                # 2. a question typed in full: any of its words, anywhere (stemmed).
                relaxed = fts_match(query, match_all=False)
                seen = [h.doc_id for h in hits]
                cursor.execute(
                    f"SELECT e.id, {self._score_sql()} AS score FROM {JOINED} "  # noqa: S608
                    f"WHERE search_fts MATCH %s{where_sql} ORDER BY score LIMIT %s",
                    [time.time(), relaxed, *params, limit + len(seen)],
                )
                more = self._hydrate(cursor, relaxed, cursor.fetchall())
                hits += [h for h in more if h.doc_id not in seen][: limit - len(hits)]
        return hits


def _excerpt(text: str, length: int = 160) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


# ===================================================================== PostgreSQL


def _ts_token(token: str) -> str:
    return "'" + token.replace("\\", "").replace("'", "''") + "'"


def _ts_alternative(tokens: list[str], prefix: bool) -> str:
    parts = [_ts_token(t) for t in tokens]
    if prefix:
        parts[-1] += ":*"
    return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def _ts_clause(clause: Clause, *, prefix_mode: str) -> str:
    if clause.prefix and len(clause.alternatives) == 1:
        exact = _ts_alternative(clause.tokens, False)
        prefixed = _ts_alternative(clause.tokens, True)
        return prefixed if prefix_mode == "only" else f"({exact} | {prefixed})"
    parts = [_ts_alternative(a, False) for a in clause.alternatives]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def ts_query(query: ParsedQuery, *, match_all: bool = True, prefix_mode: str = "or") -> str:
    """Render a parsed query as to_tsquery() input (each token quoted, then stemmed by PG)."""
    positive = [_ts_clause(c, prefix_mode=prefix_mode) for c in query.positive]
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


HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=32, MinWords=14, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_HEADLINE_OPTIONS = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'


class PostgresEngine(DatabaseEngine):
    """tsvector (title A, headings/tags B, body D) + GIN; ts_rank_cd with weights; ts_headline."""

    name = "postgresql"
    rank_weights = "{0.1, 0.2, 0.5, 1.0}"  # D, C, B, A

    # Cover density without length normalisation ranked the labelled demo queries best
    # (MRR@10 0.95 against 0.78 for ts_rank with log-length normalisation).
    rank_function = "ts_rank_cd"
    normalization = 0

    def optimize(self) -> None:
        """Fresh statistics after a bulk load, so the planner picks the GIN indexes."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRY}")
            cursor.execute(f"ANALYZE {TAG}")

    def _score_sql(self, column: str = "e.search_vector") -> str:
        return (
            f"{self.rank_function}('{self.rank_weights}', {column}, q.query, "
            f"{int(self.normalization)}) * e.boost * "
            f"(1.0 + 0.5 / (1.0 + GREATEST(%s - e.updated_epoch, 0) / {HALF_LIFE_SECONDS}))"
        )

    def _search(self, request: SearchRequest) -> SearchResult:
        tsq = ts_query(request.query, match_all=request.match_all)
        where, params = self._filters(request)
        where_sql = (" AND " + " AND ".join(where)) if where else ""
        from_where = (
            f"{ENTRY} e CROSS JOIN to_tsquery('english', %s) AS q(query) "
            f"WHERE e.search_vector @@ q.query{where_sql}"
        )
        base_params = [tsq, *params]
        if request.facets:
            facets = self._facets(from_where, base_params)
            total = sum(n for _, n in facets.kind)
        else:
            facets = Facets()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {from_where}", base_params)  # noqa: S608
                total = cursor.fetchone()[0]
        if not total or request.offset >= total:
            return SearchResult([], total, facets)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {self._score_sql()} AS score FROM {from_where} "  # noqa: S608
                "ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
                [time.time(), *base_params, request.limit, request.offset],
            )
            ranked = cursor.fetchall()
            hits = self._hydrate(cursor, tsq, ranked)
        return SearchResult(hits, total, facets)

    def _hydrate(self, cursor, tsq: str, ranked, config: str = "english") -> list[Hit]:
        if not ranked:
            return []
        ids = [row[0] for row in ranked]
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, "  # noqa: S608
            f"ts_headline('{config}', e.title, q.query, %s) AS title_marked, "
            f"ts_headline('{config}', left(e.body, 20000), q.query, %s) AS snippet_marked "
            f"FROM {ENTRY} e, to_tsquery('{config}', %s) AS q(query) WHERE e.id = ANY(%s)",
            [TITLE_HEADLINE_OPTIONS, HEADLINE_OPTIONS, tsq, ids],
        )
        rows = {row["id"]: row for row in _dictfetch(cursor)}
        return [
            self._hit(rows[i], rows[i]["title_marked"], rows[i]["snippet_marked"], float(score))
            for i, score in ranked
            if i in rows
        ]

    def _suggest(self, query: ParsedQuery, audiences, limit: int) -> list[Hit]:
        request = SearchRequest(query=query, audiences=audiences, limit=limit, facets=False)
        where, params = self._filters(request)
        where_sql = (" AND " + " AND ".join(where)) if where else ""
        with connection.cursor() as cursor:
            # 1. every word in the title/headings/tags (unstemmed, last word as a prefix).
            tsq = ts_query(query, prefix_mode="only")
            cursor.execute(
                f"SELECT e.id, {self._score_sql('e.suggest_vector')} AS score "  # noqa: S608
                f"FROM {ENTRY} e, to_tsquery('simple', %s) AS q(query) "
                f"WHERE e.suggest_vector @@ q.query{where_sql} ORDER BY score DESC, e.id LIMIT %s",
                [time.time(), tsq, *params, limit],
            )
            hits = self._hydrate(cursor, tsq, cursor.fetchall(), config="simple")
            if len(hits) < limit and len(query.positive) >= 2:
                # 2. a question typed in full: two of its words in a title, heading or tag.
                relaxed = ts_query(query, match_all=False, prefix_mode="only")
                seen = [h.doc_id for h in hits]
                cursor.execute(
                    f"SELECT e.id, {self._score_sql('e.suggest_vector')} AS score "  # noqa: S608
                    f"FROM {ENTRY} e, to_tsquery('simple', %s) AS q(query) "
                    f"WHERE e.suggest_vector @@ q.query{where_sql} "
                    "ORDER BY score DESC, e.id LIMIT %s",
                    [time.time(), relaxed, *params, limit + len(seen)],
                )
                more = self._hydrate(cursor, relaxed, cursor.fetchall(), config="simple")
                hits += [h for h in more if h.doc_id not in seen][: limit - len(hits)]
        return hits
