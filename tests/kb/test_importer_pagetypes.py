"""The docs importer's own constructs for the Resource Center's page types and blocks: code
samples, training videos (chapters, transcript), steps, videos, captions, code tab titles,
relative review dates and `keep_existing` (the demo loader's mode). Small trees per test."""

import datetime
import textwrap
from pathlib import Path

from django.utils import timezone

from wagtail.models import Page, Revision

import pytest

from kb.importer import import_docs
from kb.models import ArticlePage, CodeSamplePage, ProductArea, VideoPage

VIDEO = """
---
title: Activating SIMs
kind: video
video_url: https://www.youtube.com/watch?v=Qx7dT2sim01
duration: 00:08:42
chapters:
  - 00:00 Introduction
  - {start: "02:55", title: Activating one SIM}
product_area: sims
tags: [sim, activation]
last_reviewed: 14 days ago
description: A walk-through.
---

In this video Priya activates SIMs.

<Video url="https://youtu.be/Qx7dT2sim02" title="The short version" />

<Transcript>
Hi, I'm Priya,
and I work on onboarding.

Let's start with the lifecycle.
</Transcript>
"""

SAMPLE = """
---
title: List SIMs
kind: code_sample
task: Fetch every activated SIM.
---

Intro with a table:

| Form factor | Size |
|-------------|------|
| 2FF | 25 x 15 mm |

Table: SIM form factors we ship

<Tabs title="List activated SIMs">
<TabItem value="curl">

```bash title="list-sims.sh"
curl https://api.example.com/v1/sims
```

</TabItem>
<TabItem value="python">

```python
print("sims")
```

</TabItem>
</Tabs>

<Steps>
<Step title="Open Orders">

Choose **SIMs → Order SIMs**, see [the guide](guide.md).

</Step>
<Step title="Confirm">

Done.

</Step>
</Steps>
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def tree(home_page, media, tmp_path):
    ProductArea.objects.create(name="SIMs", slug="sims")
    return write(
        tmp_path / "docs",
        {
            "videos/activating.md": VIDEO,
            "samples/list-sims.md": SAMPLE,
            "samples/guide.md": "# Guide\n\nText.\n",
        },
    )


def test_code_samples_and_training_videos_get_their_own_page_types(tree):
    report = import_docs(tree)
    assert not [w for w in report.warnings if "Video" in str(w) or "Transcript" in str(w)]
    video = VideoPage.objects.get(source_path="videos/activating.md")
    assert video.live and video.video_url.endswith("Qx7dT2sim01")
    assert video.duration == datetime.timedelta(minutes=8, seconds=42)
    assert [(c.value["start"], c.value["title"]) for c in video.chapters] == [
        ("00:00", "Introduction"),
        ("02:55", "Activating one SIM"),
    ]
    assert video.transcript == (
        "Hi, I'm Priya, and I work on onboarding.\n\nLet's start with the lifecycle."
    )
    assert video.last_reviewed == timezone.localdate() - datetime.timedelta(days=14)
    assert video.product_area.slug == "sims"
    embeds = [b.value for b in video.body if b.block_type == "video"]
    assert [(e["url"], e["title"]) for e in embeds] == [
        ("https://youtu.be/Qx7dT2sim02", "The short version")
    ]

    sample = CodeSamplePage.objects.get(source_path="samples/list-sims.md")
    assert sample.task == "Fetch every activated SIM."
    types = [b.block_type for b in sample.body]
    assert types == ["paragraph", "table", "code_tabs", "steps"]
    table = sample.body[1].value
    assert table["table_caption"] == "SIM form factors we ship"
    tabs = sample.body[2].value
    assert tabs["title"] == "List activated SIMs"
    assert [(t["language"], t["filename"]) for t in tabs["tabs"]] == [
        ("bash", "list-sims.sh"),
        ("python", ""),
    ]
    steps = sample.body[3].value["steps"]
    assert [s["title"] for s in steps] == ["Open Orders", "Confirm"]
    guide = ArticlePage.objects.get(source_path="samples/guide.md")
    assert f'<a href="{guide.url}">the guide</a>' in str(steps[0]["body"])
    assert "<b>SIMs → Order SIMs</b>" in str(steps[0]["body"])

    again = import_docs(tree)
    assert not again.created and not again.updated


def test_a_video_without_an_address_is_an_article(home_page, media, tmp_path):
    root = write(tmp_path / "docs", {"v.md": "---\nkind: video\n---\n# V\n\nText.\n"})
    report = import_docs(root)
    assert ArticlePage.objects.filter(source_path="v.md").exists()
    assert any("kind 'video' needs a YouTube or Vimeo" in str(w) for w in report.warnings)


def test_keep_existing_creates_only_what_is_missing(tree, home_page):
    import_docs(tree, keep_existing=True)
    video = VideoPage.objects.get(source_path="videos/activating.md")
    video.title = "Edited by an editor"
    video.save_revision().publish()
    revisions = Revision.objects.count()
    (tree / "videos/activating.md").write_text(VIDEO.replace("Priya", "Sam"))
    (tree / "videos/new.md").write_text("# New video notes\n\nText.\n")

    report = import_docs(tree, keep_existing=True)

    assert [r.source for r in report.created] == ["videos/new.md"]
    assert not report.updated
    video.refresh_from_db()
    assert video.title == "Edited by an editor" and "Priya" in video.transcript
    assert Revision.objects.count() == revisions + 1  # the new page's

    # a page made before the tree had sources (an older loader) is found by its address
    guide = ArticlePage.objects.get(source_path="samples/guide.md")
    ArticlePage.objects.filter(pk=guide.pk).update(source_path="")
    pages = Page.objects.count()
    assert not import_docs(tree, keep_existing=True).created
    assert Page.objects.count() == pages
