"""The Elasticsearch / OpenSearch engine, chosen by settings.SEARCH_URL.

Mappings, analyzers, queries, aggregations and highlighting are built with `elasticsearch.dsl`
and turned into plain dicts; the same dicts go to Elasticsearch 8+ (through the elasticsearch
client, its media types pinned to the cluster's major version) or to OpenSearch 2+ (through
opensearch-py: the elasticsearch client sends `compatible-with=N` media types that OpenSearch
answers with 406). The flavour comes from the URL (`opensearch+http://...`,
`elasticsearch+https://...` or `?flavour=`) or from `GET /`, which is also asked for the
version.

Writes go to an alias; `rebuild` fills a new index, swaps the alias atomically and drops the
old index, so searches never see a half-built index.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from elasticsearch import __versionstr__ as elasticsearch_version
from elasticsearch.dsl import (
    A,
    Boolean,
    Date,
    Float,
    Keyword,
    Mapping,
    Q,
    Search,
    Text,
    analysis,
    analyzer,
)

from search.documents import SearchDocument
from search.engines.base import (
    Engine,
    Facets,
    Hit,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
)
from search.query import (
    MARK_END,
    MARK_START,
    Clause,
    ParsedQuery,
    marked_to_html,
    required_matches,
)

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------ analysis and mapping

english_stop = analysis.token_filter("english_stop", "stop", stopwords="_english_")
english_stemmer = analysis.token_filter("english_stemmer", "stemmer", language="english")
edge_grams = analysis.token_filter("edge_grams", "edge_ngram", min_gram=2, max_gram=20)

# The standard tokenizer keeps `client.list_sims`, `app_config.yaml` and `ops@example.com` as
# single tokens; the query parser (and the database engines) split them into words. One
# character in, one space out, so highlight offsets stay exact.
code_joiners = analysis.char_filter(
    "code_joiners", "pattern_replace", pattern=r"[./@:\\~_]", replacement=" "
)

english_text = analyzer(
    "english_text",
    tokenizer="standard",
    char_filter=[code_joiners],
    # No possessive_english stemmer: osmem (the test server) then matches every document for
    # a phrase query; the english stemmer already strips most possessives.
    filter=["lowercase", english_stop, english_stemmer],
)
exact_text = analyzer(
    "exact_text", tokenizer="standard", char_filter=[code_joiners], filter=["lowercase"]
)
prefix_text = analyzer(
    "prefix_text",
    tokenizer="standard",
    char_filter=[code_joiners],
    filter=["lowercase", edge_grams],
)

# Field weights. Lucene scores each field with its own length: a word in a three-word title
# already scores several times the same word in a long body, which SQLite FTS5 (one bm25 over
# the whole row, weights 4/2/2/1/0.5) and PostgreSQL (ts_rank over one vector) only get from
# their weights. With FTS5's weights on top, single title words won over the pages about the
# whole query (golioth tuning set, MRR@10 0.820 -> 0.840 with these).
TEXT_FIELDS = {
    "title": 1.0,
    "headings": 1.0,
    "summary": 1.0,
    "tags_text": 1.0,
    "body": 1.0,
    "code": 0.5,
}
# A word's score is the sum over the fields it is in (a page whose title and text both have
# it beats one that only has it in its title), as the database engines' bm25 does.
WORD_MATCH = "most_fields"


def _text_field() -> Text:
    return Text(analyzer=english_text, fields={"exact": Text(analyzer=exact_text)})


def build_mapping() -> Mapping:
    m = Mapping()
    m.field(
        "title",
        Text(
            analyzer=english_text,
            fields={
                "exact": Text(analyzer=exact_text),
                "prefix": Text(analyzer=prefix_text, search_analyzer=exact_text),
            },
        ),
    )
    m.field(
        "headings",
        Text(
            analyzer=english_text,
            fields={
                "exact": Text(analyzer=exact_text),
                "prefix": Text(analyzer=prefix_text, search_analyzer=exact_text),
            },
        ),
    )
    m.field("summary", _text_field())
    m.field("body", _text_field())
    m.field("code", _text_field())
    m.field("tags_text", _text_field())
    for name in ("kind", "doc_id", "tags", "product_area", "audience"):
        m.field(name, Keyword())
    for name in ("url", "section", "product_area_name"):
        m.field(name, Keyword(index=False))
    m.field("solved", Boolean())
    m.field("staff_answered", Boolean())
    m.field("created", Date())
    m.field("updated", Date())
    m.field("popularity", Float())
    m.field("boost", Float())
    return m


def index_body() -> dict:
    mapping = build_mapping()
    analysis_settings = mapping._collect_analysis()
    return {
        "settings": {"number_of_shards": 1, "analysis": analysis_settings},
        "mappings": mapping.to_dict(),
    }


# ------------------------------------------------------------------ query building


def _alternative_query(tokens: list[str], clause: Clause, *, prefix: bool):
    text = " ".join(tokens)
    if clause.identifier:
        fields = [f"{f}.exact^{w}" for f, w in TEXT_FIELDS.items()]
        return Q("multi_match", query=text, type="phrase", fields=fields)
    fields = [f"{f}^{w}" for f, w in TEXT_FIELDS.items()]
    if len(tokens) > 1:
        return Q("multi_match", query=text, type="phrase", fields=fields)
    word = Q("multi_match", query=text, type=WORD_MATCH, fields=fields)
    if not prefix:
        return word
    starts = Q("multi_match", query=text, fields=["title.prefix^3", "headings.prefix"])
    return Q("bool", should=[word, starts], minimum_should_match=1)


def clause_query(clause: Clause, *, prefix: bool = True):
    use_prefix = prefix and clause.prefix
    parts = [
        _alternative_query(a, clause, prefix=use_prefix and i == 0)
        for i, a in enumerate(clause.alternatives)
    ]
    return parts[0] if len(parts) == 1 else Q("bool", should=parts, minimum_should_match=1)


def _in_title(clause: Clause):
    """The clause (any of its alternatives) in the title alone."""
    parts = []
    for i, tokens in enumerate(clause.alternatives):
        text = " ".join(tokens)
        field = "title.exact" if clause.identifier else "title"
        if clause.identifier or len(tokens) > 1:
            parts.append(Q("match_phrase", **{field: text}))
        else:
            parts.append(Q("match", **{field: text}))
        if clause.prefix and i == 0:
            parts.append(Q("match", **{"title.prefix": text}))
    return parts[0] if len(parts) == 1 else Q("bool", should=parts, minimum_should_match=1)


def text_query(query: ParsedQuery, *, match_all: bool = True):
    """Most of the words must match (`required_matches`); BM25 adds up what each matched
    clause is worth, times the coordination factor (the share of the query's words, weighted
    by rarity, that the document has), times the bonuses of the database engines: the whole
    query in the title, the words near each other."""
    positive = [clause_query(c) for c in query.positive]
    negative = [clause_query(c, prefix=False) for c in query.negative]
    need = required_matches(len(positive), match_all)
    words = Q("bool", should=positive, minimum_should_match=need)
    matched = Q("bool", must=[words], must_not=negative)
    weights = [c.weight for c in query.positive]
    if len(positive) >= 2 and need < len(positive):
        total = sum(weights) / (1.0 - COORDINATION_FLOOR)
        functions = [
            {"filter": clause.to_dict(), "weight": round(weight / total, 4)}
            for clause, weight in zip(positive, weights, strict=True)
        ]
        if COORDINATION_FLOOR:
            functions.append({"weight": COORDINATION_FLOOR})
        matched = Q(
            "function_score",
            query=matched,
            functions=functions,
            score_mode="sum",
            boost_mode="multiply",
        )
    # Bonuses multiply (a document matching neither keeps its score: no function, factor 1).
    bonuses = [
        {
            "filter": Q("bool", must=[_in_title(c) for c in query.positive]).to_dict(),
            "weight": TITLE_BONUS,
        }
    ]
    single = [c.tokens for c in query.positive if len(c.alternatives) == 1]
    if len(single) >= 2:
        near = Q(
            "multi_match",
            query=" ".join(t for tokens in single for t in tokens),
            type="phrase",
            slop=NEAR_SLOP,
            fields=[f for f in TEXT_FIELDS if f != "code"],
        )
        bonuses.append({"filter": near.to_dict(), "weight": NEAR_BONUS})
    return Q(
        "function_score",
        query=matched,
        functions=bonuses,
        score_mode="multiply",
        boost_mode="multiply",
    )


# The same factors as the database engines (SqliteEngine.title_bonus, near_bonus).
TITLE_BONUS = 2.0
NEAR_BONUS = 1.3
NEAR_SLOP = 12
COORDINATION_FLOOR = 0.0  # what a document with none of the words' weight keeps


def filter_queries(request: SearchRequest) -> list:
    filters = []
    if request.audiences is not None:
        filters.append(Q("terms", audience=sorted(request.audiences) or ["-none-"]))
    if request.kinds:
        filters.append(Q("terms", kind=list(request.kinds)))
    if request.product_areas:
        filters.append(Q("terms", product_area=list(request.product_areas)))
    for tag in request.tags:
        filters.append(Q("term", tags=tag))
    if request.solved_only:
        filters.append(Q("term", solved=True))
    if request.staff_answered_only:
        filters.append(Q("term", staff_answered=True))
    return filters


def ranked(query, filters: list):
    """Text relevance x (static boost + up to 0.5 for freshness)."""
    return Q(
        "function_score",
        query=Q("bool", must=[query], filter=filters),
        functions=[
            {"field_value_factor": {"field": "boost", "missing": 1}},
            {"gauss": {"updated": {"origin": "now", "scale": "180d", "decay": 0.5}}, "weight": 0.5},
        ],
        score_mode="sum",
        boost_mode="multiply",
    )


def build_search(request: SearchRequest) -> dict:
    """The search request body (hits, highlighting, facets), as a plain dict."""
    text = text_query(request.query, match_all=request.match_all)
    s = Search().query(ranked(text, filter_queries(request)))
    s = s.extra(from_=request.offset, size=request.limit, track_total_hits=True)
    s = s.source(exclude=["body", "code", "summary", "headings", "tags_text"])
    s = s.highlight_options(
        pre_tags=[MARK_START], post_tags=[MARK_END], highlight_query=text.to_dict()
    )
    s = s.highlight("title", number_of_fragments=0)
    s = s.highlight("body", fragment_size=180, number_of_fragments=1, no_match_size=180)
    if request.facets:
        s.aggs.bucket("kind", A("terms", field="kind", size=10))
        area = s.aggs.bucket("product_area", A("terms", field="product_area", size=15))
        area.bucket("name", A("terms", field="product_area_name", size=1))
        s.aggs.bucket("tag", A("terms", field="tags", size=15))
    return s.to_dict()


# ------------------------------------------------------------------ transport


def parse_search_url(url: str) -> tuple[str, str | None]:
    """("http://host:9200", "opensearch" | "elasticsearch" | None) from SEARCH_URL."""
    parts = urlsplit(url)
    flavour = None
    scheme = parts.scheme
    if "+" in scheme:
        flavour, scheme = scheme.split("+", 1)
    params = parse_qs(parts.query)
    if "flavour" in params or "flavor" in params:
        flavour = (params.get("flavour") or params.get("flavor"))[0]
    query = urlencode({k: v[0] for k, v in params.items() if k not in ("flavour", "flavor")})
    if flavour not in (None, "opensearch", "elasticsearch"):
        raise ValueError(f"SEARCH_URL flavour must be opensearch or elasticsearch, not {flavour}")
    return urlunsplit((scheme, parts.netloc, parts.path, query, "")), flavour


def server_info(base_url: str, timeout: float = 5.0) -> dict:
    """The server's `GET /` answer (plain HTTP, no product headers; credentials from the URL)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("SEARCH_URL must be an http(s) address")
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    headers = {"Accept": "application/json"}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/", "", ""))
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s), checked
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read().decode() or "{}")


