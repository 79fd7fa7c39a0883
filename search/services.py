"""The one search entry point: what the search page and the suggest endpoint call.

Takes care of who is asking (audiences from the tiers gate, applied inside the engine query),
spelling help (a correction is only offered or applied when it finds something for this
person), a relaxed retry for long natural-language questions, and the query log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from resourcecenter import access
from resourcecenter.text import html_to_text
from search import vocabulary
from search.documents import KIND_LABELS
from search.engines import SearchUnavailable, get_engine
from search.engines.base import Hit, SearchRequest, SearchResult
from search.query import (
    ParsedQuery,
    expand_synonyms,
    normalize_query,
    parse_query,
    words_of,
)

logger = logging.getLogger(__name__)

PER_PAGE = 10
MAX_PAGE = 100


@dataclass
class Filters:
    kinds: list[str] = field(default_factory=list)
    product_areas: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    solved_only: bool = False
    staff_answered_only: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.kinds
            or self.product_areas
            or self.tags
            or self.solved_only
            or self.staff_answered_only
        )


@dataclass
class SearchOutcome:
    query: str
    result: SearchResult
    page: int
    per_page: int
    did_you_mean: str | None = None  # offered as a link
    corrected_from: str | None = None  # results shown are for `query`, not what was typed
    relaxed: bool = False  # no document had every word; showing documents with some
    unavailable: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.result.total // self.per_page)))


def audiences_for(user) -> frozenset[str] | None:
    return access.audiences_for(user)


def understand(query: str, *, prefix_last: bool = True):
    """What a typed query means to every engine: its clauses, the domain synonyms, and how
    much each word says (its rarity)."""
    return vocabulary.weigh(expand_synonyms(parse_query(query, prefix_last=prefix_last)))


def _request(query: str, audiences, filters: Filters, *, typing: bool = False, **kw):
    """A search request. Every word is complete, except with `typing` (the type-ahead, while
    the last word is still being typed): that word also matches as a prefix and as its
    likeliest completions."""
    parsed = understand(query, prefix_last=typing)
    if typing:
        parsed = vocabulary.complete_last_word(parsed)
    return _request_for(parsed, audiences, filters, **kw)


def _request_for(parsed: ParsedQuery, audiences, filters: Filters, **kw) -> SearchRequest:
    return SearchRequest(
        query=parsed,
        audiences=audiences,
        kinds=filters.kinds,
        product_areas=filters.product_areas,
        tags=filters.tags,
        solved_only=filters.solved_only,
        staff_answered_only=filters.staff_answered_only,
        **kw,
    )


def typing_query(query: str, typed: ParsedQuery) -> ParsedQuery | None:
    """The type-ahead's query while its last word is unfinished (`typed`: the query
    understood with its last word as a prefix): that word is typed up to the cursor, is not
    a word any public document has, yet starts some, so it also matches its likeliest
    completions. None once the word is finished (or is a typo that starts no word): then the
    full search's own query is searched, and both agree on what comes first. After other
    words, a word of one or two letters ("web ui") counts as finished: the vocabulary keeps
    no words that short, so it cannot tell, and such a word is a whole word more often than
    the start of one."""
    if query.endswith(" ") or not typed.clauses or not typed.clauses[-1].prefix:
        return None
    last = typed.clauses[-1]
    if last.known or (len(typed.clauses) > 1 and not words_of(last.tokens[0])):
        return None
    completed = vocabulary.complete_last_word(typed)
    return completed if completed is not typed else None


def search(
    user,
    query: str,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    *,
    log: bool = True,
) -> SearchOutcome:
    """Search everything `user` may read; never raises when the engine is down."""
    filters = filters or Filters()
    query = normalize_query(query)
    page = max(1, min(page, MAX_PAGE))
    outcome = _find(user, query, filters, offset=(page - 1) * per_page, limit=per_page)
    outcome.page = page
    if log and page == 1 and not outcome.unavailable:
        log_query(query, outcome.result.total)
    return outcome


def _find(
    user,
    query: str,
    filters: Filters,
    *,
    offset: int,
    limit: int,
    typed: ParsedQuery | None = None,
    understood: ParsedQuery | None = None,
    facets: bool = True,
) -> SearchOutcome:
    """The ranking the search page and the type-ahead share: the query as typed, its
    spelling correction when a word is unknown, the relaxed retry when nothing matches.
    `typed` (the type-ahead's query while its last word is unfinished, `typing_query`)
    leaves that word out of the spelling fixes and completes it instead; `understood` is the
    query already understood as the page understands it (`finished`), so the type-ahead
    does not read the word weights twice. The type-ahead asks for no `facets`: its totals
    are then counted only so far (`_totals_compared` keeps the choices the same)."""
    typing = typed is not None
    audiences = audiences_for(user)
    engine = get_engine()
    outcome = SearchOutcome(query, SearchResult([], 0), 1, limit)
    if not parse_query(query).positive:
        return outcome
    kw = {"offset": offset, "limit": limit, "facets": facets}
    try:
        parsed = typed or understood or understand(query, prefix_last=False)
        request = _request_for(parsed, audiences, filters, **kw)
        result = engine.search(request)
        # A word no public document has is a typo more often than not, even among correct
        # words that still find something: search the corrected query too, and show it when
        # it finds at least as much (the original stays one click away).
        words = parse_query(query, prefix_last=False)
        clauses = request.query.positive
        if typing:  # the word being typed is not a typo yet; the words before it may be
            words = replace(words, clauses=words.clauses[:-1])
            clauses = clauses[:-1]
        correction = None
        if not all(c.known for c in clauses):
            correction = vocabulary.suggest_spelling(words)
        if correction:
            fixed_request = _request(correction, audiences, filters, typing=typing, **kw)
            fixed = engine.search(fixed_request)
            fixed_total, total = _totals_compared(engine, fixed_request, fixed, request, result)
            if fixed.total and fixed_total >= total:
                outcome.corrected_from, outcome.query, result = query, correction, fixed
                request = fixed_request
            elif fixed.total:
                outcome.did_you_mean = correction
        if not result.total and len(parse_query(outcome.query).positive) >= 2:
            # the same query (as understood above), any word of it
            relaxed = engine.search(replace(request, match_all=False))
            if relaxed.total:
                result, outcome.relaxed = relaxed, True
        outcome.result = result
    except SearchUnavailable:
        logger.warning("search is unavailable", exc_info=True)
        outcome.unavailable = True
    return outcome


def _totals_compared(engine, fixed_request, fixed, request, result) -> tuple[int, int]:
    """The two totals that decide whether a correction replaces the query, exact when both
    were only counted so far (no facets, both over the engine's count limit): the type-ahead
    then takes the search page's decision, at the cost of counting twice, rarely."""
    if not (fixed.total_capped and result.total_capped):
        return fixed.total, result.total
    exact = [
        engine.search(replace(r, facets=True, offset=0, limit=1)).total
        for r in (fixed_request, request)
    ]
    return exact[0], exact[1]


def log_query(query: str, results: int) -> None:
    """Store a query for the staff report, with identifiers (ICCIDs, IMSIs, IMEIs, phone
    numbers, e-mail addresses, API keys) masked first: the report shows what people look
    for, never whose SIM or account it was."""
    from search.models import SearchQueryLog
    from search.privacy import mask_identifiers

    text = mask_identifiers(normalize_query(query)).lower()[:200]
    if text:
        SearchQueryLog.objects.create(query=text, results=results)


def suggest(user, query: str, limit: int = 8) -> dict:
    """The type-ahead answer (also used by the forum's ask form: same shape).

    The suggestions are the full search's first results, by the same path (`_find`): once
    the last word is typed in full they are the search page's first results. When a typo
    was corrected, the corrected query's results are suggested, with the correction named in
    `did_you_mean`. The search page's first article is always among them: its first page
    is fetched, and when none of the first `limit` results is an article, that page's first
    article takes the last place (the type-ahead never offers other articles than the page).
    """
    query = normalize_query(query)
    payload: dict = {"query": query, "results": [], "did_you_mean": None}
    typed = understand(query)  # the words as typed, weighed: is the last one finished?
    if len(query) < 2 or typed.is_empty:
        return payload
    # no facets: the type-ahead shows no counts, and counting every match of a common word
    # by kind and tag cost more than ranking it
    outcome = _find(
        user,
        query,
        Filters(),
        offset=0,
        limit=max(limit, PER_PAGE),
        typed=typing_query(query, typed),
        understood=typed.finished(),
        facets=False,
    )
    if outcome.unavailable:
        return payload
    hits = outcome.result.hits[:limit]
    article = next((h for h in outcome.result.hits if h.kind != "thread"), None)
    if article is not None and article not in hits:
        hits[-1] = article
    payload["did_you_mean"] = outcome.query if outcome.corrected_from else None
    payload["results"] = [suggestion(h) for h in hits]
    return payload


def suggestion(hit: Hit) -> dict:
    return {
        "kind": hit.kind,
        "kind_label": KIND_LABELS.get(hit.kind, hit.kind),
        "title": hit.title,
        "title_html": hit.title_html,
        "url": hit.url,
        "snippet": html_to_text(hit.snippet_html),
        "solved": hit.solved,
        "staff_answered": hit.staff_answered,
    }


def popular_documents(user, limit: int = 5) -> list:
    """Documents to offer when a search finds nothing (only ones `user` may read)."""
    from search.registry import providers

    audiences = audiences_for(user)
    docs = []
    for provider in providers():
        for doc in provider.popular_documents(limit * 2):
            if audiences is None or audiences.intersection(doc.audience):
                docs.append(doc)
    return docs[:limit]
