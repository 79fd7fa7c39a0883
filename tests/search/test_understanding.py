"""Query understanding and the query log's privacy, engine-independent."""

import pytest

from search.privacy import mask_identifiers
from search.query import parse_query, required_matches


def alternatives(q):
    return [c.alternatives for c in parse_query(q, prefix_last=False).positive]


def test_compounds_match_either_spelling():
    assert alternatives("set up e-mail") == [[["setup"], ["set", "up"]], [["e", "mail"], ["email"]]]
    assert alternatives("email setup") == [[["email"], ["e", "mail"]], [["setup"], ["set", "up"]]]


def test_question_words_are_dropped_and_repeats_kept_once():
    assert alternatives("is there a way to reset the modem please?") == [[["reset"]], [["modem"]]]
    assert alternatives("lightdb state or lightdb stream") == [
        [["lightdb"]],
        [["state"]],
        [["stream"]],
    ]


def test_only_a_word_being_typed_is_a_prefix():
    assert parse_query("configure the ap").positive[-1].prefix
    assert not parse_query("how do I configure the apn?").positive[-1].prefix


@pytest.mark.parametrize(
    ("n", "needed"), [(1, 1), (2, 2), (3, 2), (4, 2), (5, 3), (6, 3), (8, 4), (12, 6)]
)
def test_most_words_must_match(n, needed):
    assert required_matches(n) == needed
    assert required_matches(n, match_all=False) == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("iccid 8901260882312345678 inactive", "iccid [iccid] inactive"),
        ("imei 490154203237518", "imei [imei]"),
        ("imsi 310150123456789 roaming", "imsi [imsi] roaming"),
        ("call me on +1 (312) 555-0199", "call me on [phone]"),
        ("ops@example.com cannot log in", "[email] cannot log in"),
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc rejected", "key [key] rejected"),
        ("AT+CGDCONT error 403", "AT+CGDCONT error 403"),
        ("firmware 1.2.3 apn", "firmware 1.2.3 apn"),
    ],
)
def test_identifiers_are_masked_before_the_query_is_stored(typed, stored):
    assert mask_identifiers(typed) == stored


def test_the_query_log_stores_masked_queries(db):
    from search.models import SearchQueryLog
    from search.services import log_query

    log_query("SIM 8901260882312345678 not attaching", 0)
    assert SearchQueryLog.objects.get().query == "sim [iccid] not attaching"


def test_a_word_is_as_rare_as_its_stem(db, doc):
    """The engines match stems, so "taking" matches every page with "take" or "takes": its
    weight (coordination, and PostgreSQL's text score) counts those pages, not only the few
    that spell it "taking" (a rare spelling of a common word outweighed the query's real
    topic on the real sets). A word no document spells that way is still known by its stem."""
    from django.core.cache import cache

    from search import vocabulary

    vocabulary.add_documents(
        [doc(f"page:{n}", f"Take {n}", "take a backup") for n in range(8)]
        + [doc("page:8", "Taking notes", "taking"), doc("page:9", "Cbor", "cbor payloads")]
    )
    cache.delete(vocabulary.WEIGHTS_CACHE_KEY)
    weighed = vocabulary.weigh(parse_query("taking cbor takes", prefix_last=False))
    taking, cbor, takes = weighed.clauses
    assert taking.idf == takes.idf < cbor.idf  # nine pages have "take" in some form, one "cbor"
    assert taking.weight < cbor.weight
    assert takes.known  # no page spells it "takes": a form of a known word, not a typo
    vocabulary.clear()
    assert not vocabulary.SearchStem.objects.exists()


def test_stems_counted_since_an_upgrade_do_not_make_a_common_word_rare(db, doc):
    """A vocabulary built before stems were counted (migration 0009 adds an empty table) has
    only words; the documents indexed after the upgrade add their stems from 1. "take" in
    300 documents must not become as rare as the one re-indexed page that has it (the
    weight of a word is never below what its own spelling says)."""
    from django.core.cache import cache

    from search import vocabulary
    from search.models import SearchTerm

    SearchTerm.objects.bulk_create(
        [SearchTerm(term="take", frequency=300), SearchTerm(term="device", frequency=1000)]
    )
    cache.delete(vocabulary.WEIGHTS_CACHE_KEY)
    (before,) = vocabulary.weigh(parse_query("take", prefix_last=False)).clauses
    vocabulary.add_documents([doc("page:1", "Take a backup", "take it")])
    cache.delete(vocabulary.WEIGHTS_CACHE_KEY)
    (after,) = vocabulary.weigh(parse_query("take", prefix_last=False)).clauses
    assert after.idf <= before.idf and after.weight <= before.weight, (before, after)
