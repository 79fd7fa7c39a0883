"""The demo Resource Center: enough pages of every type, all rendering, loaded idempotently.

Loading the demo publishes about fifty pages, so each test loads it once and checks a lot.
"""

import io
import re

from django.core.management.color import no_style
from django.urls import reverse
from django.utils.html import escape

from wagtail.images import get_image_model
from wagtail.models import Page, PageLogEntry, Revision

import pytest

from kb import demo
from kb.blocks import BaseStreamBlock, heading_outline_errors
from kb.demo import DEMO_DOCS, PRODUCT_AREAS
from kb.models import ArticlePage, CodeSamplePage, ProductArea, ResourceIndexPage, VideoPage
from tests.kb.conftest import skipped_heading_levels

CONTENT_TYPES = (ArticlePage, CodeSamplePage, VideoPage)
# the demo docs tree: a folder per section, a Markdown file per page besides its index.md
SECTIONS = sorted(folder for folder in DEMO_DOCS.iterdir() if folder.is_dir())
PAGE_FILES = [f for folder in SECTIONS for f in folder.glob("*.md") if f.name != "index.md"]


def _load() -> str:
    out = io.StringIO()
    demo.load(out, no_style())
    return out.getvalue()


def _content_pages() -> list:
    return [page for model in CONTENT_TYPES for page in model.objects.live()]


