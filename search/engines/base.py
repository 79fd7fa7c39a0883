"""The contract every search engine implements (one behavioural test suite covers them all)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from search.documents import SearchDocument, page_of
from search.query import ParsedQuery


class SearchUnavailable(Exception):
    """The search server cannot be reached or refused the request."""


@dataclass
class SearchRequest:
    """What to look for, what to filter by, and who is asking (`audiences`, None = staff)."""

    query: ParsedQuery
    audiences: frozenset[str] | None
    kinds: list[str] = field(default_factory=list)
    product_areas: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    solved_only: bool = False
    staff_answered_only: bool = False
    offset: int = 0
    limit: int = 10
    match_all: bool = True  # False: any word may match (relaxed retry for long questions)
    facets: bool = True  # False (the type-ahead): no facets, and `total` counted only so far
    # False: hits may come without marked titles and snippets (`Engine._marked` adds them):
    # the hybrid ranking's 50 candidates, of which only a page is shown
    marked: bool = True


@dataclass
class Hit:
    doc_id: str
    kind: str
    url: str
    title: str
    title_html: str  # escaped, with <mark> around matches
    snippet_html: str  # escaped, with <mark> around matches
    section: str = ""
    product_area: str = ""
    product_area_name: str = ""
    tags: list[str] = field(default_factory=list)
    solved: bool = False
    staff_answered: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    score: float = 0.0


@dataclass
class Facets:
    kind: list[tuple[str, int]] = field(default_factory=list)
    product_area: list[tuple[str, str, int]] = field(default_factory=list)  # slug, name, count
    tag: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: Facets = field(default_factory=Facets)
    # True when `total` is a lower bound: without facets, an engine may stop counting once
    # it knows enough to rank (the database engines, past `full_rank_max`)
    total_capped: bool = False


class Engine:
    """Base class: indexing, searching, suggesting. Subclasses implement the `_` methods."""

    name = "base"
    suggest_limit = 8
    facet_limit = 15

    # -- indexing
    def upsert(self, docs: Iterable[SearchDocument]) -> int:
        from search import dense, vocabulary

        docs = list(docs)
        if not docs:
            return 0
        self._upsert(docs)
        vocabulary.add_documents(docs)
        if dense.enabled():
            dense.add_documents(docs)
        return len(docs)

    def delete(self, doc_ids: Iterable[str]) -> None:
        doc_ids = list(doc_ids)
        if doc_ids:
            self._delete(doc_ids)
            from search import dense

            if dense.enabled():
                dense.remove(doc_ids)

    def rebuild(self, docs: Iterable[SearchDocument], batch_size: int = 500, progress=None) -> int:
        """Replace the whole index with `docs` (engines with aliases do it without downtime)."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def ids(self, kind: str | None = None) -> set[str]:
        raise NotImplementedError

    def ping(self) -> bool:
        return True

    # Sections of one page are collapsed over the first this many hits; a page further down
    # is a plain slice of the ranking (a page may show again there).
    collapse_max = 200

    # -- reading
    def search(self, request: SearchRequest) -> SearchResult:
        """The ranking's hits from `offset`, each page once: of a long page's sections (see
        `search.documents.page_of`) the best-ranked stands for the page, and the others leave
        the hits, the total and the facet counts (exactly while every match is among the
        hits read; beyond that the counts are an upper bound)."""
        if request.query.is_empty:
            return SearchResult([], 0)
        from search import dense
        from search.conf import app_settings

        wanted = request.offset + request.limit
        window = app_settings.DENSE_CANDIDATES
        # the hybrid ranking re-orders the first `window` hits; later pages stay lexical (a
        # page that straddles the window's end continues the fused order: each hit once)
        fuse = request.offset < window and dense.enabled()
        if not fuse and wanted > self.collapse_max:
            return self._search(request)
        # Collapsed before fusing: the hybrid ranking's candidates are `window` pages, not
        # `window` sections of a few long pages (which crowded the answer out of them).
        needed = max(window, wanted) if fuse else wanted
        limit = needed
        while True:
            result = self._search(replace(request, offset=0, limit=limit, marked=not fuse))
            kept, dropped = collapse_sections(result.hits)
            if len(kept) >= needed or len(result.hits) < limit or limit >= self.collapse_max:
                break
            limit = min(limit * 2, self.collapse_max)
        ranked = dense.fuse(request.query.raw, kept[:window]) + kept[window:] if fuse else kept
        hits = ranked[request.offset : wanted]
        if fuse:
            hits = self._marked(request, hits)
        return replace(
            result,
            hits=hits,
            total=max(result.total - len(dropped), len(kept)),
            facets=_facets_without(result.facets, dropped),
        )

    def suggest(
        self, query: ParsedQuery, audiences: frozenset[str] | None, limit: int | None = None
    ) -> list[Hit]:
        """The type-ahead: the first hits of the full search, ranked the same way (so the
        suggestions never disagree with the results page), without facets; for a question
        nothing matches well enough, the relaxed search. The word being typed also matches its
        likeliest completions (a prefix cannot match a stemmed index)."""
        from search import vocabulary

        if query.is_empty:
            return []
        request = SearchRequest(
            query=vocabulary.complete_last_word(query),
            audiences=audiences,
            limit=limit or self.suggest_limit,
            facets=False,
        )
        hits = self.search(request).hits
        if not hits and len(query.positive) >= 2:
            request.match_all = False
            hits = self.search(request).hits
        return hits

    def _marked(self, request: SearchRequest, hits: list[Hit]) -> list[Hit]:
        """`hits` (read with `marked=False`) with their marked titles and snippets, in the
        same order. Engines whose hits always come marked return them as they are."""
        return hits

    def _upsert(self, docs: list[SearchDocument]) -> None:
        raise NotImplementedError

    def _delete(self, doc_ids: list[str]) -> None:
        raise NotImplementedError

    def _search(self, request: SearchRequest) -> SearchResult:
        raise NotImplementedError