def flavour_of(info: dict) -> str:
    """OpenSearch says so in `GET /`; anything else is Elasticsearch."""
    version = info.get("version", {})
    if version.get("distribution") == "opensearch" or "OpenSearch" in info.get("tagline", ""):
        return "opensearch"
    return "elasticsearch"


def major_version(info: dict) -> int | None:
    number = str(info.get("version", {}).get("number", ""))
    head = number.partition(".")[0]
    return int(head) if head.isdigit() else None


ELASTIC_CLIENT_MAJOR = int(elasticsearch_version.partition(".")[0])
_COMPATIBLE_WITH_RE = re.compile(r"compatible-with=\d+")


def compatible_transport(server_major: int) -> type:
    """An elastic-transport Transport that asks for `server_major`'s API.

    The elasticsearch client of major N sends `compatible-with=N` media types, and a server
    only accepts its own major and the one before: the 9.x client is refused by every 8.x
    cluster ("Invalid media-type value"). Pinning the value to the server's major (never above
    the client's) lets one client serve Elasticsearch 8 and 9 clusters.
    """
    from elastic_transport import Transport

    pinned = f"compatible-with={min(server_major, ELASTIC_CLIENT_MAJOR)}"

    class CompatibleTransport(Transport):
        def perform_request(self, method, target, *, headers=None, **kwargs):
            if headers is not None:
                headers = headers.copy()
                for name in ("Accept", "Content-Type"):
                    if headers.get(name):
                        headers[name] = _COMPATIBLE_WITH_RE.sub(pinned, headers[name])
            return super().perform_request(method, target, headers=headers, **kwargs)

    return CompatibleTransport


