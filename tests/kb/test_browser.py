"""Progressive enhancement in Chromium: code tabs, copy button, in-place feedback."""

import re

import pytest

from kb.models import ArticleFeedback, ArticlePage, CodeSamplePage, ResourceIndexPage

# Like the other browser tests: the `home_page` fixture puts back the Wagtail root after a
# flush, and post_migrate (run by the flush) the groups. serialized_rollback re-inserted groups
# that post_migrate had already re-created, and failed whenever another browser test ran first.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = {
    "title": "List your SIMs",
    "tabs": [
        {"language": "bash", "filename": "", "code": "curl https://api.example.com/v1/sims"},
        {"language": "python", "filename": "sims.py", "code": "print(client.sims.list())"},
        {"language": "java", "filename": "Sims.java", "code": "client.sims().list();"},
    ],
}


@pytest.fixture
def two_samples(home_page):
    section = home_page.add_child(instance=ResourceIndexPage(title="API", slug="api"))
    section.save_revision().publish()
    pages = []
    for n in (1, 2):
        sample = section.add_child(
            instance=CodeSamplePage(
                title=f"Sample {n}", slug=f"sample-{n}", body=[("code_tabs", TABS)]
            )
        )
        sample.save_revision().publish()
        pages.append(sample)
    article = section.add_child(
        instance=ArticlePage(
            title="Plain article",
            slug="plain",
            body=[("paragraph", "<p>Hello</p>")],
        )
    )
    article.save_revision().publish()
    return pages, article


def test_code_tabs_keyboard_and_remembered_language(live_server, page, two_samples):
    (first, second), _ = two_samples
    page.goto(live_server.url + first.url)
    tablist = page.get_by_role("tablist", name="List your SIMs")
    tabs = tablist.get_by_role("tab")
    assert tabs.all_inner_texts() == ["curl", "Python", "Java"]
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    assert page.locator(".code-tab-panel:visible").count() == 1
    # arrow keys move between tabs (roving tabindex) and select them
    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.textContent") == "Python"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert tabs.nth(2).get_attribute("aria-selected") == "true"  # wraps around
    tabs.nth(1).click()
    panel = page.get_by_role("tabpanel")
    assert "client.sims.list()" in panel.inner_text()
    # the choice is remembered on the next page
    page.goto(live_server.url + second.url)
    tabs = page.get_by_role("tab")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert page.console_errors == []


def test_copy_button_announces_copied(live_server, page, two_samples):
    (first, _), _ = two_samples
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + first.url)
    button = page.locator("[role=tabpanel]:visible button.copy-code")
    button.click()
    page.locator("#site-announcer").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "curl https://api.example.com/v1/sims"
    assert page.console_errors == []


def test_feedback_in_place_with_comment(live_server, page, two_samples):
    _, article = two_samples
    page.goto(live_server.url + article.url)
    page.get_by_text("Add a comment (optional)").click()
    page.get_by_label("How could we improve this page?").fill("Add a Java example")
    page.get_by_role("button", name="No", exact=True).click()
    status = page.locator("[data-feedback-status]")
    status.filter(has_text="Thanks for your feedback").wait_for()
    assert page.url.endswith(article.url)  # no navigation
    assert page.get_by_role("button", name="No", exact=True).get_attribute("aria-pressed") == "true"
    feedback = ArticleFeedback.objects.get(page=article)
    assert (feedback.helpful, feedback.comment) == (False, "Add a Java example")
    page.get_by_role("button", name="Yes", exact=True).click()
    status.filter(has_text=re.compile("updated")).wait_for()
    assert ArticleFeedback.objects.get(page=article).helpful is True
    assert page.console_errors == []


def test_without_javascript_everything_still_works(live_server, browser, two_samples):
    (first, _), article = two_samples
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + first.url)
        assert page.locator(".code-tab-panel:visible").count() == 3  # stacked
        assert page.locator("button.copy-code").count() == 0
        page.goto(live_server.url + article.url)
        page.get_by_role("button", name="Yes", exact=True).click()
        page.wait_for_load_state()
        assert "Thanks for your feedback" in page.locator("#feedback").inner_text()
        assert ArticleFeedback.objects.get(page=article).helpful is True
    finally:
        context.close()


