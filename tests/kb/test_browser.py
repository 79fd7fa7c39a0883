"""Progressive enhancement in Chromium: code tabs, copy button, in-place feedback."""

import re

import pytest

from kb.models import ArticleFeedback, ArticlePage, CodeSamplePage, ResourceIndexPage

# serialized_rollback: each test gets back the rows migrations made (Wagtail root, groups).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

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
