"""Query understanding shared by every engine.

`parse_query` turns what a customer typed into clauses: words (the last one may be a prefix),
"quoted phrases", -exclusions and identifiers (ICCIDs, IMSIs, AT commands, error codes) that
must match exactly. `expand_synonyms` adds the editable domain synonyms as alternatives.
Engines only render these clauses into their own query language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from django.core.cache import cache

from search.query_words import (  # noqa: F401 - QUESTION_WORDS and is_question re-exported
    COMPOUNDS,
    QUESTION_FRAMING,
    QUESTION_WORDS,
    STOPWORDS,
    is_question,
)

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 12

_JOINED = {joined: list(pair) for pair, joined in COMPOUNDS.items()}

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_IDENTIFIER_HINT_RE = re.compile(r"\d|\+|_|=")
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass
class Clause:
    """One part of a query.

    `alternatives` holds one or more token lists; the clause matches when any of them matches
    as a phrase (a single token is a one-word phrase). Synonyms add alternatives.
    """

    alternatives: list[list[str]]
    negated: bool = False
    prefix: bool = False  # the last token of the (single) alternative may be a prefix
    phrase: bool = False  # typed in quotes
    identifier: bool = False  # an exact code: no stemming games, no prefix, no spelling fixes
    original: str = ""
    weight: float = 1.0  # how much matching it says about a document (rarer words: more)
    idf: float = 1.0  # BM25's inverse document frequency of its rarest word (see vocabulary)
    known: bool = True  # False: no public document has this word (a typo, most likely)
    # the likeliest whole words a prefix clause may be typed into, when already read with
    # the word weights (None: not read; see vocabulary.complete_last_word)
    completions: list[str] | None = field(default=None, compare=False)

    @property
    def tokens(self) -> list[str]:
        return self.alternatives[0]

    @property
    def is_word(self) -> bool:
        return len(self.alternatives) == 1 and len(self.tokens) == 1 and not self.phrase


@dataclass
class ParsedQuery:
    raw: str
    clauses: list[Clause] = field(default_factory=list)

    def as_typed(self) -> ParsedQuery:
        """The same query without synonym alternatives: the words as the person typed them."""
        return replace(
            self, clauses=[replace(c, alternatives=c.alternatives[:1]) for c in self.clauses]
        )

    def finished(self) -> ParsedQuery:
        """The same query with its last word taken as typed in full (no prefix): what
        `parse_query(raw, prefix_last=False)` gives, without parsing (and weighing) again."""
        return replace(self, clauses=[replace(c, prefix=False) for c in self.clauses])

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negated]

    @property
    def is_empty(self) -> bool:
        return not self.positive

    def words(self) -> list[str]:
        """The plain words (candidates for spelling correction)."""
        return [c.tokens[0] for c in self.positive if c.is_word and not c.identifier]


# "Most" of a query's words: the share a document needs (of three words or more).
REQUIRED_SHARE = 0.5


def required_matches(n: int, match_all: bool = True) -> int:
    """How many of a query's `n` clauses a document must match: most of them, not all.

    One stray page that has every word (a glossary) must not hide the real answer that lacks
    one, and a long question must still find its page: all of one or two words, otherwise
    `REQUIRED_SHARE` of them (at least two). Ranking then prefers documents matching more
    (the coordination factor). The relaxed retry (`match_all=False`) needs one word.
    """
    import math

    if not match_all:
        return min(n, 1)
    if n <= 2:
        return n
    return max(2, min(n - 1, math.ceil(REQUIRED_SHARE * n)))


def normalize_query(raw: str) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_CHARS]


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _WORD_RE.findall(text)]


def _compound_alternatives(tokens: list[str]) -> list[list[str]]:
    """Other spellings of a one-or-two-word compound ("e-mail" -> "email" and back)."""
    key = tuple(tokens)
    if key in COMPOUNDS:
        return [[COMPOUNDS[key]]]
    if len(tokens) == 1 and tokens[0] in _JOINED:
        return [_JOINED[tokens[0]]]
    return []


def _join_compounds(raw: str) -> str:
    """ "set up" -> "setup" before stop words are dropped (else "up" would go)."""
    words = raw.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = (
            (words[i].lower(), words[i + 1].lower().rstrip(".,;:!?"))
            if i + 1 < len(words)
            else None
        )
        if pair in COMPOUNDS and not words[i].startswith(("-", '"')):
            out.append(COMPOUNDS[pair] + words[i + 1][len(pair[1]) :])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def parse_query(raw: str, *, prefix_last: bool = True) -> ParsedQuery:
    """Parse a query typed by a person. Never raises; unbalanced quotes close at the end."""
    raw = normalize_query(raw)
    typed = raw
    if '"' not in raw:
        raw = _join_compounds(raw)
    clauses: list[Clause] = []
    question = is_question(typed)
    for match in _TOKEN_RE.finditer(raw):
        negated_phrase, phrase_text, bare = match.groups()
        if phrase_text is not None:
            tokens = _tokens(phrase_text)
            if tokens:
                clauses.append(
                    Clause(
                        [tokens],
                        negated=bool(negated_phrase),
                        phrase=True,
                        identifier=bool(_IDENTIFIER_HINT_RE.search(phrase_text)),
                        original=phrase_text,
                    )
                )
            continue
        negated = False
        if bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        core = bare.strip(".,;:!?()[]{}'\"")
        tokens = _tokens(core)
        if not tokens:
            continue
        identifier = bool(_IDENTIFIER_HINT_RE.search(core))
        dropped = STOPWORDS | QUESTION_FRAMING if question else STOPWORDS
        if len(tokens) == 1 and not identifier and tokens[0] in dropped and not negated:
            continue
        alternatives = [tokens]
        if not identifier and not negated:
            alternatives += _compound_alternatives(tokens)
        clauses.append(Clause(alternatives, negated=negated, identifier=identifier, original=core))
    if not any(not c.negated for c in clauses):
        # Only stopwords or only exclusions: search for the words themselves instead.
        words = _tokens(raw)
        clauses = [Clause([[w]], original=w) for w in words[:MAX_CLAUSES]]
    unique: list[Clause] = []
    for clause in clauses:  # "lightdb state or lightdb stream": lightdb once
        if not any(
            c.alternatives == clause.alternatives and c.negated == clause.negated for c in unique
        ):
            unique.append(clause)
    clauses = unique[:MAX_CLAUSES]
    if prefix_last and clauses and raw and raw[-1].isalnum():
        last = clauses[-1]
        if (
            len(last.tokens) == 1
            and not last.phrase
            and not last.negated
            and not last.identifier
            and len(last.tokens[0]) >= 2
        ):
            last.prefix = True
    return ParsedQuery(typed, clauses)


# ---------------------------------------------------------------- synonyms

SYNONYM_CACHE_KEY = "search:synonym-groups:v1"


def synonym_groups() -> list[list[list[str]]]:
    """Synonym groups as token lists, cached until a Synonym changes."""
    groups = cache.get(SYNONYM_CACHE_KEY)
    if groups is None:
        from search.models import Synonym

        groups = []
        for synonym in Synonym.objects.all():
            group = [_tokens(term) for term in synonym.term_list]
            group = [g for g in group if g]
            if len(group) >= 2:
                groups.append(group)
        cache.set(SYNONYM_CACHE_KEY, groups, 300)
    return groups


def forget_synonyms() -> None:
    cache.delete(SYNONYM_CACHE_KEY)


def expand_synonyms(query: ParsedQuery, groups: list[list[list[str]]] | None = None) -> ParsedQuery:
    """Replace runs of plain words that name a synonym with "any of the group".

    Longest match first: "access point name" becomes (APN | "access point name"). Quoted
    phrases, exclusions and identifiers are taken literally.
    """
    groups = synonym_groups() if groups is None else groups
    if not groups:
        return query
    index: dict[tuple[str, ...], list[list[str]]] = {}
    for group in groups:
        for member in group:
            index.setdefault(tuple(member), [])
            for other in group:
                if other not in index[tuple(member)]:
                    index[tuple(member)].append(other)
    longest = max(len(k) for k in index)
    clauses = query.clauses
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        matched = False
        for size in range(min(longest, len(clauses) - i), 0, -1):
            run = clauses[i : i + size]
            if not all(c.is_word and not c.negated for c in run):
                continue
            key = tuple(c.tokens[0] for c in run)
            if key in index and not (size == 1 and run[0].identifier and len(index[key]) < 2):
                alternatives = [list(key)] + [a for a in index[key] if a != list(key)]
                out.append(
                    Clause(
                        alternatives,
                        original=" ".join(c.original for c in run),
                        identifier=any(c.identifier for c in run),
                    )
                )
                i += size
                matched = True
                break
        if not matched:
            out.append(clauses[i])
            i += 1
    return ParsedQuery(query.raw, out)


# ---------------------------------------------------------------- highlighting

MARK_START = "\ue000"
MARK_END = "\ue001"


def marked_to_html(text: str) -> str:
    """Escape engine output, then turn our private-use markers into <mark> elements."""
    from django.utils.html import escape

    escaped = escape(text or "")
    # Unbalanced markers (a snippet cut inside a match) must not leave an open element.
    # Marker by marker, not character by character: every hit's title and snippet pass here.
    out, open_, start = [], False, 0
    for marker in _MARKER_RE.finditer(escaped):
        out.append(escaped[start : marker.start()])
        start = marker.end()
        if (marker.group() == MARK_START) != open_:
            out.append("</mark>" if open_ else "<mark>")
            open_ = not open_
    out.append(escaped[start:])
    if open_:
        out.append("</mark>")
    return "".join(out)


_MARKER_RE = re.compile(f"[{MARK_START}{MARK_END}]")


# ---------------------------------------------------------------- spelling


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        row_min = cur[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_DICTIONARY_WORD_RE = re.compile(r"(?<![\w])[a-z]{3,30}(?![\w])")


def words_of(text: str) -> list[str]:
    """Dictionary words: plain ASCII letters, 3 to 30 of them, lower case."""
    return _DICTIONARY_WORD_RE.findall((text or "").lower())
