"""Relevance measurement over labelled query sets: MRR@10, success@1, success@10 and nDCG@10,
overall and per query kind, through the same service path the search page uses.

Two kinds of set: the demo set (tests/search/relevance.yaml, results matched by URL suffix)
and the real sets (tests/search/real/*.yaml, results matched by the document a page was
imported from, or by a community question's id). A plain BM25 ranking of the same documents
(`Bm25Baseline`) is the yardstick the engines are compared with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from search.engines import using_engine
from search.engines.base import Engine

K = 10


@dataclass
class Judgement:
    query: str
    expect: list[str]
    kind: str = "keyword"
    split: str = ""


@dataclass
class QueryScore:
    query: str
    rank: int | None  # rank of the first relevant result (1-based), None if not in the top k
    ndcg: float
    top: list[str]
    kind: str = "keyword"


@dataclass
class Metrics:
    n: int = 0
    mrr: float = 0.0
    success_1: float = 0.0
    success_10: float = 0.0
    ndcg: float = 0.0

    COLUMNS = ("MRR@10", "S@1", "S@10", "nDCG@10")

    def values(self) -> tuple[float, float, float, float]:
        return (self.mrr, self.success_1, self.success_10, self.ndcg)


def load_judgements(path: str | Path) -> list[Judgement]:
    """The demo set: a list of {query, expect: [URL suffixes, best first]}."""
    data = yaml.safe_load(Path(path).read_text())
    judgements = []
    for item in data:
        if not item.get("query") or not item.get("expect"):
            raise ValueError(f"relevance entry needs a query and expected results: {item!r}")
        judgements.append(
            Judgement(
                str(item["query"]),
                [str(e) for e in item["expect"]],
                kind=str(item.get("kind") or "keyword"),
            )
        )
    return judgements


def suffix_match(key: str, wanted: str) -> bool:
    """The demo set names results by the end of their URL."""
    return key.endswith(wanted)


def equal_match(key: str, wanted: str) -> bool:
    return key == wanted


def score_ranking(
    judgement: Judgement, keys: list[str], matches: Callable[[str, str], bool], k: int = K
) -> QueryScore:
    """One query's score from the keys of its ranked results (best first). The first expected
    result has grade 2 in nDCG, the others 1; each counts once, however many results map to it
    (a thread found through two of its posts)."""
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    grades: list[int] = []
    credited: set[int] = set()
    for key in seen[:k]:
        j = next((j for j, wanted in enumerate(judgement.expect) if matches(key, wanted)), None)
        if j is None or j in credited:
            grades.append(0)
        else:
            credited.add(j)
            grades.append(2 if j == 0 else 1)
    rank = next((i + 1 for i, g in enumerate(grades) if g), None)
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))
    ideal = sorted([2] + [1] * (len(judgement.expect) - 1), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return QueryScore(judgement.query, rank, dcg / idcg if idcg else 0.0, seen[:3], judgement.kind)


def summarize(scores: list[QueryScore]) -> Metrics:
    n = len(scores)
    if not n:
        return Metrics()
    return Metrics(
        n=n,
        mrr=sum(1.0 / s.rank for s in scores if s.rank) / n,
        success_1=sum(1 for s in scores if s.rank == 1) / n,
        success_10=sum(1 for s in scores if s.rank) / n,
        ndcg=sum(s.ndcg for s in scores) / n,
    )


def by_kind(scores: list[QueryScore]) -> dict[str, Metrics]:
    """Metrics per query kind, then "all"."""
    kinds = sorted({s.kind for s in scores})
    out = {kind: summarize([s for s in scores if s.kind == kind]) for kind in kinds}
    out["all"] = summarize(scores)
    return out


# ---------------------------------------------------------------- running queries


def run_query(engine: Engine, query: str, k: int = K) -> list[str]:
    """Ranked URLs for an anonymous visitor, exactly as the search page gets them."""
    return [hit.url for hit in search_hits(engine, query, k)]


def search_hits(engine: Engine, query: str, k: int = K):
    from django.contrib.auth.models import AnonymousUser

    from search import services

    with using_engine(engine):
        outcome = services.search(AnonymousUser(), query, per_page=k, log=False)
    return outcome.result.hits


def suggest_hits(engine: Engine, query: str, limit: int = 8) -> list[dict]:
    from django.contrib.auth.models import AnonymousUser

    from search import services

    with using_engine(engine):
        return services.suggest(AnonymousUser(), query, limit)["results"]


def score(engine: Engine, judgements: list[Judgement], k: int = K) -> list[QueryScore]:
    """The demo set's scores (results matched by URL suffix)."""
    return [score_ranking(j, run_query(engine, j.query, k), suffix_match, k) for j in judgements]


