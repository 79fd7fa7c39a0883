"""Resource Center page types: rendering, table of contents, navigation, badges, related."""

import datetime
import re

import pytest

from kb.models import ArticlePage, CodeSamplePage, VideoPage
from tests.kb.conftest import rich_body

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_article_page_renders_every_block(client, section, make_article, make_area):
    area = make_area("Connectivity")
    page = make_article(
        section,
        "Configure the APN",
        body=rich_body(),
        kind=ArticlePage.Kind.TUTORIAL,
        difficulty="intermediate",
        product_area=area,
        tags=["apn", "at-commands"],
    )
    body = html(client.get(page.url))
    # header: badges, summary, last reviewed
    assert "Tutorial</span>" in body
    assert "Intermediate" in body and "Connectivity" in body
    assert "What Configure the APN explains." in body
    assert '<time datetime="2026-10-01">1 Oct 2026</time>' in body  # the site's one date style
    # blocks
    assert "<b>ICCID</b>" in body
    assert 'role="note" aria-label="Warning: Roaming costs"' in body
    assert 'class="callout callout-warning"' in body
    assert '<ol class="steps">' in body and "Send AT+CGDCONT" in body
    assert '<span class="code-filename">activate.py</span>' in body
    assert "&lt;ok&gt;" in body and "<ok>" not in body  # code is escaped by Pygments
    assert 'class="k"' in body or 'class="kn"' in body  # highlighted
    assert body.count('class="code-tab-panel"') == 3
    assert 'data-label="curl"' in body and 'data-label="Python"' in body
    assert '<th scope="col">State</th>' in body and "<caption>SIM states</caption>" in body
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert 'title="APN walkthrough"' in body
    # tags link to the section listing
    assert f'href="{section.url}?tag=apn"' in body


def test_table_of_contents_matches_heading_ids(client, section, make_article):
    page = make_article(section, "APN", body=rich_body())
    body = html(client.get(page.url))
    toc = re.search(r'<nav class="toc".*?</nav>', body, re.S).group(0)
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors == ["configure-the-apn", "check-it", "configure-the-apn-2"]
    for anchor in anchors:
        assert f'id="{anchor}"' in body
    assert [h["level"] for h in ArticlePage.objects.get(pk=page.pk).headings] == [
        "h2",
        "h3",
        "h2",
    ]
    assert 'class="toc-h3"' in toc


def test_breadcrumbs_and_previous_next_follow_sibling_order(client, section, make_article):
    first = make_article(section, "First")
    draft = make_article(section, "Hidden draft", live=False)
    second = make_article(section, "Second")
    third = make_article(section, "Third")
    body = html(client.get(second.url))
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert "Resource Center" in crumbs and section.title in crumbs
    assert 'aria-current="page">Second<' in crumbs
    pager = re.search(r'<nav class="pager".*?</nav>', body, re.S).group(0)
    assert f'href="{first.url}" rel="prev"' in pager
    assert f'href="{third.url}" rel="next"' in pager
    assert draft.title not in pager
    first_body = html(client.get(first.url))
    assert 'rel="prev"' not in first_body
    assert 'rel="next"' in first_body  # the draft is skipped: next is Second
    assert second.url in re.search(r'<nav class="pager".*?</nav>', first_body, re.S).group(0)


def test_related_articles_share_tags_ordered_by_overlap(client, section, make_article):
    page = make_article(section, "Rotate API keys", tags=["api", "security", "keys"])
    best = make_article(section, "Scope API keys", tags=["api", "keys"])
    some = make_article(section, "Webhooks", tags=["api"])
    make_article(section, "Unrelated", tags=["sms"])
    body = html(client.get(page.url))
    related = re.search(r'<section class="related".*?</section>', body, re.S).group(0)
    assert related.index(best.title) < related.index(some.title)
    assert "Unrelated" not in related and "Rotate API keys" not in related


def test_code_sample_page(client, section, make_code_sample):
    page = make_code_sample(
        section, "List SIMs", task="Lists the SIMs of an account", body=rich_body()
    )
    body = html(client.get(page.url))
    assert "Code sample</span>" in body
    assert "Lists the SIMs of an account" in body
    assert "data-code-tabs" in body


