"""One behavioural contract, every engine: SQLite FTS5 and OpenSearch (osmem) in the SQLite
pass, PostgreSQL full-text in the PostgreSQL pass (`pytest -m postgres`)."""

import pytest

from search.engines.base import SearchRequest
from search.models import Synonym
from search.query import expand_synonyms, forget_synonyms, parse_query

pytestmark = pytest.mark.postgres

PUBLIC = frozenset({"public"})


def search(engine, q, audiences=None, **kw):
    request = SearchRequest(query=expand_synonyms(parse_query(q)), audiences=audiences, **kw)
    return engine.search(request)


def ids(result):
    return [h.doc_id for h in result.hits]


@pytest.fixture
def corpus(engine, doc):
    engine.upsert(
        [
            doc(
                "page:1",
                "Configure the APN on a cellular module",
                'Send AT+CGDCONT=1,"IP","iot.example" before attaching. Reboot afterwards.',
                headings="Set the APN · Check the PDP context",
                tags=["apn", "at-commands"],
                product_area="connectivity",
                product_area_name="Connectivity & APN",
                section="Connectivity",
            ),
            doc(
                "page:2",
                "Activate SIMs in bulk",
                "Upload a CSV of ICCID values such as 8901260882310000000 to activate them.",
                tags=["sim", "activation"],
                product_area="sims",
                product_area_name="SIMs & activation",
            ),
            doc(
                "page:3",
                "Send an SMS to a device",
                "Mobile-terminated text to your modem via the API. Errors: 401 means a bad key.",
                kind="tutorial",
                tags=["sms", "api"],
                product_area="data-sms",
                product_area_name="Data & SMS",
            ),
            doc(
                "thread:1",
                "Device provisioning stuck in pending",
                "My devices were provisioned yesterday but stay pending. Resolved by re-sending.",
                kind="thread",
                solved=True,
                staff_answered=True,
                tags=["provisioning"],
            ),
            doc(
                "thread:2",
                "Provisioning question for the Infinity plan",
                "Private thread about provisioning with the dedicated APN.",
                kind="thread",
                audience=["infinity"],
                tags=["provisioning", "secret-tag"],
                product_area="sims",
                product_area_name="SIMs & activation",
            ),
            doc(
                "page:4",
                "Troubleshooting guide",
                "When nothing works, check the modem logs. The apn may be wrong.",
                kind="support_topic",
                product_area="troubleshooting",
                product_area_name="Troubleshooting",
            ),
        ]
    )
    return engine


def test_title_outranks_body(corpus):
    result = search(corpus, "apn")
    assert ids(result)[0] == "page:1"
    assert "page:4" in ids(result)  # the body-only match is found, lower
    assert ids(result).index("page:4") > 0


def test_stemming_finds_other_word_forms(corpus):
    assert "thread:1" in ids(search(corpus, "provision"))
    assert "page:2" in ids(search(corpus, "activating"))


def test_phrase_search(corpus):
    assert ids(search(corpus, '"modem logs"')) == ["page:4"]
    assert ids(search(corpus, '"logs modem"')) == []


def test_exclusion(corpus):
    result = search(corpus, "apn -troubleshooting")
    assert "page:1" in ids(result)
    assert "page:4" not in ids(result)


def test_prefix_on_the_last_word(corpus):
    assert "page:2" in ids(search(corpus, "activ"))
    assert [h.doc_id for h in corpus.suggest(parse_query("provisio"), PUBLIC)] == ["thread:1"]


def test_identifiers_match_exactly(corpus):
    assert ids(search(corpus, "8901260882310000000")) == ["page:2"]
    assert ids(search(corpus, "8901260882310000001")) == []
    assert ids(search(corpus, "AT+CGDCONT")) == ["page:1"]
    assert ids(search(corpus, "401")) == ["page:3"]
    assert ids(search(corpus, "4011")) == []


