"""Indexing through the outbox: every change reaches the index, nothing private leaks, and
nothing is lost while the search server is down."""

import socket

from django.db import transaction
from django.test import override_settings

from wagtail.models import PageViewRestriction

import pytest

from forum.models import Post, PostState, Thread, ThreadState
from forum.services import accept_answer, create_thread
from kb.models import ArticlePage, ResourceIndexPage
from search import indexing
from search.engines import engine_for, get_engine, reset_engines
from search.engines.base import SearchRequest
from search.models import IndexOutbox
from search.query import parse_query
from tests.forum.factories import CategoryFactory, make_reply, set_trust
from tests.search.conftest import PUBLIC, found
from tiers import gate


@pytest.fixture
def section(home_page):
    index = ResourceIndexPage(title="Connectivity", slug="connectivity")
    home_page.add_child(instance=index)
    return index


def add_article(parent, title, body_text, **fields):
    page = ArticlePage(
        title=title,
        summary=body_text,
        body=[{"type": "heading", "value": {"text": "Set it up", "level": "h2"}}],
        **fields,
    )
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.mark.postgres
def test_publish_writes_the_outbox_in_the_same_transaction(section, apply_on_commit):
    IndexOutbox.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_article(section, "Rolled back article", "quokka")
        assert IndexOutbox.objects.exists()
        raise RuntimeError("roll back")
    assert not IndexOutbox.objects.exists()
    apply_on_commit(add_article, section, "Wombat article", "wombat facts")
    assert not IndexOutbox.objects.exists()  # applied and removed by the task
    assert found("wombat") == [f"page:{ArticlePage.objects.get(title='Wombat article').pk}"]


@pytest.mark.postgres
def test_page_lifecycle_reaches_the_index(section, home_page, apply_on_commit):
    page = apply_on_commit(add_article, section, "Dingo guide", "all about dingos")
    doc_id = f"page:{page.pk}"
    assert found("dingo") == [doc_id]

    page.title = "Dingo handbook"
    apply_on_commit(lambda: page.save_revision().publish())
    hits = get_engine().search(SearchRequest(query=parse_query("handbook"), audiences=PUBLIC))
    assert [h.title for h in hits.hits] == ["Dingo handbook"]
    assert hits.hits[0].section == "Connectivity"

    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).unpublish())
    assert found("dingo") == []

    apply_on_commit(lambda: page.save_revision().publish())
    assert found("dingo") == [doc_id]

    other = ResourceIndexPage(title="Elsewhere", slug="elsewhere")
    home_page.add_child(instance=other)
    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).move(other, pos="last-child"))
    hit = get_engine().search(SearchRequest(query=parse_query("dingo"), audiences=PUBLIC)).hits[0]
    assert "/elsewhere/" in hit.url

    apply_on_commit(lambda: ArticlePage.objects.get(pk=page.pk).delete())
    assert found("dingo") == []


@pytest.mark.postgres
def test_private_pages_leave_the_index(section, apply_on_commit):
    page = apply_on_commit(add_article, section, "Koala guide", "koalas sleep")
    assert found("koala", None) == [f"page:{page.pk}"]
    restriction = apply_on_commit(
        PageViewRestriction.objects.create, page=section, restriction_type="login"
    )
    assert found("koala", None) == []  # restricted on an ancestor: not even staff search it
    apply_on_commit(restriction.delete)
    assert found("koala") == [f"page:{page.pk}"]


@pytest.mark.postgres
def test_plan_gated_pages_carry_their_audience(section, apply_on_commit, monkeypatch):
    monkeypatch.setattr(gate, "page_audience", lambda page: ["infinity"])
    page = apply_on_commit(add_article, section, "Numbat runbook", "numbat escalation")
    assert found("numbat") == []
    assert found("numbat", frozenset({"public", "infinity"})) == [f"page:{page.pk}"]
    # The gate changes back: the tiers app calls schedule_reindex.
    monkeypatch.setattr(gate, "page_audience", lambda page: ["public"])
    apply_on_commit(indexing.schedule_reindex, page)
    assert found("numbat") == [f"page:{page.pk}"]


@pytest.fixture
def poster(user_factory):
    user = user_factory(email="poster@example.com", display_name="Poster")
    set_trust(user)
    return user


