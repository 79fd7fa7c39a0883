"""The docs importer on the markup real trees write that the documented syntax does not cover:
one-line MkDocs admonitions, escaped tags, harmless inline HTML, check/cross icons and
`unlisted` pages. Each test builds a small tree in its tmp folder."""

import textwrap
from pathlib import Path

import pytest

from kb.importer import import_docs
from kb.importer.check import LEFTOVER_PATTERNS
from kb.importer.mdx import mkdocs_admonition_head
from kb.models import ArticlePage, ResourceIndexPage
from kb.search_documents import build_document


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def blocks(page) -> list[tuple[str, dict | str]]:
    return [(block.block_type, block.value) for block in page.body]


def page_text(page) -> str:
    return "".join(str(block.render()) for block in page.body)


def leftovers(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for code in soup.select("code, pre"):
        code.decompose()
    text = soup.get_text(" ")
    return [kind for kind, pattern in LEFTOVER_PATTERNS.items() if pattern.search(text)]


@pytest.mark.parametrize(
    ("rest", "has_body", "expected"),
    [
        ('tip "Title"', True, ("tip", "Title", "")),
        ("tip Don't forget your WiFi.", False, ("tip", "", "Don't forget your WiFi.")),
        ("example of following redirects", True, ("example", "Example of following redirects", "")),
        (
            'failure "Security notice" Keep keys safe.',
            False,
            ("failure", "Security notice", "Keep keys safe."),
        ),
        (
            'info "Add a "Modbus bridge" to a device"',
            False,
            ("info", 'Add a "Modbus bridge" to a device', ""),
        ),
        (
            'warning "This mode is not possible.""',
            True,
            ("warning", "This mode is not possible.", ""),
        ),
        ("There are a number of issues", True, (None, "", "There are a number of issues")),
        ("i2c example", False, (None, "", "i2c example")),
        ("note", True, ("note", "", "")),
        ("warning: gpio 34 is input only.", False, ("warning", "", "gpio 34 is input only.")),
    ],
)
def test_mkdocs_admonition_lines_in_every_form_real_trees_use(rest, has_body, expected):
    assert mkdocs_admonition_head(rest, has_body=has_body) == expected


def test_one_line_admonitions_become_callouts_not_text(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "page.md": """
            # Page

            !!! tip Don't forget your WiFi settings.

            !!! example of downloading a file

                ```python
                print(1)
                ```

            !!! There are a number of [reported](https://example.com/i) issues with the stock
                firmware, so use another server.

            !!! failure "Security notice" Keep the CA key offline.
                Always.

            ??? warning "This mode is not possible with **Zigbee2MQTT**.""

            Plain text after.
            """,
        },
    )
    report = import_docs(root)
    page = ArticlePage.objects.get(source_path="page.md")
    callouts = [
        (v["kind"], v["title"], v["body"].source) for t, v in blocks(page) if t == "callout"
    ]
    assert callouts[0] == ("tip", "", "<p>Don't forget your WiFi settings.</p>")
    # all title and code: the title is said in the box, the code follows it
    assert callouts[1] == ("info", "", "<p>Example of downloading a file</p>")
    assert callouts[2][0] == "note" and "There are a number of" in callouts[2][2]
    assert "firmware, so use another server." in callouts[2][2]
    assert '<a href="https://example.com/i">reported</a>' in callouts[2][2]
    assert callouts[3] == ("danger", "Security notice", "<p>Keep the CA key offline. Always.</p>")
    assert callouts[4][:2] == ("warning", "")  # a title too long for a title: the body
    assert "Zigbee2MQTT" in callouts[4][2]
    code = [v for t, v in blocks(page) if t == "code"]
    assert [c["code"] for c in code] == ["print(1)"]
    assert leftovers(page_text(page)) == []
    assert any("'!!!' names no admonition type" in str(w) for w in report.warnings)


