"""Every write to the forum: one transactional function per use case.

Guarantees shared by all of them:
- permission is checked here too (forum.permissions), so no caller can skip it; a refusal raises
  `ForumPermissionDenied` carrying the readable reason;
- bad input raises django.core.exceptions.ValidationError with a message per field;
- counters (reply_count, view_count, helpful_count, approved_post_count ...) change only through
  F() expressions or a recomputing UPDATE inside the transaction, so they stay exact under
  concurrent writes;
- stored HTML is always produced by forum.markdown (one renderer, one sanitiser policy);
- forum.signals are sent after commit; search learns of changes from the model signals its
  provider (forum.search_documents) listens to, so a write that must reach the index saves the
  changed row (`save(update_fields=...)`) rather than a queryset `update()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from forum import permissions as perms
from forum import selectors, signals, tasks
from forum.markdown import (
    MAX_MENTION_LOOKUPS,
    POLICY_VERSION,
    mention_handles,
    render_markdown,
)
from forum.models import (
    Category,
    Member,
    Post,
    PostRevision,
    PostState,
    PostVote,
    Tag,
    Thread,
    ThreadState,
    ThreadStatus,
)
from forum.modlog import log
from resourcecenter import roles
from resourcecenter import tags as tag_parser
from resourcecenter.sequences import next_in_sequence
from resourcecenter.taskqueue import enqueue_with_change

TITLE_MIN, TITLE_MAX = 10, 200
BODY_MIN, BODY_MAX = 2, 30_000
MAX_TAGS = 5
MAX_MENTIONS = 10
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9.+#-]{0,29}$")
VIEWED_SESSION_KEY = "forum_viewed_threads"


class ForumPermissionDenied(PermissionDenied):
    """A refused action; `str(exc)` is the reason to show."""


def _require(verdict: perms.Verdict) -> None:
    if not verdict:
        raise ForumPermissionDenied(verdict.reason)


# --- members -----------------------------------------------------------------------------------


def _handle_base(user) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "", (user.public_name or "").replace(" ", "_"))
    base = base.strip("._-")[:30]
    return base or f"member{user.pk}"


def ensure_member(user) -> Member:
    """The user's Member row, created on first need with a unique @mention handle."""
    member = Member.objects.filter(user=user).first()
    if member is None:
        base = _handle_base(user)
        handle, n = base, 1
        while Member.objects.filter(handle__iexact=handle).exists():
            n += 1
            handle = f"{base}{n}"
        try:
            with transaction.atomic():
                member = Member.objects.create(user=user, handle=handle)
        except IntegrityError:  # created concurrently (or the handle was just taken)
            member = Member.objects.filter(user=user).first()
            if member is None:
                member = Member.objects.create(user=user, handle=f"{base}{user.pk}")
    elif not member.handle:
        Member.objects.filter(pk=member.pk).update(handle=f"{_handle_base(user)}{user.pk}")
        member.refresh_from_db()
    perms.remember_member(user, member)
    return member


