"""Search fixtures: the engine under test (database engine for the database in use, and
OpenSearch through a fresh osmem clone), document factories and demo-like content."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

import pytest

from search.documents import SearchDocument
from search.engines import engine_for, get_engine
from search.engines.base import SearchRequest, SearchResult
from search.engines.elastic import ElasticEngine
from search.query import parse_query

from .es8_gateway import Es8Gateway

ENGINES = ["database", "opensearch", "elasticsearch"]
PUBLIC = frozenset({"public"})


def engine_search(q, audiences=PUBLIC, engine=None, **kw) -> SearchResult:
    """`q` searched by the engine itself (no services), for `audiences`, on `engine` (the
    configured one by default)."""
    engine = engine or get_engine()
    return engine.search(SearchRequest(query=parse_query(q), audiences=audiences, **kw))


def found(q, audiences=PUBLIC, engine=None) -> list[str]:
    """The ids `engine_search` finds."""
    return [h.doc_id for h in engine_search(q, audiences, engine).hits]


def _opensearch_engine(request) -> ElasticEngine:
    if connection.vendor == "postgresql":
        pytest.skip("the OpenSearch engine is covered in the SQLite pass")
    clone = request.getfixturevalue("osmem_clone")
    engine = ElasticEngine(f"opensearch+{clone.url}", prefix="test")
    engine.ensure_index()
    return engine


@pytest.fixture
def es8_gateway(request):
    """osmem behind a gateway that answers like an Elasticsearch 8 cluster (see es8_gateway)."""
    if connection.vendor == "postgresql":
        pytest.skip("the Elasticsearch engine is covered in the SQLite pass")
    gateway = Es8Gateway(request.getfixturevalue("osmem_clone").url)
    yield gateway
    gateway.close()


@pytest.fixture(params=ENGINES)
def engine(request, db):
    """Every contract test runs once per engine (the PostgreSQL pass runs the database one).

    "elasticsearch" is the same engine code over the elasticsearch client library, with the
    flavour and version found by asking the server (`GET /`), as in production.
    """
    if request.param == "opensearch":
        return _opensearch_engine(request)
    if request.param == "elasticsearch":
        gateway = request.getfixturevalue("es8_gateway")
        engine = ElasticEngine(gateway.url, prefix="test")
        engine.ensure_index()
        assert engine.client.flavour == "elasticsearch"
        return engine
    return engine_for("", connection.vendor)


@pytest.fixture
def os_engine(request, db):
    return _opensearch_engine(request)


def make_doc(doc_id, title, body="", *, kind="guide", days_old=10, **extra) -> SearchDocument:
    updated = timezone.now() - timedelta(days=days_old)
    return SearchDocument(
        kind=kind,
        id=doc_id,
        url=f"/{doc_id.replace(':', '/')}/",
        title=title,
        body=body,
        created=updated,
        updated=updated,
        **extra,
    )


@pytest.fixture
def doc():
    return make_doc
