"""StreamField blocks: stored highlighting, anchors, callouts, tables, images, video URLs."""

import json

from django.db import connection

import pytest

from kb.blocks import (
    BaseStreamBlock,
    CalloutBlock,
    CodeBlock,
    HeadingBlock,
    ImageBlock,
    VideoEmbedBlock,
)
from kb.highlighting import highlight_code, normalise_language
from kb.models import ArticlePage
from kb.video import parse_video_url, video_embed_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s", ("youtube", "dQw4w9WgXcQ")),
        ("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", ("youtube", "dQw4w9WgXcQ")),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("http://vimeo.com/76979871", ("vimeo", "76979871")),
        ("https://vimeo.com/channels/staffpicks/76979871", ("vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871?h=1", ("vimeo", "76979871")),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://www.youtube.com/watch", None),
        ("https://youtu.be/", None),
        ("https://evil.example/watch?v=dQw4w9WgXcQ", None),
        ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", None),
        ("javascript:alert(1)//youtu.be/dQw4w9WgXcQ", None),
        ("https://vimeo.com/about", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_video_url(url, expected):
    assert parse_video_url(url) == expected


def test_video_embed_urls_are_privacy_friendly():
    assert (
        video_embed_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert video_embed_url("https://vimeo.com/76979871") == (
        "https://player.vimeo.com/video/76979871?dnt=1"
    )


def test_video_block_renders_iframe_or_a_plain_link():
    block = VideoEmbedBlock()
    good = block.render(block.to_python({"url": "https://youtu.be/dQw4w9WgXcQ", "title": "Demo"}))
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in good
    assert 'title="Demo"' in good and 'loading="lazy"' in good
    bad = block.render(block.to_python({"url": "https://example.com/x", "title": "Elsewhere"}))
    assert "<iframe" not in bad
    assert '<a href="https://example.com/x">Elsewhere</a>' in bad


def test_video_block_rejects_unknown_hosts():
    from django.core.exceptions import ValidationError

    block = VideoEmbedBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"url": "https://example.com/x", "title": "x"}))
    assert block.clean(block.to_python({"url": "https://youtu.be/dQw4w9WgXcQ", "title": "x"}))