def test_words_inside_dotted_and_slashed_code_are_found(engine, doc):
    """Method calls, paths, file names, hosts and addresses: each part is a word, and the
    whole still matches as written (as a phrase of its parts)."""
    engine.upsert(
        [
            doc(
                "page:30",
                "Python client reference",
                "Call client.wombatscan(limit=5) then GET /v2/quollsims?page_size=50 and "
                "read numbat_config.yaml from docs.bilby.example or mail ops@kowari.example.",
                headings="The sims.dunnartlist() method",
            ),
            doc("page:31", "Unrelated", "A client scan of the page with some config."),
        ]
    )
    for q in [
        "wombatscan",
        "client.wombatscan",
        "client.wombatscan()",
        "quollsims",
        "/v2/quollsims",
        "numbat_config.yaml",
        "numbat",
        "bilby",
        "docs.bilby.example",
        "kowari",
        "ops@kowari.example",
        "dunnartlist",
        "sims.dunnartlist",
    ]:
        assert ids(search(engine, q)) == ["page:30"], q
    assert ids(search(engine, "wombatscan.client")) == []
    # the snippet marks the word inside the code, whatever the engine's tokenizer
    for q in ["wombatscan", "quollsims"]:
        assert f"<mark>{q}</mark>" in search(engine, q).hits[0].snippet_html.lower(), q
    assert [h.doc_id for h in engine.suggest(parse_query("dunnartl"), PUBLIC)] == ["page:30"]


def test_synonyms_are_data(corpus):
    assert "page:3" not in ids(search(corpus, "text message"))
    assert "page:1" not in ids(search(corpus, "access point name"))
    Synonym.objects.create(terms="SMS, text message")
    Synonym.objects.create(terms="APN, access point name")
    forget_synonyms()
    try:
        assert "page:3" in ids(search(corpus, "text message"))
        # a phrase of several words stands for the abbreviation the documents use
        assert "page:1" in ids(search(corpus, "access point name"))
    finally:
        forget_synonyms()


def test_gated_content_never_returned_counted_or_suggested(corpus):
    public = search(corpus, "provisioning", PUBLIC)
    assert ids(public) == ["thread:1"]
    assert public.total == 1
    assert dict(public.facets.kind) == {"thread": 1}
    assert "secret-tag" not in dict(public.facets.tag)
    assert "sims" not in [a[0] for a in public.facets.product_area]
    assert "thread:2" not in [h.doc_id for h in corpus.suggest(parse_query("provisioning"), PUBLIC)]
    assert search(corpus, "provisioning", frozenset()).total == 0

    staff = search(corpus, "provisioning", None)
    assert set(ids(staff)) == {"thread:1", "thread:2"}
    infinity = search(corpus, "provisioning", frozenset({"public", "infinity"}))
    assert set(ids(infinity)) == {"thread:1", "thread:2"}


def test_filters(corpus):
    assert ids(search(corpus, "apn", kinds=["support_topic"])) == ["page:4"]
    assert ids(search(corpus, "apn", product_areas=["connectivity"])) == ["page:1"]
    assert ids(search(corpus, "apn", tags=["at-commands"])) == ["page:1"]
    assert ids(search(corpus, "provisioning", solved_only=True)) == ["thread:1"]
    assert ids(search(corpus, "provisioning", staff_answered_only=True)) == ["thread:1"]


def test_facets_count_the_whole_result(corpus):
    result = search(corpus, "apn", PUBLIC)
    assert result.total == 2
    assert dict(result.facets.kind) == {"guide": 1, "support_topic": 1}
    areas = {slug: (name, n) for slug, name, n in result.facets.product_area}
    assert areas["connectivity"] == ("Connectivity & APN", 1)
    assert dict(result.facets.tag)["apn"] == 1


def test_pagination(engine, doc):
    engine.upsert([doc(f"page:{i}", f"Modem note {i}", "modem " * (i + 1)) for i in range(1, 8)])
    first = search(engine, "modem", limit=3)
    second = search(engine, "modem", limit=3, offset=3)
    third = search(engine, "modem", limit=3, offset=6)
    assert first.total == second.total == 7
    seen = ids(first) + ids(second) + ids(third)
    assert len(seen) == len(set(seen)) == 7


