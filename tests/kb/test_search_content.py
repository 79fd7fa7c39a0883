"""What readers find with search: a video's transcript and chapters, a code sample's task and
code, and an article's body are all searchable (through the search app's own indexing)."""

import datetime

import pytest

from kb.search_documents import build_document
from tests.search.conftest import found

pytestmark = pytest.mark.django_db


def test_transcript_chapters_task_and_code_are_searchable(
    section, make_video, make_code_sample, apply_on_commit
):
    video = apply_on_commit(
        make_video,
        section,
        "Portal tour",
        duration=datetime.timedelta(minutes=5),
        chapters=[("chapter", {"start": "00:10", "title": "Quokka dashboards"})],
        transcript="Welcome.\n\nToday we look at the wombatgraph report in the portal.",
    )
    sample = apply_on_commit(
        make_code_sample,
        section,
        "List SIMs",
        task="Pages through numbatlists of SIMs",
        body=[("code", {"language": "python", "filename": "", "code": "iotctl dingoscan --all"})],
    )
    document = build_document(video)
    assert "wombatgraph" in document.body and "Quokka dashboards" in document.headings
    assert found("wombatgraph") == [f"page:{video.pk}"]
    assert found("quokka") == [f"page:{video.pk}"]
    assert found("numbatlists") == [f"page:{sample.pk}"]
    assert found("dingoscan") == [f"page:{sample.pk}"]


def test_formatted_table_cells_and_caption_are_searchable(section, make_article, apply_on_commit):
    article = apply_on_commit(
        make_article,
        section,
        "Modem reference",
        body=[
            (
                "rich_table",
                {
                    "caption": "Bilbyband timers",
                    "first_row_is_header": True,
                    "first_col_is_header": False,
                    "rows": [
                        ["Command", "Meaning"],
                        ["<code>AT+QUOLLPING</code>", "Reports the <b>wallabyrate</b>"],
                    ],
                },
            )
        ],
    )
    document = build_document(article)
    assert "wallabyrate" in document.body and "<b>" not in document.body
    assert found("wallabyrate") == [f"page:{article.pk}"]
    assert found("bilbyband") == [f"page:{article.pk}"]


def test_every_block_says_its_own_search_text():
    """A new block type must bring its search text (kb.blocks), or pages using it fail to index."""
    from kb.blocks import BaseStreamBlock, ChapterBlock

    for name, block in [*BaseStreamBlock().child_blocks.items(), ("chapter", ChapterBlock())]:
        assert hasattr(block, "get_searchable_headings"), name
        assert type(block).get_searchable_content.__module__ == "kb.blocks", name
