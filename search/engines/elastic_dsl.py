"""What the Elasticsearch / OpenSearch engine sends: analyzers, the mapping and the search body.

Built with `elasticsearch.dsl` and turned into plain dicts, the same for both flavours.
"""

from __future__ import annotations

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

from search.engines.base import (
    SearchRequest,
)
from search.query import (
    MARK_END,
    MARK_START,
    Clause,
    ParsedQuery,
    required_matches,
)

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