def refresh_member_stats(user) -> None:
    """Recount the member's approved posts (one UPDATE with a subquery; exact)."""
    approved = (
        Post.objects.filter(author=user, moderation_state=PostState.APPROVED)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Member.objects.filter(user=user).update(
        approved_post_count=Coalesce(Subquery(approved), Value(0))
    )
    perms.forget_member(user)


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


def _render(body: str, restricted: bool, author=None) -> tuple[str, list]:
    """(sanitised html, users to notify of their @mention) for `body`."""
    lookup = _MentionLookup()
    html = render_markdown(
        body, allow_links=not restricted, allow_images=not restricted, mentions=lookup
    )
    return html, lookup.users(exclude=author)


def _render_for(author, body: str) -> tuple[str, bool, list]:
    """(sanitised html, restricted?, mentioned users) for a post written by `author` now."""
    restricted = not perms.may_post_links(author)
    html, mentioned = _render(body, restricted, author)
    return html, restricted, mentioned


def rerender_post(post: Post) -> None:
    """Re-render one post's stored HTML under the current policy (keeps its restriction).

    Mentions are highlighted as they stand now (one lookup per post); nobody is notified again.
    """
    html, _ = _render(post.body_markdown, post.restricted_markup)
    Post.objects.filter(pk=post.pk).update(
        body_html=html, rendered_with_policy_version=POLICY_VERSION
    )


def _clean_body(body: str) -> str:
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


def _clean_title(title: str) -> str:
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


def _set_tags(thread: Thread, names: list[str]) -> None:
    thread.tags.set(tags_named(names))


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


def _after_commit(fn) -> None:
    transaction.on_commit(fn, robust=True)


# --- thread statistics -------------------------------------------------------------------------


def refresh_thread_stats(thread: Thread | int) -> None:
    """Recompute the thread's denormalised fields from its approved posts, in ONE UPDATE.

    reply_count, last_post, last_activity_at, has_staff_reply, first_staff_reply_at and
    has_official_answer always describe approved replies only. Call it after anything that adds,
    approves, hides, restores or deletes a post (moderation does too).
    """
    thread_id = thread if isinstance(thread, int) else thread.pk
    approved = Post.objects.filter(thread_id=OuterRef("pk"), moderation_state=PostState.APPROVED)
    replies = approved.filter(number__gt=1)
    staff_replies = replies.filter(is_staff_answer=True)
    latest = approved.order_by("-number")
    Thread.objects.filter(pk=thread_id).update(
        reply_count=Coalesce(
            Subquery(
                replies.order_by().values("thread_id").annotate(n=Count("pk")).values("n")[:1]
            ),
            Value(0),
        ),
        last_post=Subquery(latest.values("pk")[:1]),
        last_activity_at=Coalesce(Subquery(latest.values("created_at")[:1]), F("created_at")),
        has_staff_reply=Exists(staff_replies),
        first_staff_reply_at=Subquery(
            staff_replies.order_by()
            .values("thread_id")
            .annotate(t=Min("created_at"))
            .values("t")[:1]
        ),
        has_official_answer=Exists(replies.filter(is_official_answer=True)),
    )


def _next_post_number(thread_id: int) -> int:
    """Hand out the next post number; the UPDATE locks the thread row until commit."""
    return next_in_sequence(Thread.objects.filter(pk=thread_id), "last_post_number")


# --- use cases ---------------------------------------------------------------------------------


@transaction.atomic
def create_thread(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    tags: str | Iterable[str] = (),
    ip_address: str | None = None,
) -> Thread:
    """Start a thread: the thread row and its first post (number 1), in one transaction.

    If the author's posts need approval (permissions.post_requires_approval) both are held: the
    thread is visible only to its author and moderators until approved.
    """
    _require(perms.can_start_thread(author, category))
    title = _clean_title(title)
    body = _clean_body(body)
    tag_names = parse_tag_names(tags)
    ensure_member(author)
    held = perms.post_requires_approval(author)
    html, restricted, mentioned = _render_for(author, body)
    now = timezone.now()
    thread = Thread.objects.create(
        title=title,
        category=category,
        author=author,
        created_at=now,
        last_activity_at=now,
        last_post_number=1,
        moderation_state=ThreadState.HELD if held else ThreadState.VISIBLE,
    )
    post = Post.objects.create(
        thread=thread,
        number=1,
        author=author,
        body_markdown=body,
        body_html=html,
        rendered_with_policy_version=POLICY_VERSION,
        restricted_markup=restricted,
        is_staff_answer=roles.is_support_staff(author),
        moderation_state=PostState.HELD if held else PostState.APPROVED,
        ip_address=ip_address,
        created_at=now,
    )
    _set_tags(thread, tag_names)
    if mentioned:
        post.mentions.set(mentioned)
    if not held:
        Member.objects.filter(user=author).update(approved_post_count=F("approved_post_count") + 1)
    refresh_thread_stats(thread)
    thread.refresh_from_db()

    def send():
        signals.thread_created.send(sender=Thread, thread=thread, post=post, author=author)
        signals.post_created.send(sender=Post, post=post, thread=thread, author=author)
        if mentioned:
            signals.mentions_found.send(sender=Post, post=post, users=mentioned)

    _after_commit(send)
    return thread


@transaction.atomic
def create_reply(
    *,
    author,
    thread: Thread,
    body: str,
    quote_of: Post | None = None,
    ip_address: str | None = None,
) -> Post:
    """Add a reply to `thread` (held for approval if the author's posts need it).

    Numbers are handed out gap-free per thread under concurrency (row-locking UPDATE); the
    thread's counters, last_post, last_activity_at and staff markers are recomputed in the same
    transaction. `is_staff_answer` is stored now and never re-derived.
    """
    thread = Thread.objects.select_related("category").get(pk=thread.pk)
    _require(perms.can_reply(author, thread))
    body = _clean_body(body)
    if quote_of is not None and (
        quote_of.thread_id != thread.pk or not perms.can_see_post_content(author, quote_of)
    ):
        raise ValidationError({"body": "You can only quote visible posts of this thread."})
    ensure_member(author)
    held = perms.post_requires_approval(author)
    html, restricted, mentioned = _render_for(author, body)
    number = _next_post_number(thread.pk)
    post = Post.objects.create(
        thread=thread,
        number=number,
        author=author,
        body_markdown=body,
        body_html=html,
        rendered_with_policy_version=POLICY_VERSION,
        restricted_markup=restricted,
        quote_of=quote_of,
        is_staff_answer=roles.is_support_staff(author),
        moderation_state=PostState.HELD if held else PostState.APPROVED,
        ip_address=ip_address,
    )
    if mentioned:
        post.mentions.set(mentioned)
    if not held:
        Member.objects.filter(user=author).update(approved_post_count=F("approved_post_count") + 1)
        refresh_thread_stats(thread)
    # Saving the post already wrote the thread's outbox row (forum.search_documents).
    # The events (notifications, e-mail, trust) go to the task queue in this transaction.
    enqueue_with_change(
        tasks.announce_reply,
        post_id=post.pk,
        mentioned_ids=[user.pk for user in mentioned],
    )
    return post


@transaction.atomic
def edit_post(*, post: Post, editor, body: str, title: str | None = None, reason: str = "") -> Post:
    """Change a post's text (and, for the question, the thread title), keeping the previous
    version as a PostRevision (who, when, why, what it said before)."""
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_edit_post(editor, post))
    body = _clean_body(body)
    thread = post.thread
    new_title = _clean_title(title) if (title is not None and post.number == 1) else None
    reason = (reason or "").strip()[:300]
    title_changed = new_title is not None and new_title != thread.title
    if body == post.body_markdown and not title_changed:
        return post
    revision = PostRevision.objects.create(
        post=post,
        editor=editor,
        body_markdown=post.body_markdown,
        title=thread.title if post.number == 1 else "",
        reason=reason,
    )
    previously_mentioned = set(post.mentions.values_list("pk", flat=True))
    mentioned = _store_edit(post, editor, body)
    if title_changed:
        Thread.objects.filter(pk=thread.pk).update(title=new_title, slug=slugify(new_title)[:200])
        thread.title, thread.slug = new_title, slugify(new_title)[:200]
    post.mentions.set(mentioned)
    new_mentions = [u for u in mentioned if u.pk not in previously_mentioned]
    if roles.is_moderator(editor) and post.author_id != editor.pk:
        _log_moderator_edit(editor, post, revision, reason)

    def send():
        if new_mentions and post.moderation_state == PostState.APPROVED:
            signals.mentions_found.send(sender=Post, post=post, users=new_mentions)

    _after_commit(send)
    return post