def test_video_page_shows_embed_duration_chapters_and_transcript(client, section, make_video):
    page = make_video(
        section,
        "Activating SIMs in the portal",
        video_url="https://vimeo.com/76979871",
        duration=datetime.timedelta(minutes=12, seconds=5),
        chapters=[
            ("chapter", {"start": "00:00", "title": "Welcome"}),
            ("chapter", {"start": "03:10", "title": "Bulk activation"}),
        ],
        transcript="Hello and welcome.\n\nIn this video we activate SIMs.",
    )
    body = html(client.get(page.url))
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in body
    assert '<time datetime="PT0H12M5S">12:05</time>' in body
    assert "Bulk activation" in body and "03:10" in body
    assert '<details class="transcript-details"' in body
    assert "In this video we activate SIMs." in body
    assert "Video</span>" in body


def test_video_page_with_unknown_host_renders_a_link(client, section, make_video):
    page = make_video(section, "Elsewhere")
    # Saved before validation existed (editors cannot save such an address any more).
    VideoPage.objects.filter(pk=page.pk).update(video_url="https://example.com/video/1")
    body = html(client.get(page.url))
    assert "<iframe" not in body
    assert 'href="https://example.com/video/1"' in body


def test_video_page_rejects_unknown_video_urls_on_clean(section):
    from django.core.exceptions import ValidationError

    page = VideoPage(title="x", slug="x", video_url="https://example.com/v")
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert "video_url" in excinfo.value.message_dict


def test_overdue_review_is_flagged(client, section, make_article):
    page = make_article(section, "Old", last_reviewed=datetime.date(2020, 1, 1))
    assert "May be out of date" in html(client.get(page.url))


def test_kind_labels():
    assert ArticlePage(kind="api_key_guide").kind_label == "API key guide"
    assert CodeSamplePage().kind_label == "Code sample"
    assert VideoPage().kind_label == "Video"


def test_page_types_are_in_the_right_places(home_page, section):
    from kb.models import ResourceIndexPage

    assert ArticlePage.can_create_at(section)
    assert VideoPage.can_create_at(section)
    assert ResourceIndexPage.can_create_at(home_page)
    assert not ArticlePage.can_create_at(ArticlePage())


def test_heading_outline_never_skips_a_level(
    client, section, make_article, make_code_sample, make_video
):
    from tests.kb.conftest import skipped_heading_levels

    body = [("code_tabs", rich_body()[6][1])] + rich_body()  # tabs right after the title
    pages = [
        make_article(section, "Outline article", body=body, tags=["apn"]),
        make_code_sample(section, "Outline sample", body=body, task="Lists SIMs", tags=["apn"]),
        make_video(
            section,
            "Outline video",
            body=body,
            tags=["apn"],
            chapters=[("chapter", {"start": "00:00", "title": "Welcome"})],
            transcript="Hello.",
        ),
    ]
    for url in [section.url, "/"] + [page.url for page in pages]:
        page_html = html(client.get(url))
        assert "<h1" in page_html, url
        assert skipped_heading_levels(page_html) == [], url


def test_editors_cannot_save_a_heading_that_skips_a_level(section):
    from django.core.exceptions import ValidationError

    from kb.blocks import BaseStreamBlock

    stream = BaseStreamBlock()
    good = stream.to_python(
        [
            {"type": "heading", "value": {"text": "A", "level": "h2"}},
            {"type": "heading", "value": {"text": "B", "level": "h3"}},
            {"type": "heading", "value": {"text": "C", "level": "h4"}},
            {"type": "heading", "value": {"text": "D", "level": "h2"}},
        ]
    )
    stream.clean(good)
    bad = stream.to_python(
        [
            {"type": "heading", "value": {"text": "A", "level": "h3"}},
            {"type": "paragraph", "value": "<p>x</p>"},
            {"type": "heading", "value": {"text": "B", "level": "h2"}},
            {"type": "heading", "value": {"text": "C", "level": "h4"}},
        ]
    )
    with pytest.raises(ValidationError) as excinfo:
        stream.clean(bad)
    errors = excinfo.value.block_errors
    assert sorted(errors) == [0, 3]
    assert "use H2" in str(errors[0].block_errors["level"])
    assert "follows an H2: use H3" in str(errors[3].block_errors["level"])
