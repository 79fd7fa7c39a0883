"""Storage and filters shared by the SQLite and PostgreSQL engines (see `search.engines.database`).

SearchEntry and tag rows, the filters that are part of every WHERE clause (who may see what
included), facets and turning rows into hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from django.db import connection, transaction

from search.documents import SearchDocument
from search.engines.base import Engine, Facets, Hit, SearchRequest, write_in_batches
from search.models import SearchEntry, SearchEntryTag
from search.query import (
    marked_to_html,
)

ENTRY = SearchEntry._meta.db_table
TAG = SearchEntryTag._meta.db_table
HALF_LIFE_SECONDS = 180 * 86400.0
CHUNK = 400


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
        from search import dense

        with transaction.atomic():
            self.clear()
            written = write_in_batches(docs, batch_size, progress, self.upsert)
            dense.forget_all_but(set(written))
            self.optimize()
        return len(written)

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

    def _count_some(self, cursor, from_where: str, params: list) -> int:
        """The number of matches, counted only up to `full_rank_max` + 1: enough to choose
        how to rank them. A request without facets (the type-ahead) shows no total, and an
        exact count of a two-letter prefix's matches cost more than ranking them."""
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {from_where} LIMIT %s) matches",  # noqa: S608
            [*params, self.full_rank_max + 1],
        )
        return cursor.fetchone()[0]

    def _capped(self, request: SearchRequest, total: int) -> bool:
        """Whether `total` is only a lower bound: counted by `_count_some` (a request without
        facets), which stops past `full_rank_max`."""
        return not request.facets and total > self.full_rank_max

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
        """(kind, area, area name, count) rows and the commonest tags, in one statement: the
        matches are found once (a materialised CTE) and counted twice."""
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH m AS MATERIALIZED ("  # noqa: S608
                f"SELECT e.id, e.kind, e.product_area, e.product_area_name FROM {from_where}) "
                "SELECT 'k', kind, product_area, MAX(product_area_name), COUNT(*) FROM m "
                "GROUP BY kind, product_area "
                "UNION ALL SELECT * FROM ("
                f"SELECT 't', t.tag, NULL, NULL, COUNT(*) FROM m JOIN {TAG} t ON t.entry_id = m.id "
                f"GROUP BY t.tag ORDER BY 5 DESC, 2 LIMIT {int(self.facet_limit)}) tags",
                params,
            )
            rows = cursor.fetchall()
        kind_rows = [row[1:] for row in rows if row[0] == "k"]
        tag_rows = sorted(((row[1], row[4]) for row in rows if row[0] == "t"), key=_by_count)
        return kind_rows, tag_rows

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


def dictfetch(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ===================================================================== SQLite FTS5


def _by_count(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]
