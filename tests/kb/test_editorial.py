"""Editors' side: the feedback report, product area snippets, drafts, workflow, scheduling."""

import datetime
import re
from unittest import mock

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest

from kb.models import ArticleFeedback, ArticlePage, ProductArea
from kb.wagtail_hooks import FeedbackReportMenuItem

pytestmark = pytest.mark.django_db

REPORT = "kb_feedback_report"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(user_factory):
    user = user_factory(email="editor@example.com", display_name="Eli", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))  # Wagtail's editors: edit every page
    return user


@pytest.fixture
def admin_only_user(user_factory):
    """May open the admin but edit no page."""
    user = user_factory(email="viewer@example.com")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def vote(page, yes=0, no=0, comments=()):
    for n in range(yes):
        ArticleFeedback.objects.create(page=page, session_key=f"y{page.pk}-{n}", helpful=True)
    for n in range(no):
        comment = comments[n] if n < len(comments) else ""
        ArticleFeedback.objects.create(
            page=page, session_key=f"n{page.pk}-{n}", helpful=False, comment=comment
        )


def test_report_lists_least_helpful_first(section, make_article, editor):
    mostly_bad = make_article(section, "Mostly bad")
    great = make_article(section, "Great")
    awful = make_article(section, "Awful")
    one_no = make_article(section, "One no")
    make_article(section, "Never rated")
    vote(mostly_bad, yes=1, no=3, comments=["Step 2 is wrong", "", "Outdated AT command"])
    vote(great, yes=2)
    vote(awful, no=4)
    vote(one_no, no=1)
    response = logged_in(editor).get(reverse(REPORT))
    assert response.status_code == 200
    body = response.content.decode()
    order = re.findall(r">\s*(Mostly bad|Great|Awful|One no|Never rated)\s*<", body)
    assert order == ["Awful", "One no", "Mostly bad", "Great"]
    assert re.search(r">\s*25%\s*<", body) and re.search(r">\s*100%\s*<", body)
    assert "No: Outdated AT command" in body and "No: Step 2 is wrong" in body
    assert reverse("wagtailadmin_pages:edit", args=[awful.pk]) in body


