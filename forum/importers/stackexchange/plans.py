"""What one imported post should look like: its Markdown body (the converted HTML, its comments
and the CC BY-SA attribution), author, counters, and a fingerprint to compare with what is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from forum.importers.html_markdown import html_to_markdown
from forum.importers.members import fingerprint
from forum.importers.report import CommunityImportReport
from forum.importers.stackexchange.dump import QUESTION, Dump, SourceComment, SourcePost
from forum.models import ImportedKind

# Bump when what is made from a record changes, so a re-run brings earlier imports up to date.
FORMAT_VERSION = 1

# When Stack Exchange changed the licence of new contributions
# (https://stackoverflow.com/help/licensing).
LICENCES = [
    (
        datetime(2011, 4, 8, tzinfo=UTC),
        "CC BY-SA 2.5",
        "https://creativecommons.org/licenses/by-sa/2.5/",
    ),
    (
        datetime(2018, 5, 2, tzinfo=UTC),
        "CC BY-SA 3.0",
        "https://creativecommons.org/licenses/by-sa/3.0/",
    ),
    (None, "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
]


def licence_for(when: datetime) -> tuple[str, str]:
    """(name, url) of the licence a contribution last revised at `when` is under."""
    for until, name, url in LICENCES:
        if until is None or when < until:
            return name, url
    raise AssertionError("unreachable")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


@dataclass
class PostPlan:
    """What one imported post should look like (compared by fingerprint with what is here)."""

    source: SourcePost
    kind: str  # ImportedKind
    url: str
    body_markdown: str
    author_id: int | None
    edited_by_id: int | None
    helpful_count: int
    edit_count: int
    comments: list[SourceComment]

    @property
    def fields(self) -> dict:
        return {
            "author_id": self.author_id,
            "body_markdown": self.body_markdown,
            "created_at": self.source.created,
            "edited_at": self.source.last_edit,
            "edited_by_id": self.edited_by_id,
            "edit_count": self.edit_count,
            "helpful_count": self.helpful_count,
        }

    @property
    def fingerprint(self) -> str:
        # By the source's user ids, not ours: a claimed member's posts change author here
        # without the source changing.
        source_fields = self.fields | {
            "author_id": self.source.owner_id,
            "edited_by_id": self.source.last_editor_id,
        }
        return fingerprint([FORMAT_VERSION, source_fields])


class PostPlanner:
    """Plans the posts of one dump, once its members are imported (`user_ids`: source user id
    -> member id here)."""

    def __init__(self, dump: Dump, report: CommunityImportReport, user_ids: dict[str, int]):
        self.dump = dump
        self.report = report
        self.user_ids = user_ids
        self.site = dump.site_url
        self.names = {m.source_id: m.name for m in dump.users}

    def _user_link(self, user_id: str, fallback_name: str) -> str:
        name = self.names.get(user_id) or fallback_name or "an anonymous user"
        name = _escape(name)
        if user_id and user_id in self.names:
            return f"[{name}]({self.site}/users/{user_id})"
        return name

    def _comments_markdown(self, comments: list[SourceComment]) -> str:
        lines = ["**Comments**", ""]
        for c in comments:
            text = re.sub(r"\s+", " ", c.text).strip()
            score = f" (+{c.score})" if c.score > 0 else ""
            lines.append(
                f"- {text} – {self._user_link(c.user_id, c.user_name)}, "
                f"[{c.created:%Y-%m-%d}]({self.site}/posts/comments/{c.id}){score}"
            )
        return "\n".join(lines)

    def _attribution(self, post: SourcePost, url: str) -> str:
        what = "Question" if post.type == QUESTION else "Answer"
        licence, licence_url = licence_for(post.last_edit or post.created)
        return (
            f"*{what} [originally posted on {self.dump.domain}]({url}) by "
            f"{self._user_link(post.owner_id, post.owner_name)}, licensed under "
            f"[{licence}]({licence_url}).*"
        )

    def plan(self, post: SourcePost) -> PostPlan:
        kind = ImportedKind.QUESTION if post.type == QUESTION else ImportedKind.ANSWER
        url = f"{self.site}/{'q' if post.type == QUESTION else 'a'}/{post.id}"
        comments = sorted(self.dump.comments.get(post.id, []), key=lambda c: (c.created, c.id))
        parts = [html_to_markdown(post.body, self.site) or "*(empty post)*"]
        if comments:
            parts.append(self._comments_markdown(comments))
        parts.append(self._attribution(post, url))
        if post.owner_id and post.owner_id not in self.user_ids:
            self.report.warn(
                "author-not-in-users",
                f"post {post.id}: user {post.owner_id} is not in Users.xml (shown by name)",
            )
        elif not post.owner_id:
            self.report.warn(
                "post-without-account",
                f"post {post.id}: by {post.owner_name or 'nobody'}, who has no account "
                "(shown by name, no member)",
            )
        edit_count = self.dump.edits.get(post.id, 0) or (1 if post.last_edit else 0)
        return PostPlan(
            source=post,
            kind=kind,
            url=url,
            body_markdown="\n\n---\n\n".join(parts),
            author_id=self.user_ids.get(post.owner_id),
            edited_by_id=self.user_ids.get(post.last_editor_id),
            helpful_count=self.dump.up_votes.get(post.id, 0),
            edit_count=edit_count,
            comments=comments,
        )
