"""A long Resource Center page is searched by section: every section is found, the hit links
to its heading's anchor and names it, the page shows once, the gate applies to its sections,
and re-publishing, unpublishing or deleting the page replaces or removes all of them."""

from wagtail.models import PageViewRestriction

import pytest

from kb import search_documents
from kb.models import ArticlePage, ResourceIndexPage
from search.documents import BODY_MAX_CHARS
from search.engines import get_engine
from search.registry import providers
from tests.search.conftest import engine_search, found
from tiers import gate

pytestmark = pytest.mark.postgres

FILLER = "The relay keeps its state after a restart and reports it over the bus. "


def body_of(sections: list[tuple[str, str]], filler_chars: int = 6_000) -> list[dict]:
    """A heading and a paragraph per (heading, marker word), each paragraph padded with
    `filler_chars` of neutral text."""
    filler = FILLER * (filler_chars // len(FILLER) + 1)
    blocks = [{"type": "paragraph", "value": f"<p>Opening words about wallabyconfig. {filler}</p>"}]
    for heading, marker in sections:
        blocks.append({"type": "heading", "value": {"text": heading, "level": "h2"}})
        blocks.append({"type": "paragraph", "value": f"<p>{filler} The {marker} setting.</p>"})
    return blocks


@pytest.fixture
def section(home_page):
    index = ResourceIndexPage(title="Reference", slug="reference")
    home_page.add_child(instance=index)
    return index


def publish(parent, title, body, **fields):
    page = ArticlePage(title=title, summary="Every command.", body=body, **fields)
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return ArticlePage.objects.get(pk=page.pk)


SECTIONS = [("Power", "quokkapulse"), ("Wi-Fi", "numbatssid"), ("Timers", "bilbytimer")]


def test_each_section_is_a_document_linking_to_its_anchor(section, apply_on_commit):
    page = apply_on_commit(publish, section, "Commands", body_of(SECTIONS))
    ids = [doc.id for doc in search_documents._page_documents(page)]
    assert ids == [f"page:{page.pk}", *(f"page:{page.pk}#{n}" for n in (1, 2, 3))]
    hit = engine_search("numbatssid").hits[0]
    assert hit.doc_id == f"page:{page.pk}#2"
    assert hit.url == f"{page.get_url()}#wi-fi"
    assert hit.title == "Commands › Wi-Fi"
    # the page's own document: its opening, title, summary and the names of every section
    assert found("wallabyconfig") == [f"page:{page.pk}"]
    # a heading is in the page's document and titles its section: the page once, there
    assert found("timers") == [f"page:{page.pk}#3"]


def test_text_beyond_what_one_document_holds_is_found(section, apply_on_commit):
    """A section longer than an engine keeps of a document continues in a second one."""
    body = body_of([("Everything", "quollrule")], filler_chars=BODY_MAX_CHARS + 10_000)
    page = apply_on_commit(publish, section, "Rules", body)
    documents = search_documents._page_documents(page)
    # the opening and the section are each cut in two (ids in page order)
    assert [d.url.rsplit("/", 1)[-1] for d in documents] == ["", "", "#everything", "#everything"]
    hits = engine_search("quollrule").hits
    assert [h.doc_id for h in hits] == [documents[-1].id]
    assert hits[0].url == f"{page.get_url()}#everything"
    assert hits[0].title == "Rules › Everything"


def test_short_pages_and_short_sections_are_not_split(section, apply_on_commit):
    page = apply_on_commit(publish, section, "Quick", body_of(SECTIONS, filler_chars=100))
    assert [d.id for d in search_documents._page_documents(page)] == [f"page:{page.pk}"]
    assert found("bilbytimer") == [f"page:{page.pk}"]


def test_republishing_replaces_the_sections_and_unpublish_and_delete_remove_them(
    section, apply_on_commit
):
    page = apply_on_commit(publish, section, "Commands", body_of(SECTIONS, 12_000))
    engine = get_engine()
    assert len([i for i in engine.ids() if i.startswith(f"page:{page.pk}")]) == 4

    page.body = body_of(SECTIONS[:1], 12_000)
    apply_on_commit(lambda: page.save_revision().publish())
    assert sorted(i for i in engine.ids() if i.startswith(f"page:{page.pk}")) == [
        f"page:{page.pk}",
        f"page:{page.pk}#1",
    ]
    assert found("numbatssid") == []

    page.body = body_of(SECTIONS, 12_000)
    apply_on_commit(lambda: page.save_revision().publish())
    assert found("bilbytimer") == [f"page:{page.pk}#3"]
    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).unpublish())
    assert [i for i in engine.ids() if i.startswith(f"page:{page.pk}")] == []

    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).save_revision().publish())
    assert found("quokkapulse") == [f"page:{page.pk}#1"]
    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).delete())
    assert [i for i in engine.ids() if i.startswith(f"page:{page.pk}")] == []


def test_the_gate_applies_to_every_section(section, apply_on_commit, monkeypatch):
    monkeypatch.setattr(gate, "page_audience", lambda page: ["infinity"])
    page = apply_on_commit(publish, section, "Commands", body_of(SECTIONS))
    assert found("bilbytimer") == []
    assert found("bilbytimer", frozenset({"public", "infinity"})) == [f"page:{page.pk}#3"]

    monkeypatch.setattr(gate, "page_audience", lambda page: ["public"])
    restriction = apply_on_commit(
        PageViewRestriction.objects.create, page=section, restriction_type="login"
    )
    assert found("bilbytimer", None) == []  # restricted on an ancestor: no section either
    apply_on_commit(restriction.delete)
    assert found("bilbytimer") == [f"page:{page.pk}#3"]


def test_a_rebuild_indexes_the_sections(section, apply_on_commit):
    page = apply_on_commit(publish, section, "Commands", body_of(SECTIONS))
    engine = get_engine()
    engine.rebuild(doc for p in providers() for doc in p.iter_documents())
    assert found("quokkapulse") == [f"page:{page.pk}#1"]
    assert f"page:{page.pk}#3" in engine.ids()
