"""The database engine's shortcuts for very common words, and its rank of the words as typed.

A query matching thousands of rows is ranked in tiers (title matches, then the best of the
rest) rather than scored in full; these tests shrink the thresholds so a small corpus takes
that path, and check that it still pages through every match exactly once, honours
exclusions, filters and audiences, and counts what it pages through.
"""

import pytest

from search.engines import engine_for
from search.engines.base import SearchRequest
from search.models import Synonym
from search.query import MARK_END, MARK_START, expand_synonyms, forget_synonyms, parse_query

pytestmark = pytest.mark.postgres

PUBLIC = frozenset({"public"})


@pytest.fixture
def engine(db, monkeypatch):
    from django.db import connection

    # the process's shared engine: monkeypatch puts its thresholds back after the test, or
    # every later test on this worker would rank in tiers (and count its statements wrong)
    engine = engine_for("", connection.vendor)
    monkeypatch.setattr(engine, "full_rank_max", 5)
    # PostgreSQL: fewer candidates than matches (SQLite has no such limit)
    monkeypatch.setattr(engine, "common_candidates", 4, raising=False)
    return engine


@pytest.fixture
def common_corpus(engine, doc):
    docs = [
        doc("page:t1", "Modem firmware update", "Steps for the update.", days_old=400),
        doc("page:t2", "Reset a modem", "Hold the button.", days_old=20),
        doc("thread:t3", "Modem keeps rebooting", "It reboots hourly.", kind="thread"),
        doc(
            "thread:private",
            "Modem on the Infinity plan",
            "Private details.",
            kind="thread",
            audience=["infinity"],
        ),
        doc("page:antenna", "Modem antenna placement", "Mount the antenna high.", days_old=5),
    ]
    for i in range(24):
        docs.append(
            doc(
                f"thread:b{i}",
                f"Question number {i}",
                f"My modem does something odd, case {i}." + (" Antenna loose." if i % 6 else ""),
                kind="thread" if i % 2 else "guide",
                days_old=i * 30,
                solved=i % 3 == 0,
            )
        )
    engine.upsert(docs)
    return engine


def _request(q, **kw):
    return SearchRequest(query=expand_synonyms(parse_query(q)), audiences=PUBLIC, **kw)


def _all_pages(engine, q, per_page=4, **kw):
    first = engine.search(_request(q, limit=per_page, **kw))
    seen = [h.doc_id for h in first.hits]
    offset = per_page
    while offset < first.total:
        page = engine.search(_request(q, limit=per_page, offset=offset, **kw))
        assert page.total == first.total
        seen += [h.doc_id for h in page.hits]
        offset += per_page
    return first, seen


def test_common_words_page_through_every_match_once(common_corpus):
    first, seen = _all_pages(common_corpus, "modem")
    assert first.total == 28  # 5 titled + 24 bodies, minus the Infinity thread
    assert len(seen) == len(set(seen)) == 28
    assert "thread:private" not in seen
    assert sum(n for _, n in first.facets.kind) == 28
    titled = {"page:t1", "page:t2", "thread:t3", "page:antenna"}
    assert set(seen[:4]) == titled


def test_common_words_honour_exclusions_and_filters(common_corpus):
    first, seen = _all_pages(common_corpus, "modem -antenna")
    assert "page:antenna" not in seen
    assert all(not h.startswith("thread:b") or int(h[8:]) % 6 == 0 for h in seen)
    assert first.total == len(seen) == len(set(seen))

    first, seen = _all_pages(common_corpus, "modem", kinds=["thread"])
    assert first.total == len(seen) == 13  # thread:t3 and the 12 odd-numbered questions
    assert dict(first.facets.kind) == {"thread": 13}

    first, seen = _all_pages(common_corpus, "modem", solved_only=True)
    assert set(seen) == {f"thread:b{i}" for i in range(0, 24, 3)}


def test_the_words_as_typed_rank_above_their_synonyms(engine, doc):
    engine.upsert(
        [
            doc("page:cards", "Order SIM cards", "How to order a SIM. Each SIM ships in days."),
            doc("page:iccid", "Where to find the ICCID", "The ICCID is printed on the card."),
        ]
    )
    Synonym.objects.create(terms="SIM, ICCID")
    forget_synonyms()
    try:
        for q, first in (("ICCID", "page:iccid"), ("SIM", "page:cards")):
            result = engine.search(_request(q))
            assert result.total == 2, q
            assert result.hits[0].doc_id == first, q
    finally:
        forget_synonyms()


def test_postgres_storage_keeps_searches_cheap(on_postgres, engine, doc):
    """Narrow heap rows, small GIN pending lists, and none left behind by a rebuild."""
    from django.db import connection

    from search.engines.database import POSTGRES_GIN_INDEXES

    engine.rebuild(doc(f"page:{i}", f"Modem note {i}", "modem body " * 300) for i in range(60))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_searchentry'")
        assert "toast_tuple_target=128" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [POSTGRES_GIN_INDEXES],
        )
        options = dict(cursor.fetchall())
        assert set(options) == set(POSTGRES_GIN_INDEXES)
        assert all("gin_pending_list_limit=256" in o for o in options.values())
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        for index in POSTGRES_GIN_INDEXES:
            cursor.execute("SELECT pending_pages FROM pgstatginindex(%s::regclass)", [index])
            assert cursor.fetchone()[0] == 0, index
        # Bodies and the full vector live out of line; the ranking vectors stay inline.
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'search_searchentry'::regclass AND attname IN ('title_vector', 'suggest_vector')"
        )
        assert dict(cursor.fetchall()) == {"title_vector": "m", "suggest_vector": "m"}


def test_word_excerpt_marks_words_inside_code_and_escapes_the_rest():
    from search.engines.database import word_excerpt
    from search.query import marked_to_html

    text = (
        "Intro. " * 60 + "Then call <b>client.list_sims()</b> and LIST_SIMS again. " + "Tail. " * 60
    )
    excerpt = word_excerpt(text, ["list_sims"])
    html = marked_to_html(excerpt)
    assert excerpt.startswith("… ") and excerpt.endswith(" …") and len(excerpt) < 260
    assert "client.<mark>list_sims</mark>()" in html and "<mark>LIST_SIMS</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert f"list_{MARK_START}sims{MARK_END}" in word_excerpt(text, ["sims"])  # "_" splits too
    assert word_excerpt(text, ["ntro"]) is None  # inside a word: not a match
    assert word_excerpt("short client.dingoscan()", ["dingoscan"]) == (
        f"short client.{MARK_START}dingoscan{MARK_END}()"
    )