def test_escaped_tags_are_code_and_inline_html_is_kept_as_text(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "page.md": r"""
            # Page

            Force elements not in extra \<div\> and \</div> at the end; keep `\<code\>` as is.
            A \<hex-value\> placeholder. Write "&lt;img src="/wc.jpg" alt="cam" >" or
            "&&lt;br>&lt;center>stream" in the script. Send Bearer &lt;key> as is.

            Water in m<sup>3</sup>, CO<sub>2</sub>, press <kbd>Ctrl</kbd>+<kbd>C</kbd>,<br>next
            line <small>small print</small> and <u>underlined</u> <mark>marked</mark>.

            | Option | Meaning |
            |--------|---------|
            | `so3` | buffer \<size\><BR>second line, 10<sup>-6</sup> |
            """,
        },
    )
    import_docs(root)
    page = ArticlePage.objects.get(source_path="page.md")
    html = page_text(page)
    assert "<code>&lt;div&gt;</code>" in html and "<code>&lt;/div&gt;</code>" in html
    assert r"<code>\&lt;code\&gt;</code>" in html  # inside code nothing changes
    assert '<code>&lt;img src="/wc.jpg" alt="cam" &gt;</code>' in html
    assert "&amp;<code>&lt;br&gt;&lt;center&gt;</code>stream" in html
    assert "Bearer &lt;key&gt; as is" in html  # a placeholder, not a tag: text
    assert "m<sup>3</sup>" not in html  # rich text cannot hold <sup>: shown as Unicode
    assert "m³" in html and "CO₂" in html and "10⁻⁶" in html
    assert "<code>Ctrl</code>+<code>C</code>" in html
    assert "small print" in html and "underlined" in html and "marked" in html
    assert leftovers(html) == []


def test_check_and_cross_icons_become_text_a_screen_reader_says(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "compare.mdx": """
            import Check from '@site/src/components/Check';
            import { IconX } from '@tabler/icons-react';

            # Plans

            | Feature | Free | Paid |
            |---------|------|------|
            | Tickets | <IconX /> | <Check /> |
            | Phone | :x: | :white_check_mark: |
            | SLA | :material-close: | :octicons-check-16: |

            <CheckIcon />

            Runs on :material-linux: Linux, time 10:30:45, see http://a.example/x:y:
            """,
        },
    )
    report = import_docs(root)
    page = ArticlePage.objects.get(source_path="compare.mdx")
    table = next(v for t, v in blocks(page) if t in ("table", "rich_table"))
    rows = table["data"] if "data" in table else table["rows"]
    assert [list(row[1:]) for row in rows[1:]] == [["✗ No", "✓ Yes"]] * 3
    html = page_text(page)
    assert "✓ Yes" in html.split("</table>")[-1]  # the icon on a line of its own
    assert ":material-linux:" not in html and "Runs on  Linux" not in html
    assert "10:30:45" in html and "x:y:" in html
    assert leftovers(html) == []
    assert not any("unknown component <Check" in str(w) for w in report.warnings)
    assert any("icon ':material-linux:' dropped" in str(w) for w in report.warnings)


def test_unlisted_pages_are_reachable_but_not_listed(home_page, media, tmp_path, client):
    root = write(
        tmp_path / "docs",
        {
            "guides/listed.md": "# Listed guide\n\nIn the listing.\n",
            "guides/hidden.md": "---\nunlisted: true\n---\n# Hidden guide\n\nBy address.\n",
            "guides/zlast.md": "# Zulu guide\n\nAlso listed.\n",
        },
    )
    import_docs(root)
    hidden = ArticlePage.objects.get(source_path="guides/hidden.md")
    listed = ArticlePage.objects.get(source_path="guides/listed.md")
    assert hidden.unlisted and hidden.live and not listed.unlisted
    section = ResourceIndexPage.objects.get(source_path="guides/")

    listing = client.get(section.url).content.decode()
    assert "Listed guide" in listing and "Hidden guide" not in listing
    page = client.get(hidden.url)
    assert page.status_code == 200 and b'<meta name="robots" content="noindex">' in page.content
    assert b"Hidden guide" not in client.get(listed.url).content  # no previous/next link
    assert hidden.url not in client.get("/sitemap.xml").content.decode()
    assert listed.full_url in client.get("/sitemap.xml").content.decode()
    assert build_document(hidden) is None and build_document(listed) is not None

    (root / "guides/hidden.md").write_text("# Hidden guide\n\nBy address.\n")
    report = import_docs(root)  # no longer unlisted: listed again
    assert [r.source for r in report.updated] == ["guides/hidden.md"]
    assert "Hidden guide" in client.get(section.url).content.decode()
