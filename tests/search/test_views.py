"""The search page, the suggest endpoint, the staff reports and the commands, end to end on
the configured (database) engine."""

import io
import json
import re

from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from search.engines import get_engine
from search.models import SearchEntry, SearchQueryLog, Synonym
from tests.search.conftest import make_doc

pytestmark = pytest.mark.postgres


@pytest.fixture
def indexed(db):
    engine = get_engine()
    engine.upsert(
        [
            make_doc(
                "page:1",
                "Configure the APN on a modem",
                "Set the access point name with AT+CGDCONT. <script>alert(1)</script>",
                tags=["apn"],
                product_area="connectivity",
                product_area_name="Connectivity & APN",
                section="Connectivity",
            ),
            make_doc(
                "thread:1",
                "Provisioning stuck",
                "Provisioning pending for hours; solved by support.",
                kind="thread",
                solved=True,
                staff_answered=True,
                section="SIMs",
            ),
            make_doc(
                "thread:2",
                "Provisioning secret for Infinity customers",
                "Private provisioning details.",
                kind="thread",
                audience=["infinity"],
                tags=["secret"],
            ),
            *[
                make_doc(f"page:{i}", f"Modem guide {i}", "modem firmware notes")
                for i in range(10, 24)
            ],
        ]
    )
    return engine