def test_snippets_are_escaped_with_marks_only(engine, doc):
    engine.upsert(
        [doc("page:9", "Escaping <b>modem</b> titles", "Never run <script>alert(1)</script> modem")]
    )
    hit = search(engine, "modem").hits[0]
    for html in (hit.title_html, hit.snippet_html):
        assert "<script>" not in html and "<b>" not in html
        assert "<mark>" in html
        cleaned = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in cleaned
    # Engines either keep the markup as escaped text or drop it (ts_headline drops tags).
    assert "&lt;script&gt;" in hit.snippet_html or "script" not in hit.snippet_html


def test_solved_and_fresh_rank_higher(engine, doc):
    engine.upsert(
        [
            doc("thread:10", "Modem reboots at night", "modem reboots", kind="thread"),
            doc("thread:11", "Modem reboots at night", "modem reboots", kind="thread", solved=True),
            doc("page:10", "Modem power saving", "modem psm", days_old=900),
            doc("page:11", "Modem power saving", "modem psm", days_old=3),
        ]
    )
    assert ids(search(engine, "reboots"))[0] == "thread:11"
    assert ids(search(engine, "power saving"))[0] == "page:11"


def test_a_title_with_the_query_beats_a_boosted_thread_mentioning_it(engine, doc):
    """The guide titled with the question outranks a short solved, staff-answered thread that
    only mentions it (solved threads carry a boost, but not that far)."""
    filler = "Check the coverage map, the device logs and the network list before calling. "
    engine.upsert(
        [
            doc(
                "page:40",
                "Roaming issues and cross-border devices",
                (filler * 8 + "Roaming needs an agreement with the visited network. ") * 4,
                headings="Permanent roaming restrictions · Checklist",
                tags=["roaming", "troubleshooting"],
            ),
            doc(
                "thread:40",
                "No coverage in South Africa although the map shows two networks",
                "The EG91 finds no network. Is roaming allowed there? Roaming was enabled.",
                kind="thread",
                solved=True,
                staff_answered=True,
                tags=["coverage", "roaming"],
            ),
        ]
    )
    assert ids(search(engine, "roaming")) == ["page:40", "thread:40"]


def test_upsert_replaces_and_delete_removes(corpus, doc):
    corpus.upsert([doc("page:4", "Troubleshooting guide", "Replaced text about antennas")])
    assert ids(search(corpus, "antennas")) == ["page:4"]
    assert "page:4" not in ids(search(corpus, "apn"))
    corpus.delete(["page:4"])
    assert ids(search(corpus, "antennas")) == []
    assert "page:4" not in corpus.ids()


def test_rebuild_replaces_everything(corpus, doc):
    count = corpus.rebuild(iter([doc("page:20", "Fresh start", "only document")]), batch_size=1)
    assert count == 1
    assert corpus.ids() == {"page:20"}
    assert ids(search(corpus, "apn")) == []
    assert ids(search(corpus, "fresh")) == ["page:20"]


def test_ids_lists_every_document_of_a_kind(corpus, doc):
    threads = [doc(f"thread:{n}", f"Question {n}", kind="thread") for n in range(10, 17)]
    corpus.upsert(threads)
    expected_threads = {"thread:1", "thread:2", *(t.id for t in threads)}
    assert corpus.ids(kind="thread") == expected_threads
    assert expected_threads < corpus.ids() and "page:1" in corpus.ids()


def test_search_server_id_scan_pages_past_one_response(os_engine, doc):
    """One response carries at most 10,000 hits: the scan a reindex uses to find stale
    documents pages through them all (here two at a time)."""
    os_engine.upsert([doc(f"thread:{n}", f"Question {n}", kind="thread") for n in range(7)])
    os_engine.upsert([doc("page:1", "A page")])
    scan = os_engine.client.scan_ids
    assert scan(os_engine.alias, "thread", page_size=2) == {f"thread:{n}" for n in range(7)}
    assert len(scan(os_engine.alias, page_size=2)) == 8
    assert scan(os_engine.alias, "video", page_size=2) == set()