class _Client:
    """The handful of calls we need, over either client library."""

    def __init__(
        self, base_url: str, flavour: str, timeout: float = 30.0, server_major: int | None = None
    ):
        self.flavour = flavour
        if flavour == "opensearch":
            from opensearchpy import OpenSearch

            self.client = OpenSearch(hosts=[base_url], timeout=timeout, max_retries=0)
        else:
            from elasticsearch import Elasticsearch

            if server_major is not None and server_major < 8:
                raise ValueError(
                    f"Elasticsearch {server_major} is not supported: use Elasticsearch 8 or newer"
                )
            self.client = Elasticsearch(
                base_url,
                request_timeout=timeout,
                max_retries=0,
                transport_class=compatible_transport(server_major or ELASTIC_CLIENT_MAJOR),
            )

    def exists_alias(self, name: str) -> bool:
        return bool(self.client.indices.exists_alias(name=name))

    def get_alias(self, name: str) -> list[str]:
        if not self.exists_alias(name):
            return []
        return list(self.client.indices.get_alias(name=name).keys())

    def create_index(self, name: str, body: dict) -> None:
        if self.flavour == "opensearch":
            self.client.indices.create(index=name, body=body)
        else:
            self.client.indices.create(index=name, **body)

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name)

    def update_aliases(self, actions: list[dict]) -> None:
        if self.flavour == "opensearch":
            self.client.indices.update_aliases(body={"actions": actions})
        else:
            self.client.indices.update_aliases(actions=actions)

    def bulk(self, operations: list[dict], refresh: bool) -> dict:
        if self.flavour == "opensearch":
            return self.client.bulk(body=operations, refresh=refresh)
        return self.client.bulk(operations=operations, refresh=refresh)

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    def search(self, index: str, body: dict) -> dict:
        if self.flavour == "opensearch":
            return self.client.search(index=index, body=body)
        body = dict(body)
        if "from" in body:
            body["from_"] = body.pop("from")
        return dict(self.client.search(index=index, **body))

    def count(self, index: str) -> int:
        return int(self.client.count(index=index)["count"])

    def scan_ids(self, index: str, kind: str | None = None, page_size: int = 5000) -> set[str]:
        """Every document id (of one kind), in pages ordered by id: one search returns at most
        10,000 hits, and a reindex must see them all to remove the stale ones."""
        query = {"term": {"kind": kind}} if kind else {"match_all": {}}
        ids: set[str] = set()
        after = None
        while True:
            body = {
                "query": query,
                "_source": False,
                "size": page_size,
                "sort": [{"doc_id": "asc"}],
            }
            if after is not None:
                body["search_after"] = after
            hits = self.search(index, body)["hits"]["hits"]
            ids.update(hit["_id"] for hit in hits)
            if len(hits) < page_size:
                return ids
            after = hits[-1]["sort"]


class ElasticEngine(Engine):
    """Elasticsearch 8+ / OpenSearch 2+ behind one alias."""

    name = "elasticsearch"
    timeout = 30.0  # seconds per request (a benchmark's bulk load on a busy machine: more)

    def __init__(self, url: str, prefix: str = "resourcecenter"):
        self.base_url, self.flavour = parse_search_url(url)
        self.alias = f"{prefix}-documents"
        self._client: _Client | None = None
        self._ready = False

    @property
    def client(self) -> _Client:
        if self._client is None:
            try:
                info = server_info(self.base_url)
            except (OSError, json.JSONDecodeError) as exc:
                raise SearchUnavailable(f"search server unreachable: {exc}") from exc
            flavour = self.flavour or flavour_of(info)
            self._client = _Client(
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
        from search import vocabulary

        name = self._new_index_name()
        self._call(self.client.create_index, name, index_body())
        total = 0
        vocabulary.clear()
        try:
            batch: list[SearchDocument] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) >= batch_size:
                    self._upsert_into(name, batch)
                    total += len(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                self._upsert_into(name, batch)
                total += len(batch)
                if progress:
                    progress(len(batch))
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
        return total

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
