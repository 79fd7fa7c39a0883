"""The hybrid ranking (`SEARCH_DENSE`, on by default): lexical candidates re-ordered with
text vectors.

Lexical search is weakest on questions worded unlike the page ("where is my device from nearby
cell towers" for "network-based positioning"). An encoder maps both to vectors whose cosine
says how close the meanings are: by default WordLlama's static token vectors (a mean of token
vectors: a query costs a table lookup), or a small sentence encoder (all-MiniLM-L6-v2, run in
numpy by `search.encoder`). Each engine's own first `DENSE_CANDIDATES` hits (already filtered
by who may see them: vectors never widen what a person can find) are re-ordered by
reciprocal-rank fusion of the lexical order and the cosine order. Every engine goes through
`Engine.search`, so SQLite, PostgreSQL, OpenSearch and the type-ahead rank alike.

Vectors live in the database (`SearchVector`, float32 bytes) for every engine, keyed by
document and by a digest of the text they came from and the model's name: re-indexing
unchanged text runs no model.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from search.conf import app_settings
from search.documents import SearchDocument

logger = logging.getLogger(__name__)

DOC_TOKENS = 64  # title, summary, the first words: the topic (cost grows with it)
# Reciprocal-rank constant: small, so the first places of either order count clearly more
# than the tail of a 50-hit list (k = 5 against 10 and 30 on the tuning parts: questions
# +0.02 to +0.08 MRR; see search/RANKING.md)
FUSION_K = 5
CHUNK = 400


STATIC_MODEL = "wordllama"  # `DENSE_MODEL` naming WordLlama's static vectors (the default)


def enabled() -> bool:
    return app_settings.DENSE and encoder() is not None


def model_dir() -> Path | None:
    """The folder of a BERT-style `DENSE_MODEL` (a folder, or a package shipping one)."""
    name = app_settings.DENSE_MODEL
    if not name or name == STATIC_MODEL:
        return None
    path = Path(name)
    if path.is_dir():
        return path
    from importlib.util import find_spec

    spec = find_spec(name) if name.isidentifier() else None
    if spec and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "model"
        if (folder / "model.safetensors").is_file():
            return folder
    return None


@lru_cache(maxsize=1)
def _load(path: str):
    from search.encoder import SentenceEncoder

    _one_blas_thread()
    return SentenceEncoder(Path(path))


@lru_cache(maxsize=1)
def _load_static():
    from search.encoder import StaticEncoder

    try:
        return StaticEncoder()
    except (ImportError, OSError):
        # not installed, or installed without its weights (the loader then raises
        # FileNotFoundError, downloads being off): lexical ranking, logged by `encoder`
        return None


def _one_blas_thread() -> None:
    """One BLAS thread per process. A query is a few small matrix products: split over the
    cores that the web workers already share, OpenBLAS's threads spin and wait (2 cores
    shared with other work: a query vector's p50 130 ms with two threads, 24 ms with one).
    threadpoolctl comes with the `dense` extra; without it, OPENBLAS_NUM_THREADS=1 does the
    same from the environment."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def encoder():
    """The encoder `DENSE_MODEL` names, loaded once per process; None (logged) when it is
    not installed."""
    if app_settings.DENSE_MODEL == STATIC_MODEL:
        found = _load_static()
    else:
        path = model_dir()
        found = _load(str(path)) if path is not None else None
    if found is None:
        _warn_missing(app_settings.DENSE_MODEL)
    return found


@lru_cache(maxsize=8)
def _warn_missing(name: str) -> None:
    """Once per process and model: `enabled()` asks on every search."""
    logger.warning("SEARCH_DENSE is on but no model was found (%s): lexical ranking only", name)


def document_text(doc: SearchDocument) -> str:
    """What a document's vector says: its title, summary and first words. Not the headings:
    a list of section names crowds the page's opening sentences out of the 64 word pieces,
    and the opening says what the page is for (tuning parts: questions +0.04 to +0.10)."""
    parts = [doc.title, doc.summary, doc.body[:2000]]
    return ". ".join(p.strip() for p in parts if p and p.strip())


