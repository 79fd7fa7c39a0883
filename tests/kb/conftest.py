"""Small builders for Resource Center pages, made in code (no fixtures files)."""

import datetime

from django.core.cache import cache

import pytest

from kb.models import ArticlePage, CodeSamplePage, ProductArea, ResourceIndexPage, VideoPage


@pytest.fixture(autouse=True)
def _clear_cache():
    """The feedback rate limit lives in the cache; every test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def make_section(home_page):
    def make(title="Getting started", parent=None, **fields):
        parent = parent or home_page
        section = parent.add_child(
            instance=ResourceIndexPage(title=title, intro=fields.pop("intro", ""), **fields)
        )
        return publish(section)

    return make


@pytest.fixture
def make_area(db):
    def make(name="SIMs", slug=None):
        return ProductArea.objects.get_or_create(
            slug=slug or name.lower().replace(" ", "-"), defaults={"name": name}
        )[0]

    return make


def _add(parent, model, title, tags=(), live=True, **fields):
    fields.setdefault("summary", f"What {title} explains.")
    fields.setdefault("last_reviewed", datetime.date(2026, 10, 1))
    page = model(title=title, live=live, **fields)
    parent.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
        page.save()
    if live:
        publish(page)
    return page


@pytest.fixture
def make_article():
    def make(parent, title="Activate a SIM", tags=(), live=True, **fields):
        return _add(parent, ArticlePage, title, tags, live, **fields)

    return make


@pytest.fixture
def make_code_sample():
    def make(parent, title="List SIMs", tags=(), live=True, **fields):
        return _add(parent, CodeSamplePage, title, tags, live, **fields)

    return make


@pytest.fixture
def make_video():
    def make(parent, title="Intro video", tags=(), live=True, **fields):
        fields.setdefault("video_url", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        return _add(parent, VideoPage, title, tags, live, **fields)

    return make


@pytest.fixture
def section(make_section):
    return make_section()


def rich_body():
    """A body with one block of every type (except image, which needs a file)."""
    return [
        ("paragraph", "<p>Before you start, have your <b>ICCID</b> ready.</p>"),
        ("heading", {"text": "Configure the APN", "level": "h2", "anchor": ""}),
        (
            "callout",
            {"kind": "warning", "title": "Roaming costs", "body": "<p>Check the tariff.</p>"},
        ),
        (
            "steps",
            {
                "steps": [
                    {"title": "Insert the SIM", "body": "<p>Power off first.</p>"},
                    {"title": "Send AT+CGDCONT", "body": ""},
                ]
            },
        ),
        ("heading", {"text": "Verify", "level": "h3", "anchor": "check-it"}),
        (
            "code",
            {
                "language": "python",
                "filename": "activate.py",
                "code": 'import requests\nprint("<ok>")\n',
            },
        ),
        (
            "code_tabs",
            {
                "title": "List SIMs",
                "tabs": [
                    {"language": "bash", "filename": "", "code": "curl https://api.example.com"},
                    {"language": "python", "filename": "", "code": "client.sims.list()"},
                    {"language": "javascript", "filename": "", "code": "await sims.list();"},
                ],
            },
        ),
        (
            "table",
            {
                "data": [["State", "Billed"], ["Active", "Yes"], ["Suspended", "No"]],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
                "table_caption": "SIM states",
            },
        ),
        ("video", {"url": "https://youtu.be/dQw4w9WgXcQ", "title": "APN walkthrough"}),
        ("heading", {"text": "Configure the APN", "level": "h2", "anchor": ""}),
    ]


def skipped_heading_levels(html: str) -> list[str]:
    """Headings in <main> that skip a level (an h4 right after an h2 ...): should be []."""
    import re

    main = re.search(r"<main\b.*?</main>", html, re.S)
    levels = re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", main.group(0) if main else "", re.S)
    problems, previous = [], 0
    for level, text in levels:
        if int(level) > previous + 1:
            problems.append(f"h{level} after h{previous}: {re.sub(r'<[^>]+>', '', text)[:40]}")
        previous = int(level)
    return problems
