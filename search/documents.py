"""The search document: the one shape every indexable thing is turned into.

`search` knows kb pages and forum threads only through this shape (see DESIGN.md, "The search
document"); every engine indexes and returns it the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from resourcecenter.access import PUBLIC

KINDS = ["tutorial", "guide", "code_sample", "video", "support_topic", "thread", "postmortem"]
KIND_LABELS = {
    "tutorial": "Tutorial",
    "guide": "Guide",
    "code_sample": "Code sample",
    "video": "Video",
    "support_topic": "Support topic",
    "thread": "Community thread",
    "postmortem": "Incident postmortem",
}
BODY_MAX_CHARS = 60_000


def page_of(doc_id: str) -> str:
    """The document a section document belongs to: a long page is indexed as `page:12` and
    its sections `page:12#1`, `page:12#2`... (kb.search_documents); results show it once."""
    return doc_id.split("#", 1)[0]


@dataclass
class SearchDocument:
    """One searchable thing. `id` is globally unique ("page:12", "thread:7")."""

    kind: str
    id: str
    url: str
    title: str
    body: str = ""
    headings: str = ""
    summary: str = ""  # what the page says it is about (front-matter description)
    code: str = ""  # code listings: weighted below prose
    tags: list[str] = field(default_factory=list)
    product_area: str = ""  # slug ("" when none)
    product_area_name: str = ""
    section: str = ""  # the Resource Center section or the forum category, for display
    audience: list[str] = field(default_factory=lambda: [PUBLIC])
    solved: bool = False
    staff_answered: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    popularity: float = 0.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown search document kind {self.kind!r}")
        if not self.id:
            raise ValueError("a search document needs an id")
        if not self.audience:
            raise ValueError(f"{self.id}: a search document needs at least one audience")
        self.body = (self.body or "")[:BODY_MAX_CHARS]
        self.code = (self.code or "")[:BODY_MAX_CHARS]
        self.tags = sorted({t.strip().lower() for t in self.tags if t and t.strip()})
        self.audience = sorted(set(self.audience))
        now = timezone.now()
        self.created = self.created or now
        self.updated = self.updated or self.created

    @property
    def is_public(self) -> bool:
        return PUBLIC in self.audience

    def static_boost(self) -> float:
        """Query-independent boost: answered threads and popular content rank higher.

        Freshness is applied at query time (it changes as time passes); this part only changes
        when the document does.
        """
        boost = 1.0
        if self.kind == "thread":
            if self.solved:
                boost *= 1.35
            if self.staff_answered:
                boost *= 1.2
            if not self.solved and not self.staff_answered:
                boost *= 0.85
        else:
            boost *= 1.15  # curated content is a better first answer than an open thread
        boost *= 1.0 + min(math.log1p(max(self.popularity, 0.0)) / 20.0, 0.3)
        return round(boost, 4)