def _store_edit(post: Post, editor, body: str) -> list:
    """Render and save the post's new text (one more edit); returns the users it mentions."""
    author = post.author
    if author is not None and author.pk != editor.pk:
        restricted = post.restricted_markup  # a moderator's edit keeps the author's restriction
    else:
        restricted = not perms.may_post_links(editor)
    post.body_markdown = body
    post.body_html, mentioned = _render(body, restricted, post.author)
    post.restricted_markup = restricted
    post.rendered_with_policy_version = POLICY_VERSION
    post.edited_at = timezone.now()
    post.edited_by = editor
    post.save(
        update_fields=[
            "body_markdown",
            "body_html",
            "restricted_markup",
            "rendered_with_policy_version",
            "edited_at",
            "edited_by",
        ]
    )
    Post.objects.filter(pk=post.pk).update(edit_count=F("edit_count") + 1)
    post.refresh_from_db(fields=["edit_count"])
    return mentioned


def _log_moderator_edit(editor, post: Post, revision: PostRevision, reason: str) -> None:
    thread = post.thread
    log(
        actor=editor,
        action="edit_post",
        target=post,
        reason=reason,
        before={"body": revision.body_markdown, "title": revision.title},
        after={"body": post.body_markdown, "title": thread.title if post.number == 1 else ""},
    )