def _digest(text: str) -> str:
    """Of the text and the model that encodes it: another model re-encodes every document
    (its vectors mean something else, and may have another length)."""
    source = f"{app_settings.DENSE_MODEL}\n{text}"
    return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


def add_documents(docs: Iterable[SearchDocument]) -> int:
    """Compute and store the vectors of `docs` whose text changed; returns how many ran."""
    from search.models import SearchVector

    texts = {doc.id: document_text(doc) for doc in docs}
    if not texts:
        return 0
    digests = {doc_id: _digest(text) for doc_id, text in texts.items()}
    known: dict[str, str] = {}
    ids = list(texts)
    for start in range(0, len(ids), CHUNK):
        known.update(
            SearchVector.objects.filter(doc_id__in=ids[start : start + CHUNK]).values_list(
                "doc_id", "digest"
            )
        )
    todo = [i for i in ids if known.get(i) != digests[i]]
    if not todo:
        return 0
    vectors = encoder().encode([texts[i] for i in todo], DOC_TOKENS)
    SearchVector.objects.filter(doc_id__in=[i for i in todo if i in known]).delete()
    SearchVector.objects.bulk_create(
        [
            SearchVector(doc_id=i, digest=digests[i], vector=vectors[n].tobytes())
            for n, i in enumerate(todo)
        ],
        batch_size=CHUNK,
    )
    return len(todo)


def remove(doc_ids: Iterable[str]) -> None:
    from search.models import SearchVector

    ids = list(doc_ids)
    for start in range(0, len(ids), CHUNK):
        SearchVector.objects.filter(doc_id__in=ids[start : start + CHUNK]).delete()


def forget_all_but(doc_ids: set[str]) -> int:
    """Delete the vectors of documents not in `doc_ids` (what a rebuild indexed): a document
    deleted while the hybrid ranking was off, or gone from a rebuilt index, leaves no vector
    behind. Not in `clear`: a rebuild clears first, and its unchanged documents keep theirs
    (never encoded twice). Returns how many were deleted."""
    from search.models import SearchVector

    known = SearchVector.objects.values_list("doc_id", flat=True).iterator(chunk_size=2000)
    stale = [doc_id for doc_id in known if doc_id not in doc_ids]
    remove(stale)
    return len(stale)


def vectors_of(doc_ids: list[str]) -> dict[str, np.ndarray]:
    from search.models import SearchVector

    rows = SearchVector.objects.filter(doc_id__in=doc_ids).values_list("doc_id", "vector")
    return {doc_id: np.frombuffer(bytes(blob), np.float32) for doc_id, blob in rows}


@lru_cache(maxsize=512)
def query_vector(text: str) -> np.ndarray:
    return encoder().encode([text])[0]


def fuse(query_text: str, hits: list) -> list:
    """`hits` (lexical order) re-ordered by reciprocal-rank fusion with the cosine order.

    Only the hits with a vector are fused, among the places they hold; a hit without one
    (not computed yet: until `search_reindex` after an upgrade, only what was indexed since
    has one) keeps its lexical place, so a vector never lifts a document over those
    without."""
    if len(hits) < 2:
        return hits
    vectors = vectors_of(list(dict.fromkeys(h.doc_id for h in hits)))
    if not vectors:
        return hits
    q = query_vector(query_text)
    # a vector of another model (stored before `DENSE_MODEL` changed, until the next
    # re-index) counts as no vector
    vectors = {doc_id: v for doc_id, v in vectors.items() if v.shape == q.shape}
    places = [i for i, h in enumerate(hits) if h.doc_id in vectors]
    if len(places) < 2:
        return hits
    cosine = {i: float(vectors[hits[i].doc_id] @ q) for i in places}
    dense_rank = {i: r for r, i in enumerate(sorted(places, key=lambda i: -cosine[i]))}
    weight = app_settings.DENSE_WEIGHT
    fused = {i: 1.0 / (FUSION_K + i + 1) + weight / (FUSION_K + dense_rank[i] + 1) for i in places}
    order = sorted(places, key=lambda i: (-fused[i], i))
    result = list(hits)
    for place, i in zip(places, order, strict=True):
        result[place] = hits[i]
    return result