def test_code_is_highlighted_when_saved_and_stored(section, make_article):
    page = make_article(
        section,
        "Code",
        body=[("code", {"language": "python", "filename": "a.py", "code": "def f():\n    pass\n"})],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM kb_articlepage WHERE page_ptr_id = %s", [page.pk])
        raw = cursor.fetchone()[0]
    stored = json.loads(raw) if isinstance(raw, str) else raw
    highlighted = stored[0]["value"]["highlighted"]
    assert '<span class="k">def</span>' in highlighted
    # Rendering uses the stored HTML (not re-highlighting): prove it by tampering with it.
    stored[0]["value"]["highlighted"] = '<span class="marker">stored</span>'
    ArticlePage.objects.filter(pk=page.pk).update(body=json.dumps(stored))
    fresh = ArticlePage.objects.get(pk=page.pk)
    assert '<span class="marker">stored</span>' in fresh.body.render_as_block()


def test_code_block_falls_back_to_highlighting_when_nothing_is_stored():
    block = CodeBlock()
    html = block.render(block.to_python({"language": "json", "filename": "", "code": '{"a": 1}'}))
    assert 'data-language="json"' in html
    assert '<span class="nt">"a"</span>' in html
    assert "data-code-block" in html


def test_code_escapes_html_and_unknown_languages_fall_back_to_text():
    assert "&lt;script&gt;" in highlight_code("<script>", "nonsense")
    assert normalise_language("PY") == "python"
    assert normalise_language("curl") == "bash"
    assert normalise_language("cobol") == "text"


def test_heading_anchor_from_text_or_explicit():
    block = HeadingBlock()
    html = block.render(block.to_python({"text": "SIM states & costs", "level": "h3"}))
    assert '<h3 id="sim-states-costs"' in html
    assert 'href="#sim-states-costs"' in html
    html = block.render(block.to_python({"text": "x", "level": "h2", "anchor": "My Anchor"}))
    assert '<h2 id="my-anchor"' in html


@pytest.mark.parametrize("kind", ["info", "note", "tip", "warning", "danger"])
def test_callout_names_its_kind_in_text(kind):
    block = CalloutBlock()
    html = block.render(block.to_python({"kind": kind, "title": "", "body": "<p>Body</p>"}))
    label = kind.capitalize()
    assert f'class="callout callout-{kind}"' in html
    assert f'role="note" aria-label="{label}"' in html
    assert f'<span class="callout-kind">{label}</span>' in html


def test_table_with_and_without_header_row():
    stream = BaseStreamBlock()
    table = stream.child_blocks["table"]
    with_header = table.render(
        {"data": [["A", "B"], ["1", "2"]], "first_row_is_table_header": True}
    )
    assert "<thead>" in with_header and '<th scope="col">A</th>' in with_header
    assert "<td>1</td>" in with_header
    without = table.render({"data": [["A", "B"], ["1", "2"]], "first_row_is_table_header": False})
    assert "<thead>" not in without and "<td>A</td>" in without
    first_col = table.render(
        {
            "data": [["h", "x"], ["r1", "1"]],
            "first_row_is_table_header": True,
            "first_col_is_header": True,
        }
    )
    assert '<th scope="row">r1</th>' in first_col


def test_steps_are_a_numbered_list():
    stream = BaseStreamBlock()
    steps = stream.child_blocks["steps"]
    html = steps.render(
        steps.to_python({"steps": [{"title": "One", "body": ""}, {"title": "Two", "body": ""}]})
    )
    assert html.count('<li class="step">') == 2
    assert '<ol class="steps">' in html


def test_code_tabs_label_curl_and_languages():
    stream = BaseStreamBlock()
    tabs = stream.child_blocks["code_tabs"]
    html = tabs.render(
        tabs.to_python(
            {
                "title": "Create a key",
                "tabs": [
                    {"language": "bash", "filename": "", "code": "curl -X POST https://x"},
                    {"language": "bash", "filename": "", "code": "export KEY=1"},
                    {"language": "java", "filename": "Main.java", "code": "class Main {}"},
                ],
            }
        )
    )
    assert 'data-label="curl"' in html
    assert 'data-label="Shell"' in html
    assert 'data-label="Java"' in html and 'data-language="java"' in html
    # Without JS every panel is visible and named by its label.
    assert "hidden" not in html
    assert html.count('<p class="code-tab-label">') == 3  # named, but not in the outline


def test_image_block_with_alt_text_and_caption():
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Router front", file=get_test_image_file())
    block = ImageBlock()
    html = block.render(
        block.to_python({"image": image.pk, "alt_text": "The router's LEDs", "caption": "LEDs"})
    )
    assert 'alt="The router&#x27;s LEDs"' in html
    assert "<figcaption>LEDs</figcaption>" in html
    decorative = block.render(block.to_python({"image": image.pk, "alt_text": "", "caption": ""}))
    assert 'alt="Router front"' in decorative


def test_code_tabs_use_the_editors_labels_and_remember_by_them():
    tabs = BaseStreamBlock().child_blocks["code_tabs"]
    html = tabs.render(
        tabs.to_python(
            {
                "title": "",
                "tabs": [
                    {"label": "macOS", "language": "bash", "filename": "", "code": "brew i x"},
                    {"label": "Linux", "language": "bash", "filename": "", "code": "apt i x"},
                    {"label": "Python", "language": "python", "filename": "", "code": "x()"},
                    {"label": "", "language": "java", "filename": "", "code": "x();"},
                ],
            }
        )
    )
    assert 'data-language="macos" data-label="macOS"' in html
    assert 'data-language="linux" data-label="Linux"' in html
    # a label that only names the language keeps the language as the remembered choice
    assert 'data-language="python" data-label="Python"' in html
    assert 'data-language="java" data-label="Java"' in html


def test_rich_table_keeps_inline_formatting_and_escapes_the_rest(section, make_article):
    rows = [
        ["Command", "<b>Meaning</b>"],
        ["<code>AT+CGDCONT?</code>", 'Shows the <a href="https://x.io/apn">APN</a>'],
        ["<i>short</i>"],  # short rows are padded
    ]
    page = make_article(
        section,
        "AT reference",
        body=[
            (
                "rich_table",
                {
                    "caption": "AT commands",
                    "first_row_is_header": True,
                    "first_col_is_header": True,
                    "rows": rows,
                },
            ),
            ("paragraph", "<p>After.</p>"),
        ],
    )
    page = ArticlePage.objects.get(pk=page.pk)
    html = page.body[0].render()
    assert "<caption>AT commands</caption>" in html
    assert '<th scope="col"><b>Meaning</b></th>' in html
    assert '<th scope="row"><code>AT+CGDCONT?</code></th>' in html
    assert '<td>Shows the <a href="https://x.io/apn">APN</a></td>' in html
    assert '<th scope="row"><i>short</i></th><td></td>' in html
    assert 'role="region" aria-label="AT commands" tabindex="0"' in html

    # rich text cells are rich text: an editor's saved <script> never survives the editor's
    # converter, and the block only allows inline features
    cell_block = BaseStreamBlock().child_blocks["rich_table"].child_blocks["rows"].child_block
    features = cell_block.child_block.features
    assert set(features) == {"bold", "italic", "code", "link"}