@pytest.mark.postgres
def test_forum_changes_reach_the_index(poster, staff_user, apply_on_commit):
    category = CategoryFactory(name="APN & data", slug="apn-data")
    thread = apply_on_commit(
        create_thread,
        author=poster,
        category=category,
        title="Modem keeps dropping the bearer",
        body="The platypus modem loses its data session every hour.",
    )
    doc_id = f"thread:{thread.pk}"
    assert found("platypus") == [doc_id]

    reply = apply_on_commit(make_reply, staff_user, thread, body="Disable the echidna timer.")
    assert found("echidna") == [doc_id]
    apply_on_commit(accept_answer, thread=thread, post=reply, by=poster)
    hit = get_engine().search(SearchRequest(query=parse_query("echidna"), audiences=PUBLIC)).hits[0]
    assert hit.solved and hit.staff_answered and hit.section == "APN & data"

    # A held reply is not searchable; a hidden thread disappears entirely.
    held = apply_on_commit(make_reply, poster, thread, body="wallaby")
    Post.objects.filter(pk=held.pk).update(moderation_state=PostState.HELD)
    apply_on_commit(indexing.schedule_reindex, Post.objects.get(pk=held.pk))
    assert found("wallaby") == []
    thread = Thread.objects.get(pk=thread.pk)
    thread.moderation_state = ThreadState.HIDDEN
    apply_on_commit(thread.save)
    assert found("platypus", None) == []


