"""Which page type a document becomes, and the fields only that type has.

Front matter `kind: code_sample` makes a `CodeSamplePage` (with `task`), `kind: video` a
`VideoPage` (with `video_url`, `duration`, `chapters` and the body's `<Transcript>`); any other
document is an `ArticlePage` whose `kind` (tutorial, guide ...) and `difficulty` the front
matter may name.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.blocks import video_embed_url
from kb.importer.frontmatter import PageMeta
from kb.models import ArticlePage, CodeSamplePage, VideoPage

MODELS_BY_KIND = {"code_sample": CodeSamplePage, "video": VideoPage}
CONTENT_MODELS = (ArticlePage, CodeSamplePage, VideoPage)


def kind_key(kind: str) -> str:
    return kind.strip().casefold().replace(" ", "_").replace("-", "_")


def content_model(meta: PageMeta, warn: Callable[[str], None] | None = None):
    """The page type the front matter asks for; a video without a usable address is an
    article (with a warning), since a video page cannot exist without one."""
    model = MODELS_BY_KIND.get(kind_key(meta.kind), ArticlePage)
    if model is VideoPage and not video_embed_url(meta.video_url):
        if warn is not None:
            warn(
                f"kind 'video' needs a YouTube or Vimeo 'video_url' (got '{meta.video_url}'); "
                "imported as an article"
            )
        return ArticlePage
    return model


def type_fields(model, meta: PageMeta, transcript: str) -> dict:
    """The fields of a code sample or training video, as stored (compared with the page's)."""
    if model is CodeSamplePage:
        return {"task": meta.task}
    if model is VideoPage:
        return {
            "video_url": meta.video_url,
            "duration": meta.duration,
            "chapters": [
                {"type": "chapter", "value": {"start": start, "title": title}}
                for start, title in meta.chapters
            ],
            "transcript": transcript,
        }
    return {}