def test_report_exports_csv(section, make_article, editor):
    page = make_article(section, "Rated")
    vote(page, yes=1, no=1, comments=["Add a Java sample"])
    response = logged_in(editor).get(reverse(REPORT) + "?export=csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "Page,URL,Yes,No,Helpful (%),Latest comments" in content.splitlines()[0]
    assert "Rated" in content and ",1,1,50," in content and "No: Add a Java sample" in content


def test_report_needs_page_edit_permission(client, member, admin_only_user, editor):
    assert client.get(reverse(REPORT)).status_code == 302  # to the login page
    assert logged_in(member).get(reverse(REPORT)).status_code in (302, 403)
    assert logged_in(admin_only_user).get(reverse(REPORT)).status_code in (302, 403)
    assert logged_in(editor).get(reverse(REPORT)).status_code == 200


def test_report_menu_item_only_for_editors(admin_only_user, editor):
    item = FeedbackReportMenuItem("Article feedback", reverse(REPORT), name="article-feedback")
    request = RequestFactory().get("/admin/")
    request.user = admin_only_user
    assert not item.is_shown(request)
    request.user = editor
    assert item.is_shown(request)
    body = logged_in(editor).get("/admin/").content.decode()
    assert reverse(REPORT) in body


def test_product_areas_are_snippets_editors_manage(superuser):
    client = logged_in(superuser)
    index = reverse("wagtailsnippets_kb_productarea:list")
    assert client.get(index).status_code == 200
    response = client.post(
        reverse("wagtailsnippets_kb_productarea:add"),
        {"name": "Webhooks", "slug": "webhooks", "description": "Event delivery"},
    )
    assert response.status_code == 302
    assert ProductArea.objects.filter(slug="webhooks").exists()
    assert "Webhooks" in client.get(index).content.decode()


def test_a_draft_revision_is_not_public(client, section, make_article):
    page = make_article(section, "APN basics", summary="Published summary.")
    page.summary = "Draft summary."
    page.save_revision()
    body = client.get(page.url).content.decode()
    assert "Published summary." in body and "Draft summary." not in body
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.has_unpublished_changes
    page.get_latest_revision().publish()
    assert "Draft summary." in client.get(page.url).content.decode()


def test_a_new_draft_page_is_not_public(client, section, make_article):
    draft = make_article(section, "Coming soon", live=False)
    assert client.get(f"{section.url}coming-soon/").status_code == 404
    assert "Coming soon" not in client.get(section.url).content.decode()
    assert draft.pk


def test_scheduled_page_goes_live_only_when_due(client, section, make_article):
    page = make_article(section, "Launch notes", live=False)
    page.go_live_at = timezone.now() + datetime.timedelta(hours=2)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None
    call_command("publish_scheduled")
    assert client.get(f"{section.url}launch-notes/").status_code == 404
    # three hours later the scheduler (cron / worker) runs again
    later = timezone.now() + datetime.timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200


def test_default_workflow_moderates_an_article(client, section, make_article, editor, superuser):
    page = make_article(section, "Rotate keys", summary="Old summary.")
    workflow = page.get_workflow()
    assert workflow is not None and workflow.active
    page.summary = "Reviewed summary."
    page.save_revision(user=editor)
    state = workflow.start(page, editor)
    assert state.status == "in_progress"
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.workflow_in_progress
    assert "Old summary." in client.get(page.url).content.decode()
    task_state = page.current_workflow_task_state
    task_state.specific.approve(user=superuser)
    page = ArticlePage.objects.get(pk=page.pk)
    assert not page.workflow_in_progress
    assert "Reviewed summary." in client.get(page.url).content.decode()


def test_editors_can_open_the_article_editor(section, make_article, editor):
    page = make_article(section, "Edit me")
    client = logged_in(editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    add = reverse("wagtailadmin_pages:add", args=["kb", "articlepage", section.pk])
    assert client.get(add).status_code == 200


def test_expiry_takes_a_page_down_when_due(client, section, make_article):
    page = make_article(section, "Winter promo")
    page.expire_at = timezone.now() + datetime.timedelta(days=1)
    page.save_revision().publish()
    call_command("publish_scheduled")
    assert client.get(page.url).status_code == 200
    later = timezone.now() + datetime.timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live and page.expired
    assert client.get(f"{section.url}winter-promo/").status_code == 404
    assert "Winter promo" not in client.get(section.url).content.decode()


REVIEW = "kb_review_report"


def test_review_report_lists_pages_due_for_review(
    section, make_article, make_video, make_code_sample, editor, django_assert_max_num_queries
):
    today = timezone.localdate()
    make_article(section, "No review yet", last_reviewed=None)
    make_article(section, "Long overdue", last_reviewed=today - datetime.timedelta(days=800))
    make_video(section, "Overdue video", last_reviewed=today - datetime.timedelta(days=400))
    make_code_sample(section, "Due soon", last_reviewed=today - datetime.timedelta(days=350))
    make_article(section, "Fresh", last_reviewed=today - datetime.timedelta(days=30))
    client = logged_in(editor)
    response = client.get(reverse(REVIEW))
    assert response.status_code == 200
    body = response.content.decode()
    order = re.findall(r">\s*(No review yet|Long overdue|Overdue video|Due soon|Fresh)\s*<", body)
    assert order == ["No review yet", "Long overdue", "Overdue video", "Due soon"]
    assert "Overdue by 435 days" in body and "Due in 15 days" in body
    assert "Never reviewed" in body and re.search(r">\s*Never\s*<", body)
    assert re.search(r">\s*Video\s*<", body)
    assert re.search(r">\s*Code sample\s*<", body)

    csv = b"".join(client.get(reverse(REVIEW) + "?export=csv").streaming_content).decode()
    assert csv.splitlines()[0] == "Page,URL,Kind,Last reviewed,Status"
    assert "Long overdue" in csv and "Fresh" not in csv

    # bounded: more pages, same number of queries
    client.get(reverse(REVIEW))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse(REVIEW))
    for n in range(10):
        make_article(section, f"Old {n}", last_reviewed=today - datetime.timedelta(days=500))
    with django_assert_max_num_queries(len(ctx)):
        client.get(reverse(REVIEW))


def test_review_report_is_for_editors_only(client, member, admin_only_user, editor):
    assert client.get(reverse(REVIEW)).status_code == 302
    assert logged_in(member).get(reverse(REVIEW)).status_code in (302, 403)
    assert logged_in(admin_only_user).get(reverse(REVIEW)).status_code in (302, 403)
    assert reverse(REVIEW) in logged_in(editor).get("/admin/").content.decode()


@pytest.fixture
def moderator(user_factory):
    user = user_factory(email="mod@example.com", display_name="Mo", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))  # may publish
    return user


def mark(client, page):
    return client.post(
        reverse("kb_mark_reviewed", args=[page.pk]), {"next": reverse(REVIEW)}, follow=True
    )