@pytest.mark.postgres
def test_category_gate_applies_to_its_threads(poster, apply_on_commit, monkeypatch):
    category = CategoryFactory(name="Infinity lounge", slug="infinity-lounge")
    thread = apply_on_commit(
        create_thread, author=poster, category=category, title="Quoll question", body="quoll?"
    )
    assert found("quoll") == [f"thread:{thread.pk}"]
    monkeypatch.setattr(gate, "category_audience", lambda c: ["infinity"])
    apply_on_commit(indexing.schedule_reindex, category)
    assert found("quoll") == []
    assert found("quoll", frozenset({"infinity"})) == [f"thread:{thread.pk}"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.opensearch
def test_outbox_survives_a_search_server_outage(poster, apply_on_commit):
    """Stop the server, post, restart: the worker's retry (or the command) catches up."""
    from django.core.management import call_command

    from osmem_server import OsmemServer

    port = _free_port()
    addr = f"127.0.0.1:{port}"
    url = f"opensearch+http://{addr}"
    server = OsmemServer.start(addr=addr, japanese=False)
    try:
        with override_settings(SEARCH_URL=url):
            reset_engines()
            engine = engine_for(url)
            engine.ensure_index()
            category = CategoryFactory(name="Outage", slug="outage")
            server.close()

            thread = apply_on_commit(  # the request succeeds although the server is down
                create_thread,
                author=poster,
                category=category,
                title="Bilby module resets",
                body="The bilby resets at midnight.",
            )
            pending = IndexOutbox.objects.filter(key=f"thread:{thread.pk}")
            assert pending.exists()
            assert pending.first().attempts >= 1 and pending.first().last_error

            server = OsmemServer.start(addr=addr, japanese=False)
            call_command("search_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
            assert not IndexOutbox.objects.exists()
            assert found("bilby", engine=engine) == [f"thread:{thread.pk}"]
    finally:
        server.close()
        reset_engines()


@pytest.mark.opensearch
@pytest.mark.django_db(transaction=True)  # the worker closes its database connection when done
def test_the_worker_catches_up_by_itself_after_an_outage(
    poster, django_capture_on_commit_callbacks
):
    """With the production task queue: the post's indexing task fails while the server is
    down and queues its own retry; once the server is back, the worker alone (no command, no
    new change) puts the post in the index."""
    from django.core.management import call_command
    from django.utils import timezone

    from django_tasks_db.models import DBTaskResult
    from osmem_server import OsmemServer

    def run_worker():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    addr = f"127.0.0.1:{_free_port()}"
    url = f"opensearch+http://{addr}"
    server = OsmemServer.start(addr=addr, japanese=False)
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    try:
        with override_settings(SEARCH_URL=url, TASKS=tasks):
            reset_engines()
            engine = engine_for(url)
            engine.ensure_index()
            category = CategoryFactory(name="Outage", slug="outage")
            server.close()

            with django_capture_on_commit_callbacks(execute=True):
                thread = create_thread(
                    author=poster,
                    category=category,
                    title="Quokka gateway reboots",
                    body="The quokka gateway reboots every night.",
                )
            run_worker()  # the server is down: the task fails softly and queues a retry
            rows = IndexOutbox.objects.filter(key=f"thread:{thread.pk}")
            assert rows and all(row.attempts == 1 and row.last_error for row in rows)
            retry = DBTaskResult.objects.filter(status="READY").get()
            earliest = min(row.next_attempt_at for row in rows)
            assert retry.run_after == earliest > timezone.now()

            server = OsmemServer.start(addr=addr, japanese=False)
            run_worker()  # not due yet: nothing happens early
            assert IndexOutbox.objects.exists()
            DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
            IndexOutbox.objects.update(next_attempt_at=timezone.now())  # the wait, elapsed
            run_worker()
            assert not IndexOutbox.objects.exists()
            assert found("quokka", engine=engine) == [f"thread:{thread.pk}"]
    finally:
        server.close()
        reset_engines()


def test_drain_keeps_rows_when_the_engine_fails(section, apply_on_commit):
    with override_settings(SEARCH_URL=f"opensearch+http://127.0.0.1:{_free_port()}"):
        reset_engines()
        try:
            page = apply_on_commit(add_article, section, "Echo guide", "echo")
            rows = list(IndexOutbox.objects.all())
            assert rows and all(r.attempts == 1 for r in rows)
            assert all("unreachable" in r.last_error or "Connection" in r.last_error for r in rows)
            stats = indexing.drain()  # not due yet: nothing is retried early
            assert stats["applied"] == 0
        finally:
            reset_engines()
    # Back on the database engine (which is up), the retry applies it.
    stats = indexing.drain(include_delayed=True)
    assert stats["applied"] >= 1
    assert found("echo") == [f"page:{page.pk}"]


def _marker(n: int) -> str:
    """A made-up word per reply (consonants only: no stemmer changes it)."""
    letters = "bcdfghjklmnpqrtvwxz"
    word = ""
    while True:
        n, rest = divmod(n, len(letters))
        word += letters[rest]
        if not n:
            return "qv" + word + "zk"


@pytest.mark.postgres
def test_every_late_reply_of_a_long_thread_is_found_at_its_permalink(poster):
    """A thread of 501 posts is far longer than one document holds: each of the 500
    replies is still found, and a reply beyond the thread document links to itself."""
    category = CategoryFactory(name="Modems", slug="modems")
    thread = create_thread(
        author=poster, category=category, title="Our fleet log", body="Question text."
    )
    filler = "The modem reconnected after the tower handover and kept its session. " * 2
    replies = [
        Post(
            thread=thread,
            number=n + 2,
            author=poster,
            body_markdown=f"Day {n}: {_marker(n)}. {filler}",
            body_html=f"<p>Day {n}: {_marker(n)}. {filler}</p>",
            moderation_state=PostState.APPROVED,
        )
        for n in range(500)
    ]
    Post.objects.bulk_create(replies)
    from search.registry import providers

    engine = get_engine()
    engine.rebuild(doc for p in providers() for doc in p.iter_documents())
    permalinks = {p.pk: p.get_absolute_url() for p in thread.posts.all()}
    found_at, missing = {}, []
    for n, post in enumerate(Post.objects.filter(thread=thread, number__gt=1).order_by("number")):
        hits = engine.search(
            SearchRequest(query=parse_query(_marker(n), prefix_last=False), audiences=PUBLIC)
        ).hits
        if not hits:
            missing.append(n)
            continue
        found_at[n] = hits[0].url
        assert hits[0].url in (thread.get_absolute_url(), permalinks[post.pk])
    assert missing == []
    assert len(found_at) == 500
    late = [url for url in found_at.values() if url != thread.get_absolute_url()]
    assert len(late) > 300  # most replies lie beyond the thread document's 20,000 characters


@pytest.mark.postgres
def test_a_section_with_text_of_its_own_is_found(home_page, apply_on_commit):
    """A docs folder's index page (a section with an intro) is searchable; a section that
    only lists its children is not (its title would crowd out its pages)."""
    with_text = ResourceIndexPage(
        title="Over-the-air updates",
        slug="ota",
        intro="<p>Cohorts roll a quokka release out to a group of devices.</p>",
    )
    apply_on_commit(home_page.add_child, instance=with_text)
    bare = ResourceIndexPage(title="Quokka listings", slug="quokka-listings")
    apply_on_commit(home_page.add_child, instance=bare)
    apply_on_commit(indexing.schedule_reindex, with_text)
    apply_on_commit(indexing.schedule_reindex, bare)
    assert found("quokka") == [f"page:{with_text.pk}"]


def _outbox_keys():
    return sorted(IndexOutbox.objects.values_list("provider", "key"))


def test_a_reply_writes_each_outbox_row_once(poster, staff_user, apply_on_commit):
    category = CategoryFactory(name="Once", slug="once")
    thread = apply_on_commit(
        create_thread, author=poster, category=category, title="Numbat sightings", body="numbat?"
    )
    assert _outbox_keys() == []  # applied by the task
    with transaction.atomic():
        reply = make_reply(staff_user, thread, body="Numbat answer.")
        accept_answer(thread=thread, post=reply, by=poster)  # saves the thread once more
        assert _outbox_keys() == [("forum", f"post:{reply.pk}"), ("forum", f"thread:{thread.pk}")]


def test_a_key_rolled_back_with_its_savepoint_is_written_again(poster, apply_on_commit):
    category = CategoryFactory(name="Savepoint", slug="savepoint")
    thread = apply_on_commit(
        create_thread, author=poster, category=category, title="Quokka sightings", body="quokka?"
    )
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            thread.save()
            assert _outbox_keys() == [("forum", f"thread:{thread.pk}")]
            raise RuntimeError("roll back the savepoint")
        assert _outbox_keys() == []
        thread.save()
        thread.save()
        assert _outbox_keys() == [("forum", f"thread:{thread.pk}")]


def test_a_drain_in_the_transaction_lets_a_later_change_write_again(poster, apply_on_commit):
    category = CategoryFactory(name="Drained", slug="drained")
    thread = apply_on_commit(
        create_thread, author=poster, category=category, title="Bandicoot sightings", body="b?"
    )
    with transaction.atomic():
        thread.save()
        indexing.drain()
        assert _outbox_keys() == []
        thread.save()
        assert _outbox_keys() == [("forum", f"thread:{thread.pk}")]


def test_no_service_calls_search_directly():
    """One trigger path: services save; the providers' signal receivers tell search."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        str(path.relative_to(root))
        for app in ("resourcecenter", "kb", "forum", "tiers")
        for path in (root / app).rglob("*.py")
        if "schedule_reindex" in path.read_text() or "schedule_keys" in path.read_text()
    )
    assert callers == [
        "forum/search_documents.py",
        "kb/search_documents.py",
        "tiers/search_documents.py",  # the postmortems' provider
        "tiers/signals.py",
    ]


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection when done
def test_a_reply_reaches_search_and_watchers_through_one_queued_task(
    poster, staff_user, django_capture_on_commit_callbacks
):
    """With the production queue a reply queues one task for its whole fan-out (its index rows
    are drained by it, not by a task of their own); the worker alone then puts the reply in
    the index and tells the thread's watchers."""
    from django.core.management import call_command

    from django_tasks_db.models import DBTaskResult

    from forum.models import Notification

    category = CategoryFactory(name="Fan-out", slug="fan-out")
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=tasks):
        with django_capture_on_commit_callbacks(execute=True):
            thread = create_thread(
                author=poster, category=category, title="Dingo modem", body="dingo?"
            )
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        DBTaskResult.objects.all().delete()
        assert not IndexOutbox.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            make_reply(staff_user, thread, body="Reset the kookaburra profile.")
        queued = list(DBTaskResult.objects.values_list("task_path", flat=True))
        assert queued == ["forum.tasks.announce_reply"]
        assert found("kookaburra") == []  # nothing done in the request
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert not IndexOutbox.objects.exists()
    assert found("kookaburra") == [f"thread:{thread.pk}"]
    assert Notification.objects.filter(recipient=poster).exists()