def mrr(scores: list[QueryScore]) -> float:
    return summarize(scores).mrr


def mean_ndcg(scores: list[QueryScore]) -> float:
    return summarize(scores).ndcg


# ---------------------------------------------------------------- the BM25 yardstick

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


class Bm25Baseline:
    """Plain Okapi BM25 (rank-bm25) over the documents an engine indexes: title counted twice,
    the rest of the text (headings, summary, body, code) once, English (Snowball) stemming,
    nothing else. What a search of our
    own must beat to be worth having."""

    def __init__(self, docs):
        import snowballstemmer
        from rank_bm25 import BM25Okapi

        self._stem = snowballstemmer.stemmer("english").stemWords
        self.docs = [d for d in docs if d.is_public]
        corpus = [
            self.tokens(f"{d.title} {d.title} {d.headings} {d.summary} {d.body} {d.code}")
            or ["\x00"]
            for d in self.docs
        ]
        self.bm25 = BM25Okapi(corpus)

    def tokens(self, text: str) -> list[str]:
        return self._stem(_WORD_RE.findall(text.lower()))

    def search(self, query: str, k: int = K) -> list:
        words = self.tokens(query)
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        best = sorted(range(len(self.docs)), key=lambda i: -scores[i])[:k]
        return [self.docs[i] for i in best if scores[i] > 0]


@dataclass
class RealSet:
    """A labelled query set over a public corpus, with where that corpus comes from."""

    name: str
    path: Path
    corpus: dict = field(default_factory=dict)  # repository, commit, folder, docs_root, type
    judgements: list[Judgement] = field(default_factory=list)

    @property
    def is_community(self) -> bool:
        return self.corpus.get("type") == "stackexchange"

    def part(self, split: str | None) -> list[Judgement]:
        if not split or split == "all":
            return self.judgements
        return [j for j in self.judgements if j.split == split]


def load_real_set(path: str | Path, doc_key: Callable[[str], str] = str) -> RealSet:
    """A real set: a mapping with the corpus (`corpus:` or top-level repository/commit keys)
    and `queries:` [{query, kind, expected, split}]; or a bare list of queries.

    `doc_key` turns an expected page's source path into the key the docs importer gives it
    (search knows no importer: the caller passes it)."""
    path = Path(path)
    data = yaml.safe_load(path.read_text())
    corpus: dict = {}
    if isinstance(data, dict):
        items = data.get("queries") or []
        corpus = {k: v for k, v in data.items() if not isinstance(v, list | dict)}
        if isinstance(data.get("corpus"), dict):
            corpus.update(data["corpus"])
        if "stack exchange" in str(corpus.get("format", "")).lower():
            corpus.setdefault("type", "stackexchange")
    else:
        items = data or []
    real = RealSet(path.stem, path, corpus)
    community = real.is_community
    for item in items:
        expected = item.get("expected") or item.get("expect") or []
        if not isinstance(expected, list):
            expected = [expected]
        if not item.get("query") or not expected:
            raise ValueError(f"{path.name}: a query needs `query` and `expected`: {item!r}")
        expect = [str(e).strip() if community else doc_key(str(e)) for e in expected]
        real.judgements.append(
            Judgement(
                str(item["query"]),
                expect,
                kind=str(item.get("kind") or "keyword"),
                split=str(item.get("split") or ""),
            )
        )
    return real
