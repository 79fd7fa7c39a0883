"""Editors really work in the Wagtail admin: create, edit, preview, publish, moderate, schedule
and browse revisions of every Resource Center page type, through the admin's own views.

The POST data is what the page editor sends (StreamField and formset form data), built with
Wagtail's test helpers, so these tests fail when a panel, block or field breaks the editor.
"""

import datetime
import json

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from kb.blocks import INLINE_FEATURES
from kb.models import ArticlePage, CodeSamplePage, ProductArea, ResourceIndexPage, VideoPage

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(superuser):
    return logged_in(superuser)


@pytest.fixture
def area(db):
    return ProductArea.objects.get_or_create(slug="sims", defaults={"name": "SIMs"})[0]


def code(language, source, filename=""):
    return {"language": language, "filename": filename, "code": source}


def body_blocks():
    """One of each block an editor is likely to use, as the editor's form sends them."""
    return streamfield(
        [
            ("paragraph", rich_text("<p>Have your <b>ICCID</b> ready.</p>")),
            ("heading", {"text": "Configure the APN", "level": "h2", "anchor": ""}),
            ("callout", {"kind": "tip", "title": "Roaming", "body": rich_text("<p>Cheap.</p>")}),
            (
                "steps",
                {
                    "steps": {
                        **{
                            str(i): {
                                "value": {"title": t, "body": rich_text("")},
                                "deleted": "",
                                "order": str(i),
                                "id": "",
                            }
                            for i, t in enumerate(["Insert the SIM", "Send AT+CGDCONT"])
                        },
                        "count": "2",
                    }
                },
            ),
            ("code", code("python", 'print("ok")\n', "check.py")),
            (
                "code_tabs",
                {
                    "title": "List SIMs",
                    "tabs": {
                        "0": {
                            "value": {"label": "", **code("bash", "curl https://api.example")},
                            "deleted": "",
                            "order": "0",
                            "id": "",
                        },
                        "1": {
                            "value": {"label": "Python 3", **code("python", "sims.list()")},
                            "deleted": "",
                            "order": "1",
                            "id": "",
                        },
                        "count": "2",
                    },
                },
            ),
            (
                "table",
                json.dumps(
                    {
                        "data": [["State", "Billed"], ["Active", "Yes"]],
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": "SIM states",
                        "table_header_choice": "row",
                    }
                ),
            ),
            (
                "rich_table",
                {
                    "caption": "AT commands",
                    "first_row_is_header": "on",
                    "rows": list_items(
                        [
                            list_items([cell("<p>Command</p>"), cell("<p>Use</p>")]),
                            list_items(
                                [
                                    cell("<p><code>AT+CGATT?</code></p>"),
                                    cell('<p>Attach <a href="https://x.io/a">state</a></p>'),
                                ]
                            ),
                        ]
                    ),
                },
            ),
            ("video", {"url": "https://youtu.be/dQw4w9WgXcQ", "title": "APN walkthrough"}),
        ]
    )


def cell(html):
    return rich_text(html, features=INLINE_FEATURES)


def list_items(values):
    """ListBlock form data (what the editor sends for a list of child blocks)."""
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i), "id": ""}
        for i, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def page_form(title, slug, area, **fields):
    data = {
        "title": title,
        "slug": slug,
        "seo_title": "",
        "search_description": "",
        "summary": f"What {title} explains.",
        "product_area": str(area.pk),
        "tags": "apn, modules",
        "last_reviewed": "2026-10-01",
        "body": body_blocks(),
        "comments": inline_formset([]),
        **fields,
    }
    return nested_form_data(data)


FORMS = {
    ArticlePage: {"kind": "tutorial", "difficulty": "intermediate"},
    CodeSamplePage: {"task": "Lists every SIM of the account."},
    VideoPage: {
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "duration": "00:04:30",
        "transcript": "Welcome. In this video we configure the APN.",
        "chapters": streamfield(
            [
                ("chapter", {"start": "00:00", "title": "Welcome"}),
                ("chapter", {"start": "01:30", "title": "AT commands"}),
            ]
        ),
    },
}


def add_url(model, parent):
    return reverse(
        "wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk]
    )


def errors_of(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors if form is not None else response.status_code)