def test_suggest_shape_and_prefix(corpus):
    hits = corpus.suggest(parse_query("configure the ap"), PUBLIC)
    assert hits and hits[0].doc_id == "page:1"
    assert "<mark>" in hits[0].title_html
    assert corpus.suggest(parse_query(""), PUBLIC) == []


def test_long_question_suggest_finds_related(corpus):
    hits = corpus.suggest(
        parse_query("why are my devices stuck pending after provisioning"), PUBLIC
    )
    assert "thread:1" in [h.doc_id for h in hits]


def test_the_rare_word_decides_not_the_repeated_common_one(engine, doc):
    """Of two pages with both words of "cbor upload", the one about CBOR comes first: "upload"
    is in every page, so repeating it says nothing (BM25's inverse document frequency; on
    PostgreSQL, whose ts_rank has none, each clause's `idf` from the vocabulary)."""
    import math
    from dataclasses import replace

    fillers = [
        doc(f"page:{n}", f"Upload guide {n}", "Upload files from a device.") for n in range(10, 18)
    ]
    engine.upsert(
        [
            doc(
                "page:1",
                "Upload an upload",
                "Each upload counts: an upload of logs, an upload of firmware, an upload of "
                "settings. Upload sizes add up; any upload may carry cbor.",
            ),
            doc(
                "page:2",
                "CBOR payloads",
                "Readings are encoded as cbor before the upload. The encoding keeps numbers "
                "compact, maps keep their keys, and a decoder on the server turns every "
                "message back into the same structure the firmware built on the device.",
            ),
            *fillers,
        ]
    )
    total, frequency = 10, {"cbor": 2, "upload": 10}  # what the public vocabulary holds
    query = parse_query("cbor upload", prefix_last=False)
    query = replace(
        query,
        clauses=[
            replace(
                c,
                idf=max(
                    math.log(
                        (total - frequency[c.tokens[0]] + 0.5) / (frequency[c.tokens[0]] + 0.5)
                    ),
                    0.01,
                ),
            )
            for c in query.clauses
        ],
    )
    hits = engine.search(SearchRequest(query=query, audiences=None)).hits
    assert [h.doc_id for h in hits[:2]] == ["page:2", "page:1"]


def test_a_page_shows_once_however_many_of_its_sections_match(engine, doc):
    """A long page is indexed as `page:N` plus `page:N#1`, `page:N#2`...: the best-ranked
    stands for the page, and the total, the facets and the pages of results count it once."""
    common = {"tags": ["relay"], "product_area": "devices", "product_area_name": "Devices"}
    engine.upsert(
        [
            doc("page:7", "Commands", "Every relay command, one section each.", **common),
            doc("page:7#1", "Commands › Power", "relay power relay on relay off", **common),
            doc("page:7#2", "Commands › Timers", "a relay timer switches the relay", **common),
            doc("page:8", "Relay wiring", "Wire the relay to the board.", **common),
            doc("page:9", "Relay board list", "Boards with a relay.", kind="tutorial"),
            doc("thread:4", "Relay clicks", "My relay clicks at night.", kind="thread"),
        ]
    )

    def pages(hits):
        return sorted(h.doc_id.split("#")[0] for h in hits)

    result = search(engine, "relay", PUBLIC)
    assert pages(result.hits) == ["page:7", "page:8", "page:9", "thread:4"]
    assert result.total == 4
    assert dict(result.facets.kind) == {"guide": 2, "tutorial": 1, "thread": 1}
    assert ("devices", "Devices", 2) in result.facets.product_area
    assert dict(result.facets.tag)["relay"] == 2
    one_by_one = [search(engine, "relay", PUBLIC, limit=1, offset=n) for n in range(4)]
    assert sorted(h.doc_id for r in one_by_one for h in r.hits) == sorted(ids(result))
    assert pages(engine.suggest(parse_query("relay"), PUBLIC)) == pages(result.hits)
