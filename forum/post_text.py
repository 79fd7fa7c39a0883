"""A post's text on its way in: the title, body and tag rules (with the field errors they raise),
the Markdown rendering with its @mention lookup, and re-rendering stored posts when the
sanitiser policy or a member's mentionability changes. forum.services calls these for every
write; forum.forms reads the length limits from here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from forum import permissions as perms
from forum import selectors
from forum.markdown import MAX_MENTION_LOOKUPS, POLICY_VERSION, mention_handles, render_markdown
from forum.models import Member, Post, Tag
from resourcecenter import tags as tag_parser

TITLE_MIN, TITLE_MAX = 10, 200
BODY_MIN, BODY_MAX = 2, 30_000
MAX_TAGS = 5
MAX_MENTIONS = 10
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9.+#-]{0,29}$")
# --- rendering, validation, mentions -------------------------------------------------------------


class _MentionLookup:
    """The mention resolver given to forum.markdown: ONE query for the post's @handles, and it
    keeps the members it found, so the highlighting and the notifications agree exactly."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}

    def __call__(self, handles: list[str]):
        self.members = selectors.mentionable_members(handles)
        return self.members.keys()

    def users(self, exclude=None) -> list:
        """The mentioned users to notify: not `exclude` (the author), at most MAX_MENTIONS."""
        skip = exclude.pk if exclude is not None else None
        users = [m.user for m in self.members.values() if m.user_id != skip]
        return sorted(users, key=lambda user: user.pk)[:MAX_MENTIONS]


def render_body(body: str, restricted: bool, author=None) -> tuple[str, list]:
    """(sanitised html, users to notify of their @mention) for `body`."""
    lookup = _MentionLookup()
    html = render_markdown(
        body, allow_links=not restricted, allow_images=not restricted, mentions=lookup
    )
    return html, lookup.users(exclude=author)


def render_for_author(author, body: str) -> tuple[str, bool, list]:
    """(sanitised html, restricted?, mentioned users) for a post written by `author` now."""
    restricted = not perms.may_post_links(author)
    html, mentioned = render_body(body, restricted, author)
    return html, restricted, mentioned


def rerender_post(post: Post) -> None:
    """Re-render one post's stored HTML under the current policy (keeps its restriction).

    Mentions are highlighted as they stand now (one lookup per post); nobody is notified again.
    """
    html, _ = render_body(post.body_markdown, post.restricted_markup)
    Post.objects.filter(pk=post.pk).update(
        body_html=html, rendered_with_policy_version=POLICY_VERSION
    )


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) < BODY_MIN:
        raise ValidationError({"body": "Write a message (at least a few characters)."})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": f"That is too long: {len(body):,} characters (at most {BODY_MAX:,})."}
        )
    if "\x00" in body:
        raise ValidationError({"body": "The message contains invalid characters."})
    return body


def clean_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title or "").strip()
    if len(title) < TITLE_MIN:
        raise ValidationError(
            {"title": f"Make the title a short question of at least {TITLE_MIN} characters."}
        )
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the title under {TITLE_MAX} characters."})
    if not slugify(title):
        raise ValidationError({"title": "The title needs some letters or digits."})
    return title


def parse_tag_names(tags: str | Iterable[str]) -> list[str]:
    """Normalise tags ("LTE-M, quectel bg96" -> ["lte-m", "quectel", "bg96"]); validates."""
    names = tag_parser.parse_tag_names(
        tags, split_on_whitespace=True, lowercase=True, drop_prefix="#"
    )
    for name in names:
        if not TAG_RE.match(name):
            raise ValidationError(
                {"tags": f"“{name[:40]}” is not a valid tag: use letters, digits and - . + #."}
            )
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags."})
    return names


def tags_named(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for already validated `names` (see parse_tag_names), created if missing
    with a unique slug."""
    tags = []
    for name in names:
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            slug = slugify(name.replace("+", "plus").replace("#", "sharp")) or "tag"
            base, n = slug, 1
            while Tag.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            tag = Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


def parse_mentions(body: str, *, exclude=None) -> list:
    """Users @mentioned in `body` (in running text: not in code or links), by Member handle,
    active only, without `exclude`, at most MAX_MENTIONS - the same reading the renderer uses."""
    lookup = _MentionLookup()
    handles = mention_handles(body)
    if handles:
        lookup(handles[:MAX_MENTION_LOOKUPS])
    return lookup.users(exclude=exclude)


def rerender_posts_mentioning(handle: str) -> int:
    """Re-render every post whose text contains "@handle" (the member was deactivated or
    reactivated), so the stored highlights follow who is mentionable now. Returns how many.

    Matching the source text is a superset (it also finds "@handle2"); re-rendering those is
    harmless. Nobody is notified.
    """
    if not handle:
        return 0
    posts = Post.objects.filter(body_markdown__icontains=f"@{handle}").only(
        "pk", "body_markdown", "restricted_markup"
    )
    count = 0
    for post in posts.iterator():
        rerender_post(post)
        count += 1
    return count


def rerender_outdated_posts(batch_size: int = 500) -> int:
    """Re-render every post rendered under an older sanitiser policy; returns how many."""
    count = 0
    while True:
        batch = list(
            Post.objects.filter(rendered_with_policy_version__lt=POLICY_VERSION).only(
                "pk", "body_markdown", "restricted_markup"
            )[:batch_size]
        )
        if not batch:
            return count
        with transaction.atomic():
            for post in batch:
                rerender_post(post)
        count += len(batch)