def test_search_page_lists_ranked_highlighted_results(
    client, indexed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = client.get("/search/", {"q": "apn"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Configure the <mark>APN</mark> on a modem" in html
    assert "Connectivity" in html and "Guide" in html
    assert "&lt;script&gt;" not in html or "<script>alert" not in html
    assert "<script>alert" not in html
    # CSP-safe: no inline scripts, styles or handlers on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and " onclick=" not in html
    assert 'name="robots" content="noindex' in html
    assert SearchQueryLog.objects.filter(query="apn", results=1).exists()


def test_markers_facets_and_filters(client, indexed):
    html = client.get("/search/", {"q": "provisioning"}).content.decode()
    assert "Solved" in html and "Staff answer" in html
    assert "Community thread" in html
    assert "secret" not in html.lower()  # gated thread: not listed, not counted, no tag facet
    assert "1–1 of 1 result" in html
    html = client.get("/search/", {"q": "modem", "kind": "thread"}).content.decode()
    assert "No results" in html
    html = client.get("/search/", {"q": "apn", "area": "connectivity", "tag": "apn"}).content
    assert b"<mark>APN</mark>" in html
    html = client.get("/search/", {"q": "provisioning", "solved": "1", "staff": "1"}).content
    assert b"<mark>Provisioning</mark> stuck" in html


def test_pagination(client, indexed):
    first = client.get("/search/", {"q": "modem"}).content.decode()
    assert "1–10 of 15 results" in first and 'rel="next"' in first
    second = client.get("/search/", {"q": "modem", "page": "2"}).content.decode()
    assert "11–15 of 15 results" in second and 'rel="prev"' in second


def test_no_results_offers_help(client, indexed):
    html = client.get("/search/", {"q": "zyxwvut"}).content.decode()
    assert "No results for <strong>zyxwvut</strong>" in html
    assert "Ask the community" in html and "/community/" in html
    assert SearchQueryLog.objects.filter(query="zyxwvut", results=0).exists()


def test_spelling_is_corrected_and_offered(client, indexed):
    html = client.get("/search/", {"q": "provisoning"}).content.decode()
    assert "Showing results for <strong>provisioning</strong>" in html
    assert "<mark>Provisioning</mark> stuck" in html
    assert "Search instead for provisoning" in html


def test_another_form_of_a_known_word_is_not_a_typo(client, indexed):
    """Only "notes" is in the vocabulary: "note" is matched through the stem, so it is not
    "corrected" (no second search, no "Showing results for")."""
    from search import vocabulary

    assert vocabulary.correct_word("note") is None
    assert vocabulary.correct_word("provisoning") == "provisioning"
    html = client.get("/search/", {"q": "firmware note"}).content.decode()
    assert "Showing results for" not in html and "Did you mean" not in html
    assert "Modem guide" in html


def test_bad_input_gets_clear_errors(client, indexed):
    html = client.get("/search/", {"q": "apn", "kind": "bogus"}).content.decode()
    assert "is not a kind of content we have" in html
    html = client.get("/search/", {"q": "apn", "page": "abc"}).content.decode()
    assert "whole number" in html
    html = client.get("/search/", {"q": "x" * 300}).content.decode()
    assert "shorten your search" in html
    html = client.get("/search/", {"q": "apn", "tag": "<b>"}).content.decode()
    assert "not a valid tag" in html


def test_suggest_json(client, indexed, django_assert_max_num_queries):
    # the synonyms (cached afterwards), the word weights with the completions of the word
    # being typed (one statement), then the search's count, ranking and hits: a constant
    # number, no transaction
    with django_assert_max_num_queries(5):
        data = client.get("/search/suggest/", {"q": "provisio"}).json()
    assert data["query"] == "provisio"
    assert [r["title"] for r in data["results"]] == ["Provisioning stuck"]
    result = data["results"][0]
    assert set(result) >= {"kind", "title", "url", "snippet", "solved", "staff_answered"}
    assert result["solved"] is True and result["staff_answered"] is True
    assert data["did_you_mean"] is None
    assert client.get("/search/suggest/", {"q": "a"}).json()["results"] == []
    assert client.get("/search/suggest/", {"q": "x" * 201}).status_code == 400
    assert client.get("/search/suggest/", {"q": "apn", "limit": "x"}).status_code == 400


def test_suggest_never_leaks_and_staff_see_all(client, indexed, staff_user):
    data = client.get("/search/suggest/", {"q": "secret"}).json()
    assert data["results"] == [] and data["did_you_mean"] is None
    client.force_login(staff_user)
    data = client.get("/search/suggest/", {"q": "secret"}).json()
    assert [r["title"] for r in data["results"]] == ["Provisioning secret for Infinity customers"]


def test_suggest_offers_did_you_mean(client, indexed):
    """Typos are corrected in the suggestions themselves, and the correction is named."""
    data = client.get("/search/suggest/", {"q": "provisoning stuk "}).json()
    assert [r["title"] for r in data["results"]] == ["Provisioning stuck"]
    assert data["did_you_mean"] == "provisioning stuck"
    # one misspelt word before the word being typed
    data = client.get("/search/suggest/", {"q": "provisoning stu"}).json()
    assert [r["title"] for r in data["results"]][:1] == ["Provisioning stuck"]


def test_staff_reports(client, indexed, staff_user, member, user_factory):
    """Search reports are the editors' and the support leads' (resourcecenter.roles); an
    analyst works tickets and does not read them."""
    from django.contrib.auth.models import Group, Permission

    from resourcecenter.roles import LEADS_GROUP

    access = Permission.objects.get(codename="access_admin")
    lead = user_factory(email="lead@example.com", display_name="Lead")
    lead.groups.add(Group.objects.get_or_create(name=LEADS_GROUP)[0])
    for user in (staff_user, member, lead):
        user.user_permissions.add(access)
    for q in ("apn", "apn", "zyxwvut"):
        client.get("/search/", {"q": q})
    for refused in (member, staff_user):
        client.force_login(refused)
        assert client.get("/admin/reports/searches/").status_code in (302, 403)
    client.force_login(lead)
    top = client.get("/admin/reports/searches/")
    assert top.status_code == 200
    body = top.content.decode()
    assert "apn" in body and "zyxwvut" in body
    zero = client.get("/admin/reports/searches/no-results/").content.decode()
    assert "zyxwvut" in zero and ">apn<" not in zero


def test_synonym_snippet_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_search_synonym:add"),
        {"terms": "eSIM, eUICC", "notes": ""},
    )
    assert response.status_code == 302
    assert Synonym.objects.get().term_list == ["eSIM", "eUICC"]
    response = client.post(
        reverse("wagtailsnippets_search_synonym:add"), {"terms": "lonely", "notes": ""}
    )
    assert response.status_code == 200
    assert b"at least two equivalent terms" in response.content


def test_reindex_command(db, home_page):
    from kb.models import ArticlePage, ResourceIndexPage

    section = ResourceIndexPage(title="Guides", slug="guides")
    home_page.add_child(instance=section)
    for kind, title in [("tutorial", "Tut one"), ("guide", "Guide one"), ("api_key_guide", "Keys")]:
        section.add_child(instance=ArticlePage(title=title, kind=kind, summary="reindex me"))
    get_engine().upsert([make_doc("page:999", "Stale", "gone")])
    err, out = io.StringIO(), io.StringIO()
    call_command("search_reindex", stdout=out, stderr=err)
    assert "Indexed 3 documents" in out.getvalue()
    assert "removed 1 stale" in out.getvalue()
    assert "Indexing everything" in err.getvalue()  # the progress bar
    assert set(SearchEntry.objects.values_list("kind", flat=True)) == {"tutorial", "guide"}

    ArticlePage.objects.filter(title="Keys").update(title="API keys")
    out = io.StringIO()
    call_command("search_reindex", kind="guide", stdout=out, stderr=io.StringIO())
    assert "Indexed 2 documents (guide)" in out.getvalue()
    assert SearchEntry.objects.filter(title="API keys").exists()
    with pytest.raises(CommandError):
        call_command("search_reindex", batch_size=0, stdout=io.StringIO())


def test_outbox_command_reports_status(db):
    out = io.StringIO()
    call_command("search_outbox", "--status", stdout=out)
    assert "0 pending" in out.getvalue()


def test_json_is_safe_for_consumers(client, indexed):
    """`title` and `snippet` are plain text, as written (consumers set them as text, never
    as HTML); `title_html` is the one HTML field: the text escaped, plus <mark> only."""
    indexed.upsert([make_doc("page:5", "Configure <b>bold</b> modems", "Markup in a title.")])
    response = client.get("/search/suggest/", {"q": "configure"})
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    results = {r["url"]: r for r in json.loads(response.content)["results"]}

    apn = results["/page/1/"]
    # Plain text: neither escaped (a consumer would show "&lt;") nor marked up. Whether a
    # "<script>" written in the text survives is the engine's text parser's business
    # (PostgreSQL's drops it, FTS5 keeps it as text); either way it is text, not markup.
    assert apn["snippet"].startswith("Set the access point name with AT+CGDCONT.")
    assert "alert(1)" in apn["snippet"]
    assert "&lt;" not in apn["snippet"] and "<mark>" not in apn["snippet"]
    assert apn["title"] == "Configure the APN on a modem"
    assert apn["title_html"] == "<mark>Configure</mark> the APN on a modem"

    markup = results["/page/5/"]
    assert markup["title"] == "Configure <b>bold</b> modems"
    assert markup["title_html"] == "<mark>Configure</mark> &lt;b&gt;bold&lt;/b&gt; modems"


def test_search_page_queries_do_not_grow_with_the_hits(client, indexed, member):
    """One hit or a full page of hits, signed out or in: the same number of SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(q):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": q}).status_code == 200
        return len(captured)

    for who in (None, member):
        if who:
            client.force_login(who)
        queries("apn")  # warm per-process caches (site root, synonyms)
        one, page_of_ten = queries("apn"), queries("modem")
        assert one == page_of_ten, (who, one, page_of_ten)


def test_suggest_and_search_agree_on_the_first_article(indexed):
    """The type-ahead takes the search page's path: a finished last word is searched as the
    page searches it, and the page's first article is among the suggestions even when
    threads fill the first places (issue 12: 'suggest and search agree')."""
    from django.contrib.auth.models import AnonymousUser

    from search import services

    indexed.upsert(
        [
            *[
                make_doc(f"thread:{i}", f"Gateway reboot loop {i}", "gateway reboot", kind="thread")
                for i in range(30, 39)
            ],
            make_doc("page:40", "Power supply notes", "a gateway may reboot on a weak supply"),
        ]
    )
    anonymous = AnonymousUser()
    page = services.search(anonymous, "gateway reboot", log=False).result.hits
    assert [h.doc_id for h in page][-1:] == ["page:40"]  # the page's only article, 10th
    suggested = services.suggest(anonymous, "gateway reboot")["results"]
    assert len(suggested) == 8 and suggested[-1]["title"] == "Power supply notes"
    # the last word is finished once it is a word; until then it is completed
    assert services.typing_query("modem firmware", services.understand("modem firmware")) is None
    assert services.typing_query("modem firmw", services.understand("modem firmw")) is not None
    assert services.typing_query("modem firmware ", services.understand("modem firmware ")) is None


@pytest.mark.parametrize("typed", ["modem", "modem firmw", "modem firmware notes", "apn moden"])
def test_suggest_reads_no_facets_and_few_statements(client, indexed, typed):
    """The type-ahead runs on every key stroke: its statements are bounded, and it never
    counts matches by kind and tag (it shows no facets; counting them for a common word cost
    more than ranking it). A finished last word (`modem`) is searched as the page searches
    it, without its facets and without reading the word weights twice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/search/suggest/", {"q": typed})  # per-process caches (synonyms, sizes)
    with CaptureQueriesContext(connection) as captured:
        data = client.get("/search/suggest/", {"q": typed}).json()
    assert data["results"]
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in statements if "GROUP BY" in sql.upper()], statements
    # weights + count + ranking + hits; a typo adds its correction's candidates, the
    # existence checks of its words and the corrected search (at most two more searches)
    bound = 4 if typed != "apn moden" else 14
    assert len(statements) <= bound, "\n\n".join(statements)


def test_suggest_takes_the_pages_correction_when_totals_are_only_counted_so_far(
    indexed, staff_user, monkeypatch
):
    """Without facets the database engines count matches only up to `full_rank_max` + 1; a
    correction is taken or offered on exact totals all the same (as the page decides)."""
    from search import services

    indexed.upsert(
        [  # "firmwre" is no public word (a typo to the vocabulary), yet staff find it
            make_doc(
                f"thread:{i}", f"Gateway firmwre {i}", "gateway firmwre", audience=["infinity"]
            )
            for i in range(50, 56)
        ]
        + [make_doc(f"page:{i}", f"Gateway firmware {i}", "gateway") for i in range(60, 63)]
    )
    monkeypatch.setattr(type(indexed), "full_rank_max", 2)
    typo = "gateway firmwre"  # the correction finds fewer documents (3) than the typo (6)
    page = services.search(staff_user, typo, log=False)
    suggested = services.suggest(staff_user, typo + " ")
    assert page.corrected_from is None and page.did_you_mean == "gateway firmware"
    assert suggested["did_you_mean"] is None
    assert [r["url"] for r in suggested["results"]] == [h.url for h in page.result.hits][:8]


@pytest.mark.parametrize(
    "typed", ["modem firmw", "modem firmware", "apn moden", "access point nam"]
)
def test_the_type_ahead_understands_a_query_as_the_page_does(indexed, typed):
    """What the type-ahead reads once (the words' weights and the completions of the last
    one) is what the page and `completions` read on their own."""
    from search import services, vocabulary

    understood = services.understand(typed)
    assert understood.finished() == services.understand(typed, prefix_last=False)
    last = understood.clauses[-1]
    if last.prefix:
        assert last.completions == vocabulary.completions(last.tokens[0])