@pytest.fixture
def demo_site(home_page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the generated diagram is written here
    output = _load()
    home_page.demo_output = output
    return home_page


def _block_usage(pages) -> tuple[set, set, set]:
    used_blocks, callout_kinds, languages = set(), set(), set()
    for page in pages:
        for block in page.body:
            used_blocks.add(block.block_type)
            if block.block_type == "callout":
                callout_kinds.add(block.value["kind"])
            elif block.block_type == "code":
                languages.add(block.value["language"])
            elif block.block_type == "code_tabs":
                languages.update(tab["language"] for tab in block.value["tabs"])
    return used_blocks, callout_kinds, languages


@pytest.mark.django_db
def test_demo_content_is_complete(demo_site):
    pages = _content_pages()
    total = len(PAGE_FILES)

    # At least thirty live pages of every type, in sections under the home page.
    assert len(pages) == total >= 30
    assert VideoPage.objects.live().count() >= 4
    assert CodeSamplePage.objects.live().count() >= 4
    kinds = set(ArticlePage.objects.live().values_list("kind", flat=True))
    assert kinds == {choice for choice, _ in ArticlePage.Kind.choices}
    assert ResourceIndexPage.objects.live().child_of(demo_site).count() == len(SECTIONS)
    assert demo_site.demo_output.startswith("Resource Center:")
    assert f"({len(SECTIONS) + total} created, 0 unchanged)" in demo_site.demo_output

    # Published properly, with every field a reader or a listing filter relies on.
    for page in pages:
        assert page.get_parent().specific_class is ResourceIndexPage
        assert page.live_revision_id == page.latest_revision_id is not None, page.slug
        assert page.has_unpublished_changes is False
        assert page.first_published_at <= page.last_published_at, page.slug
        assert page.summary and page.search_description == page.summary, page.slug
        assert page.product_area is not None, page.slug
        assert page.last_reviewed is not None, page.slug
        assert page.tags.count() >= 2, page.slug
        assert len(page.body) > 0, page.slug
    assert PageLogEntry.objects.filter(action="wagtail.publish").count() >= len(pages)
    assert ProductArea.objects.count() == len(PRODUCT_AREAS)
    reviewed = {page.last_reviewed for page in pages}
    assert len(reviewed) > 10  # varied review dates, some recent, some old

    # Every block type, including an image generated at load time.
    used_blocks, callout_kinds, languages = _block_usage(pages)
    # (the formatted-cells table comes from imported docs: see test_importer / test_blocks)
    assert used_blocks == set(BaseStreamBlock.base_blocks) - {"rich_table"}
    assert callout_kinds == {"info", "note", "tip", "warning", "danger"}
    assert {"bash", "python", "javascript", "java", "json", "at"} <= languages
    tables = [block.value for page in pages for block in page.body if block.block_type == "table"]
    assert all(table["table_caption"] for table in tables)  # captions label the table regions
    figures = [block.value for page in pages for block in page.body if block.block_type == "image"]
    for figure in figures:
        assert figure["alt_text"] and figure["caption"]
        with figure["image"].open_file() as file:
            assert file.read(8) == b"\x89PNG\r\n\x1a\n"

    # Articles have a table of contents; tags are shared so related articles can be found.
    assert all(page.headings for page in ArticlePage.objects.live())
    tag_use: dict[str, int] = {}
    for page in pages:
        for tag in page.tags.names():
            tag_use[tag] = tag_use.get(tag, 0) + 1
    assert sum(1 for count in tag_use.values() if count >= 3) >= 10

    # Code samples show one task in curl, Python, JavaScript and Java.
    for sample in CodeSamplePage.objects.live():
        assert sample.task, sample.slug
        tab_blocks = [block for block in sample.body if block.block_type == "code_tabs"]
        assert tab_blocks, sample.slug
        languages = [tab["language"] for tab in tab_blocks[0].value["tabs"]]
        assert languages == ["bash", "python", "javascript", "java"], sample.slug

    # Videos: YouTube address, duration, chapters and a full transcript.
    for video in VideoPage.objects.live():
        assert video.video_url.startswith("https://www.youtube.com/watch?v="), video.slug
        assert video.duration.total_seconds() > 60
        assert len(video.chapters) >= 3
        assert video.transcript.count("\n\n") >= 4, video.slug
        assert len(video.transcript.split()) >= 400, video.slug


@pytest.mark.django_db
def test_code_is_highlighted_when_saved(demo_site):
    sample = CodeSamplePage.objects.live().first()
    raw = sample.body.raw_data
    tabs = next(block for block in raw if block["type"] == "code_tabs")
    for tab in tabs["value"]["tabs"]:
        assert '<span class="' in tab["value"]["highlighted"]
    assert all(block.get("id") for block in raw)


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_keeps_editors_changes(demo_site):
    edited = ArticlePage.objects.live().get(slug="sim-lifecycle-states")
    edited.title = "SIM states (edited by an editor)"
    edited.save_revision().publish()
    page_count = Page.objects.count()
    revision_count = Revision.objects.count()
    image_count = get_image_model().objects.count()
    published = dict(Page.objects.values_list("pk", "last_published_at"))

    output = _load()

    assert Page.objects.count() == page_count
    assert Revision.objects.count() == revision_count
    assert get_image_model().objects.count() == image_count == 1
    assert dict(Page.objects.values_list("pk", "last_published_at")) == published
    assert "(0 created, " in output
    edited.refresh_from_db()
    assert edited.title == "SIM states (edited by an editor)"
    assert ArticlePage.objects.filter(slug="sim-lifecycle-states").count() == 1


def _internal_links(pages) -> set[str]:
    links = set()
    for page in pages:
        html = str(page.body) + "".join(str(block.value) for block in page.body)
        links.update(re.findall(r'href="(/[^"#]*)', html))
    return links


@pytest.mark.django_db
def test_internal_links_point_at_demo_pages_or_site_sections(demo_site):
    pages = _content_pages()
    page_urls = {page.url for page in [*pages, *ResourceIndexPage.objects.live()]}
    links = _internal_links(pages)
    assert len(links) >= 20
    broken = {
        link
        for link in links
        if link not in page_urls and not link.startswith(("/community/", "/support/"))
    }
    assert broken == set()


@pytest.mark.django_db
def test_every_demo_page_renders(client, demo_site):
    pages = [demo_site, *ResourceIndexPage.objects.live(), *_content_pages()]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert escape(page.title) in response.content.decode(), page.url
        # a clean outline: no skipped heading levels, and the body passes the editor's checks
        assert skipped_heading_levels(response.content.decode()) == [], page.url
        if hasattr(page, "body"):
            assert heading_outline_errors(page.body) == {}, page.url


@pytest.mark.django_db
def test_demo_pages_open_in_the_editor(client, demo_site, superuser):
    client.force_login(superuser)
    for page in [*ResourceIndexPage.objects.live(), *_content_pages()]:
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, page.url