@pytest.mark.parametrize("model", [ArticlePage, CodeSamplePage, VideoPage])
def test_create_preview_edit_and_publish_every_page_type(
    client, admin_client_, section, area, model
):
    slug = f"new-{model._meta.model_name}"
    data = page_form("APN on Quectel modules", slug, area, **FORMS[model])

    # the empty editor opens, and an unsaved page can be previewed
    assert admin_client_.get(add_url(model, section)).status_code == 200
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add",
        args=[model._meta.app_label, model._meta.model_name, section.pk],
    )
    answer = admin_client_.post(preview_url, data)
    assert answer.json() == {"is_valid": True, "is_available": True}
    preview = admin_client_.get(preview_url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "APN on Quectel modules" in html and 'id="configure-the-apn"' in html

    # save a draft: not public yet
    response = admin_client_.post(add_url(model, section), data)
    assert response.status_code == 302, errors_of(response)
    page = model.objects.get(slug=slug)
    assert not page.live
    assert client.get(f"{section.url}{slug}/").status_code == 404

    # edit and publish
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert admin_client_.get(edit_url).status_code == 200
    data["summary"] = "Edited in the admin."
    data["action-publish"] = "action-publish"
    response = admin_client_.post(edit_url, data)
    assert response.status_code == 302, errors_of(response)
    page = model.objects.get(pk=page.pk)
    assert page.live and page.summary == "Edited in the admin."
    assert page.product_area == area and sorted(t.name for t in page.tags.all()) == [
        "apn",
        "modules",
    ]
    assert page.last_reviewed == datetime.date(2026, 10, 1)
    assert [b.block_type for b in page.body] == [
        "paragraph",
        "heading",
        "callout",
        "steps",
        "code",
        "code_tabs",
        "table",
        "rich_table",
        "video",
    ]
    tabs = page.body[5].value["tabs"]
    assert [t["label"] for t in tabs] == ["", "Python 3"]

    public = client.get(page.url)
    assert public.status_code == 200
    html = public.content.decode()
    assert "Edited in the admin." in html and "Last reviewed" in html
    assert 'data-label="curl"' in html and 'data-label="Python 3"' in html
    assert "<caption>AT commands</caption>" in html
    assert "<code>AT+CGATT?</code>" in html and 'href="https://x.io/a"' in html
    if model is VideoPage:
        assert page.duration == datetime.timedelta(minutes=4, seconds=30)
        assert "AT commands" in html and "we configure the APN" in html
    if model is CodeSamplePage:
        assert "Lists every SIM of the account." in html

    # the page opens again in the editor after publishing (stored highlighting and all)
    assert admin_client_.get(edit_url).status_code == 200
    # and previewing unsaved changes on an existing page works too
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    data["summary"] = "Not saved yet."
    assert admin_client_.post(preview_url, data).json()["is_valid"] is True
    assert "Not saved yet." in admin_client_.get(preview_url).content.decode()
    assert "Not saved yet." not in client.get(page.url).content.decode()


def test_editor_shows_clear_errors(admin_client_, section, area):
    data = page_form("Broken", "broken", area, kind="nonsense", difficulty="beginner")
    data["last_reviewed"] = "31/31/2026"
    response = admin_client_.post(add_url(ArticlePage, section), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kind" in errors and "last_reviewed" in errors
    assert not ArticlePage.objects.filter(slug="broken").exists()

    video = page_form("Bad video", "bad-video", area, **{**FORMS[VideoPage]})
    video["video_url"] = "https://example.com/video.mp4"
    response = admin_client_.post(add_url(VideoPage, section), video)
    assert response.status_code == 200
    assert "YouTube" in str(response.context["form"].errors["video_url"])


def test_sections_are_created_in_the_editor(client, admin_client_, home_page):
    data = nested_form_data(
        {
            "title": "Webhooks",
            "slug": "webhooks",
            "seo_title": "",
            "search_description": "",
            "intro": rich_text("<p>Event delivery to your servers.</p>"),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["kb", "resourceindexpage", home_page.pk]
    )
    assert admin_client_.post(preview_url, data).json()["is_valid"] is True
    preview = admin_client_.get(preview_url)
    assert preview.status_code == 200
    assert "Event delivery to your servers." in preview.content.decode()

    response = admin_client_.post(add_url(ResourceIndexPage, home_page), data)
    assert response.status_code == 302, errors_of(response)
    section = ResourceIndexPage.objects.get(slug="webhooks")
    # and previewing the saved section with its listing works too
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[section.pk])
    assert admin_client_.post(preview_url, data).json()["is_valid"] is True
    assert admin_client_.get(preview_url).status_code == 200
    assert section.live
    assert "Event delivery to your servers." in client.get(section.url).content.decode()


@pytest.fixture
def writer(user_factory):
    """A member of Wagtail's Editors group: may edit, must submit for moderation."""
    user = user_factory(email="writer@example.com", display_name="Wren", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(user_factory):
    user = user_factory(email="mod@example.com", display_name="Mo", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_editor_submits_and_moderator_approves_in_the_admin(
    client, section, make_article, writer, moderator
):
    page = make_article(section, "Rotate keys", summary="Old summary.")
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    writer_client = logged_in(writer)
    form = writer_client.get(edit_url)
    assert form.status_code == 200
    assert b"action-publish" not in form.content  # editors cannot publish themselves
    data = page_form(
        "Rotate keys", page.slug, ProductArea.objects.get_or_create(slug="api", name="API")[0]
    )
    data.update({"kind": "guide", "difficulty": "beginner", "summary": "Reviewed summary."})
    data["action-submit"] = "action-submit"
    response = writer_client.post(edit_url, data)
    assert response.status_code == 302, errors_of(response)
    page = ArticlePage.objects.get(pk=page.pk)
    assert page.workflow_in_progress
    assert "Old summary." in client.get(page.url).content.decode()  # not live before approval

    # the moderator sees it on the dashboard and approves it from the admin
    mod_client = logged_in(moderator)
    assert "Rotate keys" in mod_client.get(reverse("wagtailadmin_home")).content.decode()
    task_state = page.current_workflow_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    response = mod_client.post(approve, {"comment": "Looks right."})
    assert response.status_code in (200, 302)
    page = ArticlePage.objects.get(pk=page.pk)
    assert not page.workflow_in_progress
    assert "Reviewed summary." in client.get(page.url).content.decode()


def test_moderator_can_reject_with_a_comment(client, section, make_article, writer, moderator):
    page = make_article(section, "Suspend a SIM", summary="Live summary.")
    page.summary = "Wrong summary."
    page.save_revision(user=writer)
    page.get_workflow().start(page, writer)
    task_state = ArticlePage.objects.get(pk=page.pk).current_workflow_task_state
    reject = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", task_state.pk])
    response = logged_in(moderator).post(reject, {"comment": "Step 3 is wrong."})
    assert response.status_code in (200, 302)
    task_state.refresh_from_db()
    assert task_state.status == "rejected"
    assert task_state.comment == "Step 3 is wrong."
    assert "Live summary." in client.get(page.url).content.decode()


def test_scheduled_publishing_from_the_editor(client, admin_client_, section, make_article, area):
    page = make_article(section, "Launch notes", live=False)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    go_live = timezone.localtime() + datetime.timedelta(days=2)
    data = page_form("Launch notes", page.slug, area, kind="guide", difficulty="beginner")
    data["go_live_at"] = go_live.strftime("%Y-%m-%d %H:%M")
    data["action-publish"] = "action-publish"
    response = admin_client_.post(edit_url, data)
    assert response.status_code == 302, errors_of(response)
    page = ArticlePage.objects.get(pk=page.pk)
    assert not page.live
    revision = page.get_latest_revision()
    assert revision.approved_go_live_at is not None
    assert client.get(f"{section.url}{page.slug}/").status_code == 404
    # the editor shows the schedule
    assert b"scheduled" in admin_client_.get(edit_url).content.lower()


def test_revisions_can_be_compared_and_reverted(client, admin_client_, section, make_article):
    page = make_article(section, "APN basics", summary="First summary.")
    first = page.get_latest_revision()
    page.summary = "Second summary."
    page.save_revision(user=None).publish()
    page = ArticlePage.objects.get(pk=page.pk)
    assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 2

    history = admin_client_.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert history.status_code == 200
    view = reverse("wagtailadmin_pages:revisions_view", args=[page.pk, first.pk])
    assert "First summary." in admin_client_.get(view).content.decode()
    compare = reverse(
        "wagtailadmin_pages:revisions_compare",
        args=[page.pk, first.pk, page.get_latest_revision().pk],
    )
    assert admin_client_.get(compare).status_code == 200
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, first.pk])
    assert admin_client_.get(revert).status_code == 200
    # reverting = publishing the old revision's content again
    first.as_object().save_revision().publish()
    assert "First summary." in client.get(page.url).content.decode()
    assert Page.objects.get(pk=page.pk).live