@transaction.atomic
def delete_post(*, post: Post, by, reason: str = "") -> Post:
    """Soft-delete a post (the row and its revisions stay; readers see a placeholder).

    Deleting the question deletes the thread. A moderator deleting someone else's post must give
    a reason, and the action is written to the moderation log.
    """
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_delete_post(by, post))
    reason = (reason or "").strip()
    own = post.author_id == by.pk
    if not own and len(reason) < 3:
        raise ValidationError({"reason": "Give a reason for deleting someone else's post."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    reason = reason or "Deleted by its author."
    before_state = post.moderation_state
    thread = post.thread
    now = timezone.now()
    post.moderation_state = PostState.DELETED
    post.deleted_reason, post.deleted_by, post.deleted_at = reason, by, now
    post.is_official_answer = False
    post.save(
        update_fields=[
            "moderation_state",
            "deleted_reason",
            "deleted_by",
            "deleted_at",
            "is_official_answer",
        ]
    )
    if post.number == 1:
        Thread.objects.filter(pk=thread.pk).update(moderation_state=ThreadState.DELETED)
    if thread.accepted_answer_id == post.pk:
        Thread.objects.filter(pk=thread.pk, status=ThreadStatus.SOLVED).update(
            status=ThreadStatus.OPEN
        )
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
    refresh_thread_stats(thread)
    if post.author_id:
        refresh_member_stats(post.author)
    if not own:
        log(
            actor=by,
            action="delete_post",
            target=post,
            reason=reason,
            before={"moderation_state": before_state},
            after={"moderation_state": PostState.DELETED},
        )
    post.refresh_from_db()
    return post


@transaction.atomic
def vote_helpful(*, post: Post, user) -> bool:
    """Record `user` finding `post` helpful; one vote per user, never on one's own post.

    Returns False if the vote already existed (idempotent). helpful_count moves by F().
    """
    post = Post.objects.select_related("thread__category").get(pk=post.pk)
    _require(perms.can_vote(user, post))
    try:
        with transaction.atomic():
            PostVote.objects.create(post=post, user=user)
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
    return True


@transaction.atomic
def remove_vote(*, post: Post, user) -> bool:
    """Withdraw a helpful vote; returns False if there was none."""
    deleted, _ = PostVote.objects.filter(post=post, user=user).delete()
    if not deleted:
        return False
    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
    return True


@transaction.atomic
def accept_answer(*, thread: Thread, post: Post, by) -> Thread:
    """Mark `post` as the accepted answer: the thread becomes solved.

    Allowed for the thread's author and support staff. Accepting another reply replaces the
    previous choice. Sends thread_solved after commit.
    """
    thread = Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
    post = Post.objects.get(pk=post.pk)
    _require(perms.can_accept_answer(by, thread, post))
    if thread.accepted_answer_id == post.pk and thread.status == ThreadStatus.SOLVED:
        return thread
    thread.accepted_answer = post
    thread.status = ThreadStatus.SOLVED
    thread.save(update_fields=["accepted_answer", "status"])
    _after_commit(
        lambda: signals.thread_solved.send(sender=Thread, thread=thread, post=post, by=by)
    )
    return thread


@transaction.atomic
def unaccept_answer(*, thread: Thread, by) -> Thread:
    """Withdraw the accepted answer: the thread is open again (unless closed)."""
    thread = Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
    _require(perms.can_accept_answer(by, thread))
    thread.accepted_answer = None
    if thread.status == ThreadStatus.SOLVED:
        thread.status = ThreadStatus.OPEN
    thread.save(update_fields=["accepted_answer", "status"])
    return thread


@transaction.atomic
def mark_official_answer(*, post: Post, by, official: bool = True) -> Post:
    """Support staff mark (or unmark) a reply as the official answer of its thread.

    Only one official answer per thread: marking one unmarks any other.
    """
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_mark_official(by, post))
    if official:
        Post.objects.filter(thread_id=post.thread_id, is_official_answer=True).exclude(
            pk=post.pk
        ).update(is_official_answer=False)
    post.is_official_answer = official
    post.save(update_fields=["is_official_answer"])
    refresh_thread_stats(post.thread_id)
    post.refresh_from_db()
    if official:
        _after_commit(
            lambda: signals.official_answer_marked.send(
                sender=Post, post=post, thread=post.thread, by=by
            )
        )
    return post


def record_view(thread: Thread, session=None) -> bool:
    """Count a view of `thread` (once per session if one is given); exact under concurrency."""
    if session is not None:
        seen = list(session.get(VIEWED_SESSION_KEY, []))
        if thread.pk in seen:
            return False
        seen = (seen + [thread.pk])[-200:]
        session[VIEWED_SESSION_KEY] = seen
    Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)
    return True


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


__all__ = [
    "ForumPermissionDenied",
    "accept_answer",
    "create_reply",
    "create_thread",
    "delete_post",
    "edit_post",
    "ensure_member",
    "mark_official_answer",
    "parse_mentions",
    "record_view",
    "refresh_member_stats",
    "refresh_thread_stats",
    "remove_vote",
    "rerender_outdated_posts",
    "rerender_posts_mentioning",
    "tags_named",
    "unaccept_answer",
    "vote_helpful",
]
