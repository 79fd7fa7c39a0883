"""Search documents for Community threads (one document per thread: the question, the accepted
answer and the approved replies; in a long thread, one more per reply beyond the thread
document's size, linking to its permalink). Read-only use of the forum's models.

A thread is in the index only while it is visible (not held, hidden or deleted), not merged
into another, and its category is active; only approved posts contribute text. Its audience
is the category's audience from the tiers gate.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save

from forum.models import Category, Post, PostState, Tag, Thread, ThreadState, ThreadStatus
from resourcecenter import access
from resourcecenter.text import collapse_whitespace, html_to_text
from search.documents import SearchDocument
from search.indexing import schedule_reindex
from search.registry import Provider, register

BODY_CHARS = 20_000


def _approved_posts():
    return Prefetch(
        "posts",
        queryset=Post.objects.filter(moderation_state=PostState.APPROVED).order_by("number"),
        to_attr="approved_posts",
    )


def _threads():
    return Thread.objects.select_related("category").prefetch_related("tags", _approved_posts())


def _post_text(post: Post) -> str:
    return collapse_whitespace(
        html_to_text(post.body_html) if post.body_html else post.body_markdown
    )


def build_documents(thread: Thread) -> list[tuple[str, SearchDocument | None]]:
    """The thread's document and one per post that did not fit into it.

    A thread is one document (question, accepted answer, replies) up to BODY_CHARS; in a
    long thread, every post beyond that cut is a document of its own whose URL is the post's
    permalink, so each published reply stays findable and a hit lands on it. Posts that fit
    are listed with None (any earlier document of theirs leaves the index).
    """
    posts = getattr(thread, "approved_posts", None)
    if posts is None:
        posts = list(thread.posts.filter(moderation_state=PostState.APPROVED).order_by("number"))
    visible = not (
        thread.moderation_state != ThreadState.VISIBLE
        or thread.merged_into_id
        or not thread.category.is_active
    )
    post_ids = [f"post:{p.pk}" for p in posts if p.number != 1]
    if not visible:
        return [(f"thread:{thread.pk}", None), *((i, None) for i in post_ids)]
    texts, overflow = _fit_posts(thread, posts)
    staff = thread.has_staff_reply or any(p.is_staff_answer for p in posts)
    helpful = sum(p.helpful_count for p in posts)
    tags = [t.name for t in thread.tags.all()]
    audience = list(access.category_audience(thread.category))
    solved = thread.status == ThreadStatus.SOLVED
    documents: dict[str, SearchDocument | None] = dict.fromkeys(post_ids)
    documents[f"thread:{thread.pk}"] = SearchDocument(
        kind="thread",
        id=f"thread:{thread.pk}",
        url=thread.get_absolute_url(),
        title=thread.title,
        body=" ".join(texts)[:BODY_CHARS],
        tags=tags,
        section=thread.category.name,
        audience=audience,
        solved=solved,
        staff_answered=bool(staff),
        created=thread.created_at,
        updated=thread.last_activity_at or thread.created_at,
        popularity=thread.view_count / 20.0 + thread.reply_count + helpful,
    )
    for post, text in overflow:
        documents[f"post:{post.pk}"] = SearchDocument(
            kind="thread",
            id=f"post:{post.pk}",
            url=post.get_absolute_url(),
            title=thread.title,
            body=text,
            tags=tags,
            section=thread.category.name,
            audience=audience,
            solved=solved,
            staff_answered=bool(post.is_staff_answer),
            created=post.created_at,
            updated=post.created_at,
            popularity=post.helpful_count,
        )
    return list(documents.items())


def _fit_posts(thread: Thread, posts: list) -> tuple[list[str], list]:
    """(texts of the posts that fit the thread's document, (post, text) of those that do not):
    the question first, then the accepted answer, then the other replies in order."""
    question = [p for p in posts if p.number == 1]
    accepted = [p for p in posts if p.pk == thread.accepted_answer_id and p.number != 1]
    others = [p for p in posts if p.number != 1 and p.pk != thread.accepted_answer_id]
    texts, overflow, used = [], [], 0
    for post in question + accepted + others:
        text = _post_text(post)
        if used + len(text) <= BODY_CHARS or post.number == 1:
            texts.append(text)
            used += len(text) + 1
        else:
            overflow.append((post, text))
    return texts, overflow


def build_document(thread: Thread) -> SearchDocument | None:
    """The search document of `thread` itself, or None when nobody but moderators may find
    it (see `build_documents` for the posts of long threads)."""
    return dict(build_documents(thread))[f"thread:{thread.pk}"]


class ForumProvider(Provider):
    name = "forum"
    kinds = ("thread",)

    def handles(self, obj) -> bool:
        return isinstance(obj, Thread | Post | Category | Tag)

    def keys_for(self, obj) -> list[str]:
        if isinstance(obj, Post):
            return [f"thread:{obj.thread_id}", f"post:{obj.pk}"]
        if isinstance(obj, Category):
            return [f"category:{obj.pk}"]
        if isinstance(obj, Tag):
            return [f"tag:{obj.pk}"]
        keys = [f"thread:{obj.pk}"]
        if obj.merged_into_id:
            keys.append(f"thread:{obj.merged_into_id}")
        return keys

    def resolve(self, key: str):
        prefix, _, raw_id = key.partition(":")
        pk = int(raw_id)
        if prefix == "thread":
            thread = _threads().filter(pk=pk).first()
            if thread is None:
                yield f"thread:{pk}", None
            else:
                yield from build_documents(thread)
        elif prefix == "post":
            # a deleted post's own document (a living post is handled by its thread's key)
            if not Post.objects.filter(pk=pk).exists():
                yield f"post:{pk}", None
        elif prefix in ("category", "tag"):
            threads = _threads().filter(**{"category_id" if prefix == "category" else "tags": pk})
            for thread in threads.iterator(chunk_size=200):
                yield from build_documents(thread)
        else:
            raise ValueError(f"unknown forum index key {key!r}")

    def count(self, kind: str | None = None) -> int:
        return Thread.objects.filter(moderation_state=ThreadState.VISIBLE).count()

    def iter_documents(self, kind: str | None = None) -> Iterator[SearchDocument]:
        if kind not in (None, "thread"):
            return
        threads = _threads().filter(moderation_state=ThreadState.VISIBLE).order_by("pk")
        for thread in threads.iterator(chunk_size=200):
            for _, doc in build_documents(thread):
                if doc is not None:
                    yield doc

    def connect_signals(self) -> None:
        post_save.connect(_changed, sender=Thread, dispatch_uid="search-forum-thread")
        post_delete.connect(_changed, sender=Thread, dispatch_uid="search-forum-thread-del")
        post_save.connect(_changed, sender=Post, dispatch_uid="search-forum-post")
        post_delete.connect(_post_deleted, sender=Post, dispatch_uid="search-forum-post-del")
        post_save.connect(_changed, sender=Category, dispatch_uid="search-forum-category")
        post_save.connect(_changed, sender=Tag, dispatch_uid="search-forum-tag")
        m2m_changed.connect(_tags_changed, sender=Thread.tags.through, dispatch_uid="search-ft")


def _changed(sender, instance, raw=False, created=False, **kwargs):
    if raw or (created and isinstance(instance, Category | Tag)):
        return
    schedule_reindex(instance)


def _post_deleted(sender, instance, **kwargs):
    # The thread may be going away in the same cascade; resolving the key later copes with that.
    schedule_reindex(instance)


def _tags_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Thread):
        schedule_reindex(instance)


register(ForumProvider())