def test_mark_reviewed_publishes_the_date_for_publishers(client, section, make_article, moderator):
    old = timezone.localdate() - datetime.timedelta(days=500)
    page = make_article(section, "Suspend a SIM", last_reviewed=old)
    mod = logged_in(moderator)
    body = mod.get(reverse(REVIEW)).content.decode()
    assert "Mark reviewed today" in body and "Suspend a SIM" in body

    response = mark(mod, page)
    assert response.redirect_chain[-1][0] == reverse(REVIEW)
    text = response.content.decode()
    assert "marked as reviewed on" in text
    assert "Suspend a SIM" not in mod.get(reverse(REVIEW)).content.decode()  # off the list
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.last_reviewed == timezone.localdate() and not page.has_unpublished_changes
    assert page.get_latest_revision().user == moderator
    today = timezone.localdate()
    assert f'<time datetime="{today:%Y-%m-%d}">' in client.get(page.url).content.decode()


def test_mark_reviewed_never_publishes_drafts_or_skips_moderation(
    client, section, make_article, editor, moderator
):
    old = timezone.localdate() - datetime.timedelta(days=500)
    # an editor without publish permission: the date waits in a draft
    page = make_article(section, "APN basics", last_reviewed=old)
    response = mark(logged_in(editor), page)
    assert "saved in a draft" in response.content.decode()
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.last_reviewed == old and page.has_unpublished_changes
    assert page.get_latest_revision_as_object().last_reviewed == timezone.localdate()

    # someone's unpublished changes are not published by marking the page reviewed
    other = make_article(section, "Roaming", last_reviewed=old, summary="Live summary.")
    other.summary = "Draft summary."
    other.save_revision()
    response = mark(logged_in(moderator), other)
    assert "unpublished changes" in response.content.decode()
    other = ArticlePage.objects.get(pk=other.pk)
    draft = other.get_latest_revision_as_object()
    assert (draft.summary, draft.last_reviewed) == ("Draft summary.", timezone.localdate())
    assert "Live summary." in client.get(other.url).content.decode()


def test_mark_reviewed_needs_edit_permission_and_post(
    client, section, make_article, member, admin_only_user
):
    old = timezone.localdate() - datetime.timedelta(days=500)
    page = make_article(section, "Locked", last_reviewed=old)
    url = reverse("kb_mark_reviewed", args=[page.pk])
    assert client.post(url).status_code == 302  # to the login page
    assert logged_in(member).post(url).status_code in (302, 403)
    response = mark(logged_in(admin_only_user), page)
    assert "You may not edit" in response.content.decode()
    assert logged_in(admin_only_user).get(url).status_code == 405
    page.refresh_from_db()
    assert page.last_reviewed == old and page.revisions.count() == 1


def test_the_worker_publishes_scheduled_pages_on_time(
    client, section, make_article, settings, django_capture_on_commit_callbacks
):
    """No cron needed: scheduling queues the publishing task for the go-live time."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = make_article(section, "Launch day", live=False)
    go_live = timezone.now() + datetime.timedelta(hours=2)
    page.go_live_at = go_live
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    job = DBTaskResult.objects.get(task_path="kb.tasks.publish_due_pages")
    assert job.run_after == go_live + datetime.timedelta(seconds=1)

    def work():
        """What `db_worker` does with the tasks that are ready now (run in-process: the real
        worker closes the database connection, which a test transaction cannot survive)."""
        for result in DBTaskResult.objects.ready().filter(task_path=job.task_path):
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            result.delete()

    work()  # too early: the task waits
    page.refresh_from_db()
    assert not page.live and DBTaskResult.objects.filter(pk=job.pk).exists()
    later = go_live + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        work()
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200

    # an expiry date queues the task that takes the page down
    page.go_live_at = None
    page.expire_at = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    runs = DBTaskResult.objects.filter(task_path="kb.tasks.publish_due_pages")
    assert sorted(r.run_after for r in runs)[-1] == page.expire_at + datetime.timedelta(seconds=1)


def test_report_filters_by_recent_votes_and_section(section, make_section, make_article, editor):
    fixed = make_article(section, "Fixed page")
    vote(fixed, yes=1, no=3, comments=["Old complaint"])
    long_ago = timezone.now() - datetime.timedelta(days=90)
    ArticleFeedback.objects.filter(page=fixed).update(updated_at=long_ago)
    for n in range(2):  # after the fix
        ArticleFeedback.objects.create(page=fixed, session_key=f"new-{n}", helpful=True)
    other_section = make_section("Other")
    other = make_article(other_section, "Other page")
    vote(other, no=1)
    client = logged_in(editor)

    everything = client.get(reverse(REPORT)).content.decode()
    assert "Fixed page" in everything and "Other page" in everything
    assert re.search(r">\s*50%\s*<", everything)  # all time: 3 yes, 3 no

    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    recent = client.get(reverse(REPORT) + f"?since={since}").content.decode()
    assert re.search(r">\s*100%\s*<", recent)  # only the two recent yes votes count
    assert "Old complaint" not in recent

    only_other = client.get(reverse(REPORT) + f"?section={other_section.pk}").content.decode()
    assert "Other page" in only_other and "Fixed page" not in only_other
