"""What real docs trees taught the importer and its fidelity check, each on a small tree the
test builds: animated PNGs, tags in alt text, an author's "!!!" that is not an admonition, and a
check that renders pages without making image renditions or requesting a page twice."""

import textwrap
from pathlib import Path

from django.core.signals import request_started

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from kb.importer import import_docs
from kb.importer.check import run_check
from kb.models import ArticlePage


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def animated_png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    first = PILImage.new("RGB", (8, 6), (200, 0, 0))
    second = PILImage.new("RGB", (8, 6), (0, 0, 200))
    first.save(path, format="PNG", save_all=True, append_images=[second], duration=100, loop=0)


def still_png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", (8, 6), (0, 120, 0)).save(path, format="PNG")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


def test_an_animated_png_is_imported_as_a_still_and_its_page_is_kept(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "animation.md": """
                # Animation tutorial

                ![First chapter](_media/chapter.png)

                The strip lights up from left to right.
            """,
        },
    )
    animated_png(root / "_media" / "chapter.png")
    with PILImage.open(root / "_media" / "chapter.png") as source:
        assert source.is_animated  # the tree really holds an APNG
    report = import_docs(root)
    assert not report.skipped
    page = ArticlePage.objects.get(source_path="animation.md")
    images = [b["value"] for b in page.body.raw_data if b["type"] == "image"]
    assert [image["alt_text"] for image in images] == ["First chapter"]
    stored = get_image_model().objects.get(pk=images[0]["image"])
    with PILImage.open(stored.file.path) as picture:
        assert not getattr(picture, "is_animated", False)
        assert picture.getpixel((0, 0))[:3] == (200, 0, 0)  # the first frame
    assert report.image_refs == 1 and report.image_problems == []
    assert any("animated PNG" in w.message for w in report.warnings)


def test_a_picture_the_image_library_cannot_read_costs_only_the_picture(
    home_page, media, tmp_path, monkeypatch
):
    root = write(
        tmp_path / "docs",
        {"page.md": "# Page\n\n![Odd](odd.png)\n\nText that must survive.\n"},
    )
    still_png(root / "odd.png")
    Image = get_image_model()

    def unreadable(self):
        raise ValueError("format not supported")

    monkeypatch.setattr(Image, "_set_image_file_metadata", unreadable)
    report = import_docs(root)
    assert not report.skipped
    page = ArticlePage.objects.get(source_path="page.md")
    assert "Text that must survive." in str(page.body)
    assert [b["type"] for b in page.body.raw_data] == ["paragraph"]
    assert report.image_problems and "cannot read it" in report.image_problems[0][1]


def test_tags_in_alt_text_become_text(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "wiring.md": """
                # Wiring

                ![I<sup>2</sup>C GPIO configuration](https://example.org/i2c.jpg)

                ![CO<sub>2</sub> sensor](co2.png)
            """,
        },
    )
    still_png(root / "co2.png")
    import_docs(root)
    page = ArticlePage.objects.get(source_path="wiring.md")
    html = str(page.body)
    assert "I²C GPIO configuration (image)" in html
    assert "sup" not in html and "&lt;" not in html
    images = [b["value"] for b in page.body.raw_data if b["type"] == "image"]
    assert [image["alt_text"] for image in images] == ["CO₂ sensor"]


def check_site(tmp_path) -> Path:
    root = write(
        tmp_path / "docs",
        {
            "index.md": """
                # Start

                See [the guide](guide.md), [its setup part](guide.md#setup) and
                [the guide again](guide.md).

                ![Board](board.png)
            """,
            "guide.md": """
                # Guide

                **_!!! Don't flash the module while it is on mains power!!!_**

                ## Setup

                Back to [the start](index.md).

                ![Board](board.png)
            """,
        },
    )
    still_png(root / "board.png")
    return root


def test_the_check_makes_no_renditions_and_requests_each_page_once(home_page, media, tmp_path):
    report = import_docs(check_site(tmp_path))
    Rendition = get_image_model().get_rendition_model()
    requested = []

    def count(sender, environ, **kwargs):
        requested.append(environ["PATH_INFO"])

    request_started.connect(count)
    try:
        check = run_check(report)
    finally:
        request_started.disconnect(count)
    assert Rendition.objects.count() == 0
    assert check.pages == 2
    assert check.links_checked == 4 and check.links_broken == []
    # an author's shout is text MkDocs shows as written, not an admonition left over
    assert check.leftovers == []
    # each page is requested once; the links to them need no request of their own
    assert sorted(requested) == sorted({p.url for p in ArticlePage.objects.all()})


def test_the_check_still_renders_the_images_from_their_files(home_page, media, tmp_path, client):
    report = import_docs(check_site(tmp_path))
    page = ArticlePage.objects.get(source_path="guide.md")
    run_check(report)
    # outside the check, pages make their renditions as usual
    response = client.get(page.url)
    assert response.status_code == 200
    assert get_image_model().get_rendition_model().objects.count() >= 1


def test_an_admonition_without_a_space_after_the_marks(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "haspmota.md": """
                # HASPmota

                ### Attributes

                !!!note "New in v13.4, sizes can be expressed in percentage of the screen."

                Values in pixels can be expressed in percentage instead.

                !!!Careful!!! is an author's shout, not an admonition.
            """,
        },
    )
    import_docs(root)
    page = ArticlePage.objects.get(source_path="haspmota.md")
    callouts = [b["value"] for b in page.body.raw_data if b["type"] == "callout"]
    # a callout that is all title says it in its body
    assert [(c["kind"], c["body"]) for c in callouts] == [
        ("note", "<p>New in v13.4, sizes can be expressed in percentage of the screen.</p>")
    ]
    html = str(page.body)
    assert "Values in pixels" in html and "!!!note" not in html
    assert "!!!Careful!!! is an author" in html


def test_links_to_anchors_marked_in_a_table_go_to_that_part_of_the_page(home_page, media, tmp_path):
    root = write(
        tmp_path / "docs",
        {
            "commands.md": """
                # Commands

                ## Control

                Command|Description
                ---|---
                Power<a class="cmnd" id="power"></a>|Switch it; [blink](#blinkcount) first
                BlinkCount<a class="cmnd" id="blinkcount"></a>|How often [Power](#power) blinks

                ## Wi-Fi <a id="wifi-commands"></a>

                Nothing here yet.
            """,
            "start.md": """
                # Start

                Use [Power](commands.md#power) and [Wi-Fi](commands.md#wifi-commands).
            """,
        },
    )
    report = import_docs(root)
    assert not [w for w in report.warnings if "no heading with that anchor" in w.message]
    commands = ArticlePage.objects.get(source_path="commands.md")
    start = ArticlePage.objects.get(source_path="start.md")
    start_raw = "".join(str(b["value"]) for b in start.body.raw_data)
    assert f'id="{commands.pk}" anchor="control"' in start_raw
    assert f'id="{commands.pk}" anchor="wi-fi"' in start_raw
    table = next(b["value"] for b in commands.body.raw_data if b["type"] == "rich_table")
    cells = str(table)
    assert 'href="#control"' in cells and "cmnd" not in cells
