"""Relevance measurement over a labelled query set (tests/search/relevance.yaml): MRR@10 and
nDCG@10, through the same service path the search page uses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from search.engines.base import Engine, SearchRequest
from search.query import expand_synonyms, parse_query


@dataclass
class Judgement:
    query: str
    expect: list[str]


@dataclass
class QueryScore:
    query: str
    rank: int | None  # rank of the first relevant result (1-based), None if not in the top k
    ndcg: float
    top: list[str]


def load_judgements(path: str | Path) -> list[Judgement]:
    data = yaml.safe_load(Path(path).read_text())
    judgements = []
    for item in data:
        if not item.get("query") or not item.get("expect"):
            raise ValueError(f"relevance entry needs a query and expected results: {item!r}")
        judgements.append(Judgement(str(item["query"]), [str(e) for e in item["expect"]]))
    return judgements


def _grade(url: str, expect: list[str]) -> int:
    for i, suffix in enumerate(expect):
        if url.endswith(suffix):
            return 2 if i == 0 else 1
    return 0


def run_query(engine: Engine, query: str, k: int = 10) -> list[str]:
    """Ranked URLs for an anonymous visitor, with the service's fallbacks (spelling, relaxed)."""
    from search import vocabulary

    def once(text, match_all=True):
        request = SearchRequest(
            query=expand_synonyms(parse_query(text)),
            audiences=frozenset({"public"}),
            limit=k,
            facets=False,
            match_all=match_all,
        )
        return engine.search(request)

    result = once(query)
    if not result.total:
        correction = vocabulary.suggest_spelling(parse_query(query, prefix_last=False))
        if correction:
            result = once(correction)
    if not result.total and len(parse_query(query).positive) >= 2:
        result = once(query, match_all=False)
    return [h.url for h in result.hits]


def score(engine: Engine, judgements: list[Judgement], k: int = 10) -> list[QueryScore]:
    scores = []
    for j in judgements:
        urls = run_query(engine, j.query, k)
        grades = [_grade(u, j.expect) for u in urls[:k]]
        rank = next((i + 1 for i, g in enumerate(grades) if g), None)
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))
        ideal = sorted([2] + [1] * (len(j.expect) - 1), reverse=True)[:k]
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        scores.append(QueryScore(j.query, rank, dcg / idcg if idcg else 0.0, urls[:3]))
    return scores


def mrr(scores: list[QueryScore]) -> float:
    return sum(1.0 / s.rank for s in scores if s.rank) / len(scores) if scores else 0.0


def mean_ndcg(scores: list[QueryScore]) -> float:
    return sum(s.ndcg for s in scores) / len(scores) if scores else 0.0