def write_in_batches(docs: Iterable[SearchDocument], batch_size: int, progress, write) -> list[str]:
    """A rebuild's loop: `docs` handed to `write` `batch_size` at a time, each batch's size
    reported to `progress` (when given). Returns the ids written, in order."""
    written: list[str] = []
    batch: list[SearchDocument] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= batch_size:
            write(batch)
            written += [d.id for d in batch]
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        write(batch)
        written += [d.id for d in batch]
        if progress:
            progress(len(batch))
    return written


def collapse_sections(hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """(the hits with each page once, at its best-ranked section; the other sections)."""
    kept: list[Hit] = []
    dropped: list[Hit] = []
    seen: set[str] = set()
    for hit in hits:
        page = page_of(hit.doc_id)
        if page in seen:
            dropped.append(hit)
        else:
            seen.add(page)
            kept.append(hit)
    return kept, dropped


def _facets_without(facets: Facets, dropped: list[Hit]) -> Facets:
    """`facets` with the collapsed sections no longer counted (a section has its page's kind,
    area and tags)."""
    if not dropped:
        return facets
    kinds: dict[str, int] = {}
    areas: dict[str, int] = {}
    tags: dict[str, int] = {}
    for hit in dropped:
        kinds[hit.kind] = kinds.get(hit.kind, 0) + 1
        if hit.product_area:
            areas[hit.product_area] = areas.get(hit.product_area, 0) + 1
        for tag in hit.tags:
            tags[tag] = tags.get(tag, 0) + 1

    def counted(rows, less, key, count):
        rows = [(*row[:count], max(row[count] - less.get(row[key], 0), 0)) for row in rows]
        return [row for row in rows if row[count] > 0]

    return Facets(
        kind=sorted(counted(facets.kind, kinds, 0, 1), key=lambda r: (-r[1], r[0])),
        product_area=sorted(counted(facets.product_area, areas, 0, 2), key=lambda r: (-r[2], r[0])),
        tag=sorted(counted(facets.tag, tags, 0, 1), key=lambda r: (-r[1], r[0])),
    )
