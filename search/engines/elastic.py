"""The Elasticsearch / OpenSearch engine, chosen by settings.SEARCH_URL.

Mappings, analyzers, queries, aggregations and highlighting are built with `elasticsearch.dsl`
and turned into plain dicts; the same dicts go to Elasticsearch 8+ (through the elasticsearch
client, its media types pinned to the cluster's major version) or to OpenSearch 2+ (through
opensearch-py: the elasticsearch client sends `compatible-with=N` media types that OpenSearch
answers with 406). The flavour comes from the URL (`opensearch+http://...`,
`elasticsearch+https://...` or `?flavour=`) or from `GET /`, which is also asked for the
version.

Writes go to an alias; `rebuild` fills a new index, swaps the alias atomically and drops the
old index, so searches never see a half-built index. What is sent lives in `elastic_dsl`, how it
is sent in `elastic_client`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from datetime import datetime

from search.documents import SearchDocument
from search.engines.base import (
    Engine,
    Facets,
    Hit,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    write_in_batches,
)
from search.engines.elastic_client import (
    ElasticClient,
    flavour_of,
    major_version,
    parse_search_url,
    server_info,
)
from search.engines.elastic_dsl import build_search, index_body
from search.query import marked_to_html

logger = logging.getLogger(__name__)


class ElasticEngine(Engine):
    """Elasticsearch 8+ / OpenSearch 2+ behind one alias."""

    name = "elasticsearch"
    timeout = 30.0  # seconds per request (a benchmark's bulk load on a busy machine: more)

    def __init__(self, url: str, prefix: str = "resourcecenter"):
        self.base_url, self.flavour = parse_search_url(url)
        self.alias = f"{prefix}-documents"
        self._client: ElasticClient | None = None
        self._ready = False

    @property
    def client(self) -> ElasticClient:
        if self._client is None:
            try:
                info = server_info(self.base_url)
            except (OSError, json.JSONDecodeError) as exc:
                raise SearchUnavailable(f"search server unreachable: {exc}") from exc
            flavour = self.flavour or flavour_of(info)
            self._client = ElasticClient(
                self.base_url, flavour, timeout=self.timeout, server_major=major_version(info)
            )
            self.name = flavour
        return self._client

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SearchUnavailable:
            raise
        except Exception as exc:
            if _is_connection_error(exc):
                self._ready = False
                self._client = None
                raise SearchUnavailable(str(exc)) from exc
            raise

    def ping(self) -> bool:
        try:
            self._call(lambda: self.client.exists_alias(self.alias))
            return True
        except SearchUnavailable:
            return False

    # -- index lifecycle
    def _new_index_name(self) -> str:
        return f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"

    def ensure_index(self) -> None:
        if self._ready:
            return

        def ensure():
            if not self.client.exists_alias(self.alias):
                name = self._new_index_name()
                self.client.create_index(name, index_body())
                self.client.update_aliases([{"add": {"index": name, "alias": self.alias}}])

        self._call(ensure)
        self._ready = True

    @staticmethod
    def _source(doc: SearchDocument) -> dict:
        return {
            "doc_id": doc.id,
            "kind": doc.kind,
            "url": doc.url,
            "title": doc.title,
            "headings": doc.headings,
            "summary": doc.summary,
            "body": doc.body,
            "code": doc.code,
            "tags": doc.tags,
            "tags_text": " ".join(doc.tags),
            "product_area": doc.product_area,
            "product_area_name": doc.product_area_name,
            "section": doc.section,
            "audience": doc.audience,
            "solved": doc.solved,
            "staff_answered": doc.staff_answered,
            "created": doc.created.isoformat() if doc.created else None,
            "updated": doc.updated.isoformat() if doc.updated else None,
            "popularity": doc.popularity,
            "boost": doc.static_boost(),
        }

    def _bulk(self, operations: list[dict], refresh: bool = True) -> None:
        if not operations:
            return
        response = self._call(self.client.bulk, operations, refresh)
        if response.get("errors"):
            failures = [
                item
                for item in response.get("items", [])
                for action in item.values()
                if action.get("status", 200) >= 300 and action.get("status") != 404
            ]
            if failures:
                raise SearchUnavailable(f"bulk request partly failed: {failures[:3]}")

    def _upsert(self, docs: list[SearchDocument], index: str | None = None, refresh=True) -> None:
        self.ensure_index()
        operations: list[dict] = []
        for doc in docs:
            operations.append({"index": {"_index": index or self.alias, "_id": doc.id}})
            operations.append(self._source(doc))
        self._bulk(operations, refresh=refresh)

    def _delete(self, doc_ids: list[str]) -> None:
        self.ensure_index()
        self._bulk([{"delete": {"_index": self.alias, "_id": i}} for i in doc_ids])

    def rebuild(self, docs: Iterable[SearchDocument], batch_size: int = 500, progress=None) -> int:
        """Fill a new index, then swap the alias to it in one step and drop the old ones."""
        from search import dense, vocabulary

        name = self._new_index_name()
        self._call(self.client.create_index, name, index_body())
        vocabulary.clear()
        try:
            written = write_in_batches(
                docs, batch_size, progress, lambda batch: self._upsert_into(name, batch)
            )
            self._call(self.client.refresh, name)
        except Exception:
            self._call(self.client.delete_index, name)
            raise
        old = self._call(self.client.get_alias, self.alias)
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.update_aliases, actions)
        for o in old:
            self._call(self.client.delete_index, o)
        self._ready = True
        dense.forget_all_but(set(written))
        return len(written)

    def _upsert_into(self, index: str, batch: list[SearchDocument]) -> None:
        from search import dense, vocabulary

        self._ready = True  # the new index exists; do not create the alias early
        operations: list[dict] = []
        for doc in batch:
            operations.append({"index": {"_index": index, "_id": doc.id}})
            operations.append(self._source(doc))
        self._bulk(operations, refresh=False)
        vocabulary.add_documents(batch)
        if dense.enabled():
            dense.add_documents(batch)

    def clear(self) -> None:
        from search import vocabulary

        for name in self._call(self.client.get_alias, self.alias):
            self._call(self.client.delete_index, name)
        self._ready = False
        vocabulary.clear()
        self.ensure_index()

    def count(self) -> int:
        self.ensure_index()
        return self._call(self.client.count, self.alias)

    def ids(self, kind: str | None = None) -> set[str]:
        self.ensure_index()
        return self._call(self.client.scan_ids, self.alias, kind)

    # -- reading
    def _search(self, request: SearchRequest) -> SearchResult:
        self.ensure_index()
        response = self._call(self.client.search, self.alias, build_search(request))
        hits = [self._hit(h) for h in response["hits"]["hits"]]
        total = response["hits"]["total"]
        total = total["value"] if isinstance(total, dict) else int(total)
        facets = Facets()
        aggs = response.get("aggregations") or {}
        if aggs:
            facets.kind = [(b["key"], b["doc_count"]) for b in aggs["kind"]["buckets"]]
            facets.product_area = [
                (
                    b["key"],
                    (b["name"]["buckets"][0]["key"] if b["name"]["buckets"] else b["key"]),
                    b["doc_count"],
                )
                for b in aggs["product_area"]["buckets"]
                if b["key"]
            ]
            facets.tag = [(b["key"], b["doc_count"]) for b in aggs["tag"]["buckets"]]
        return SearchResult(hits, total, facets)

    @staticmethod
    def _hit(raw: dict, suggest: bool = False) -> Hit:
        source = raw.get("_source", {})
        highlight = raw.get("highlight", {})
        title_marked = (highlight.get("title") or highlight.get("title.prefix") or [None])[0]
        if suggest:
            body = " ".join((source.get("body") or "").split())
            snippet = body[:160].rsplit(" ", 1)[0] + " …" if len(body) > 160 else body
        else:
            snippet = " … ".join(highlight.get("body") or [])
        return Hit(
            doc_id=source.get("doc_id", raw["_id"]),
            kind=source.get("kind", ""),
            url=source.get("url", ""),
            title=source.get("title", ""),
            title_html=marked_to_html(title_marked or source.get("title", "")),
            snippet_html=marked_to_html(snippet),
            section=source.get("section", ""),
            product_area=source.get("product_area", ""),
            product_area_name=source.get("product_area_name", ""),
            tags=list(source.get("tags") or []),
            solved=bool(source.get("solved")),
            staff_answered=bool(source.get("staff_answered")),
            created=_parse_date(source.get("created")),
            updated=_parse_date(source.get("updated")),
            score=float(raw.get("_score") or 0.0),
        )


def _parse_date(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_connection_error(exc: Exception) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return (
        bool(
            names
            & {
                "ConnectionError",
                "ConnectionTimeout",
                "TransportError",
                "ConnectionRefusedError",
                "OSError",
                "URLError",
            }
        )
        and "NotFoundError" not in names
    )