@pytest.fixture
def long_pages(home_page):
    import datetime

    from kb.models import VideoPage
    from tests.kb.conftest import rich_body

    section = home_page.add_child(instance=ResourceIndexPage(title="Guides", slug="guides"))
    section.save_revision().publish()
    filler = [("paragraph", "<p>" + "Cellular modules need an APN. " * 40 + "</p>")] * 3
    body = rich_body()
    body = body[:2] + filler + body[2:5] + filler + body[5:]
    article = section.add_child(
        instance=ArticlePage(title="Configure the APN on a module", slug="apn", body=body)
    )
    article.save_revision().publish()
    video = section.add_child(
        instance=VideoPage(
            title="Portal tour",
            slug="tour",
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            duration=datetime.timedelta(minutes=3),
            chapters=[("chapter", {"start": "00:00", "title": "Welcome"})],
            transcript="Hello.\n\n" + "We open the portal. " * 200,
            body=rich_body(),
        )
    )
    video.save_revision().publish()
    return section, article, video


def test_copy_a_link_to_a_heading_and_the_contents_follow(live_server, page, long_pages):
    _, article, _ = long_pages
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + article.url)
    heading = page.locator("h3#check-it")
    heading.hover()
    heading.locator("a.heading-anchor").click()
    page.locator("#kb-announcer").filter(has_text="Link to this section copied").wait_for()
    expected = live_server.url + article.url + "#check-it"
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.url == expected
    # the table of contents marks the section being read
    toc_link = page.locator('nav.toc a[href="#check-it"]')
    page.wait_for_function(
        "document.querySelector('nav.toc a[href=\"#check-it\"]')"
        ".getAttribute('aria-current') === 'location'"
    )
    assert toc_link.get_attribute("aria-current") == "location"
    assert page.console_errors == []


def test_small_screens_never_scroll_sideways(live_server, browser, long_pages, two_samples):
    section, article, video = long_pages
    (sample, _), _ = two_samples
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        small = context.new_page()
        for url in ["/", section.url, article.url, video.url, sample.url]:
            small.goto(live_server.url + url)
            overflow = small.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (url, overflow)
        # one column: the contents come before the article text, full width
        small.goto(live_server.url + article.url)
        toc = small.locator("nav.toc").bounding_box()
        body = small.locator(".resource-body").bounding_box()
        assert toc["y"] < body["y"] and toc["width"] > 250
    finally:
        context.close()


def test_printing_shows_the_content_not_the_controls(live_server, page, long_pages, two_samples):
    (sample, _), _ = two_samples
    page.emulate_media(media="print")
    page.goto(live_server.url + sample.url)
    assert page.locator(".code-tab-panel:visible").count() == 3  # every language on paper
    assert page.locator(".code-tab-label:visible").count() == 3
    for hidden in ("#feedback", ".code-tablist", ".site-header", "button.copy-code"):
        assert page.locator(hidden).first.is_hidden(), hidden
    _, article, _ = long_pages
    page.goto(live_server.url + article.url)
    assert page.locator("h1").is_visible() and page.locator(".prose").first.is_visible()
    assert page.locator("nav.toc").is_hidden() and page.locator(".heading-anchor").first.is_hidden()
    assert page.console_errors == []


def test_editor_opens_and_saves_formatted_tables_tab_labels_and_heading_links(
    live_server, page, long_pages, superuser
):
    """The real page editor (Draftail, block forms) round-trips what the importer writes."""
    from django.test import Client

    _, article, video = long_pages
    target = video
    source = f'<p>See <a linktype="page" id="{target.pk}" anchor="check-it">the check</a>.</p>'
    page_obj = ArticlePage.objects.get(pk=article.pk)
    page_obj.body = [
        ("paragraph", source),
        (
            "rich_table",
            {
                "caption": "AT",
                "first_row_is_header": True,
                "first_col_is_header": False,
                "rows": [["Command", "Use"], ["<code>AT+CGATT?</code>", "<b>attach</b>"]],
            },
        ),
        (
            "code_tabs",
            {
                "title": "",
                "tabs": [{"label": "macOS", "language": "bash", "filename": "", "code": "ls"}],
            },
        ),
    ]
    page_obj.save_revision().publish()

    client = Client()
    client.force_login(superuser)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    page.get_by_text("Table (formatted cells)").first.wait_for()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{article.pk}/edit/"))
    page.get_by_text("has been updated").first.wait_for()
    saved = ArticlePage.objects.get(pk=article.pk)
    assert saved.get_latest_revision().user == superuser  # saved by the editor just now
    draft = saved.get_latest_revision_as_object()
    blocks_by_type = {block.block_type: block.value for block in draft.body}
    assert 'anchor="check-it"' in blocks_by_type["paragraph"].source
    cells = [[cell.source for cell in row] for row in blocks_by_type["rich_table"]["rows"]]
    assert "<code>AT+CGATT?</code>" in cells[1][0] and "<b>attach</b>" in cells[1][1]
    assert blocks_by_type["code_tabs"]["tabs"][0]["label"] == "macOS"
    assert page.console_errors == []
