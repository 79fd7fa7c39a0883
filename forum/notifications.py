"""Watching and notifications: in-site notices, immediate e-mail or a daily digest.

Why: an answered question is only useful if the asker hears about it, and staff promise to watch.
- Members watch threads or whole categories (Subscription); authors watch their threads
  automatically.
- Forum events (forum.signals, sent after commit) become Notification rows for everyone who
  should hear about them and may still read the thread (tiers gate + moderation state: nothing
  leaks to someone who could not open the page). Held posts notify nobody until a moderator
  approves them (forum.moderation calls `notify_published`).
- Each member chooses how e-mail arrives (Member.notification_frequency): immediately (one
  message per notification, through resourcecenter.emails.queue_templated_email, i.e. the task
  queue),
  a daily digest (`manage.py forum_send_digests`), or off. In-site notices always appear.
- Every e-mail carries signed unsubscribe links (django.core.signing; no login needed) for the
  thread, the category, or all forum e-mail, plus a List-Unsubscribe header (RFC 8058).
What members chose (watching, e-mail frequency, unsubscribe links) lives in forum.watching.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from forum import permissions as perms
from forum import signals
from forum.models import (
    Member,
    Notification,
    NotificationFrequency,
    NotificationKind,
    Post,
    PostState,
    Subscription,
    Thread,
    ThreadState,
)
from forum.watching import absolute, unsubscribe_url
from resourcecenter import roles
from resourcecenter.emails import queue_templated_email

UNREAD_CAP = 99
DIGEST_MAX = 50  # a digest lists the latest updates; the rest are on the notifications page


# --- creating notifications --------------------------------------------------------------------


def _may_see(user, thread: Thread, post: Post | None) -> bool:
    if not user.is_active:
        return False
    if not perms.can_see_thread(user, thread):
        return False
    return post is None or bool(perms.can_see_post_content(user, post))


def notify(
    recipients: Iterable,
    *,
    kind: str,
    thread: Thread | None = None,
    post: Post | None = None,
    actor=None,
    message: str = "",
) -> list[Notification]:
    """Create one notification per recipient who may see the thing (never the actor), and
    e-mail those who want immediate e-mail. Returns the notifications created."""
    seen, created = set(), []
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        if thread is not None and not _may_see(user, thread, post):
            continue
        created.append(
            Notification(
                recipient=user,
                kind=kind,
                thread=thread,
                post=post,
                actor=actor,
                message=message[:300],
            )
        )
    if not created:
        return []
    Notification.objects.bulk_create(created)
    frequencies = dict(
        Member.objects.filter(user_id__in=[n.recipient_id for n in created]).values_list(
            "user_id", "notification_frequency"
        )
    )
    immediate = [
        n
        for n in created
        if frequencies.get(n.recipient_id, NotificationFrequency.IMMEDIATE)
        == NotificationFrequency.IMMEDIATE
    ]
    for notification in immediate:
        _email_one(notification)
    if immediate:
        Notification.objects.filter(pk__in=[n.pk for n in immediate if n.pk]).update(
            emailed_at=timezone.now()
        )
    return created


def describe(notification: Notification) -> str:
    """One line for lists and e-mail subjects."""
    actor = notification.actor.public_name if notification.actor else "Someone"
    title = notification.thread.title if notification.thread else ""
    kind = notification.kind
    if kind == NotificationKind.REPLY:
        return f"{actor} replied in “{title}”"
    if kind == NotificationKind.NEW_THREAD:
        return f"New thread in {notification.thread.category.name}: “{title}”"
    if kind == NotificationKind.MENTION:
        return f"{actor} mentioned you in “{title}”"
    if kind == NotificationKind.QUOTE:
        return f"{actor} quoted you in “{title}”"
    if kind == NotificationKind.ACCEPTED:
        return f"Your answer in “{title}” was accepted"
    if kind == NotificationKind.OFFICIAL:
        return f"Support staff marked an official answer in “{title}”"
    if kind == NotificationKind.SOLVED:
        return f"“{title}” is solved"
    return notification.message or f"Moderation: “{title}”"


def target_url(notification: Notification) -> str:
    if notification.post_id:
        return reverse("forum:post", kwargs={"pk": notification.post_id})
    if notification.thread_id:
        return notification.thread.get_absolute_url()
    return reverse("forum:notifications")


def _email_context(user, notifications: list[Notification]) -> dict:
    items = [
        {
            "summary": describe(n),
            "message": n.message,
            "url": absolute(target_url(n)),
            "excerpt": (n.post.body_markdown[:600] if n.post_id else ""),
            "thread_unsubscribe": (
                unsubscribe_url(user, "thread", n.thread_id) if n.thread_id else ""
            ),
        }
        for n in notifications
    ]
    return {
        "user": user,
        "items": items,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "settings_url": absolute(reverse("forum:notification_settings")),
        "unsubscribe_all_url": unsubscribe_url(user, "all"),
    }


def _send(user, subject: str, context: dict, *, template: str, unsubscribe: str) -> None:
    queue_templated_email(
        [user.email],
        subject,
        f"forum/emails/{template}",
        context,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _email_one(notification: Notification) -> None:
    user = notification.recipient
    if not user.email:
        return
    context = _email_context(user, [notification])
    item = context["items"][0]
    context["item"] = item
    unsubscribe = item["thread_unsubscribe"] or context["unsubscribe_all_url"]
    if notification.kind == NotificationKind.NEW_THREAD and notification.thread_id:
        unsubscribe = unsubscribe_url(user, "category", notification.thread.category_id)
        context["category_unsubscribe"] = unsubscribe
        item["thread_unsubscribe"] = ""
    _send(user, item["summary"], context, template="notification", unsubscribe=unsubscribe)


def send_digests(*, now=None) -> int:
    """E-mail every daily-digest member their notifications not yet e-mailed; returns how many
    digests were sent. Idempotent: each notification goes out at most once."""
    now = now or timezone.now()
    sent = 0
    members = Member.objects.filter(
        notification_frequency=NotificationFrequency.DAILY
    ).select_related("user")
    for member in members.iterator():
        user = member.user
        with transaction.atomic():
            unsent = Notification.objects.select_for_update(of=("self",)).filter(
                recipient=user, emailed_at__isnull=True, created_at__lte=now
            )
            total = unsent.count()
            pending = list(
                unsent.select_related("thread__category", "post", "actor").order_by(
                    "-created_at", "-pk"
                )[:DIGEST_MAX]
            )[::-1]
            pending = [n for n in pending if n.thread is None or _may_see(user, n.thread, n.post)]
            if pending and user.email and user.is_active:
                context = _email_context(user, pending)
                context["more"] = max(0, total - DIGEST_MAX)
                context["notifications_url"] = absolute(reverse("forum:notifications"))
                _send(
                    user,
                    f"Your Community digest: {total} update" + ("s" if total != 1 else ""),
                    context,
                    template="digest",
                    unsubscribe=context["unsubscribe_all_url"],
                )
                sent += 1
            Notification.objects.filter(
                recipient=user, emailed_at__isnull=True, created_at__lte=now
            ).update(emailed_at=now)
            Member.objects.filter(pk=member.pk).update(last_digest_sent_at=now)
    return sent


# --- reading and marking -----------------------------------------------------------------------


def unread_count(user) -> int:
    """Unread notifications, capped at UNREAD_CAP + 1 (one bounded query)."""
    if not perms.is_authenticated(user):
        return 0

    def count() -> int:
        ids = Notification.objects.filter(recipient=user, read_at__isnull=True).values("pk")
        return len(ids[: UNREAD_CAP + 1])

    return roles.guardian_for(user).memo("forum.unread", count)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ids) as read; returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


# --- event receivers ---------------------------------------------------------------------------


def _thread_watchers(thread: Thread):
    from resourcecenter.models import User

    return User.objects.filter(Q(forum_subscriptions__thread=thread), is_active=True).distinct()


def _category_watchers(category_id: int):
    from resourcecenter.models import User

    return User.objects.filter(
        forum_subscriptions__category_id=category_id, is_active=True
    ).distinct()


def _announce_post(post: Post) -> None:
    """Tell watchers and mentioned members about a post that is now published."""
    thread = post.thread
    if post.moderation_state != PostState.APPROVED:
        return
    if thread.moderation_state != ThreadState.VISIBLE:
        return
    author = post.author
    mentioned = list(post.mentions.all())
    mentioned_ids = {u.pk for u in mentioned}
    if mentioned:
        notify(mentioned, kind=NotificationKind.MENTION, thread=thread, post=post, actor=author)
    quoted_author_id = None
    if post.quote_of_id and post.quote_of and post.quote_of.author_id:
        quoted_author_id = post.quote_of.author_id
        if quoted_author_id not in mentioned_ids:
            notify(
                [post.quote_of.author],
                kind=NotificationKind.QUOTE,
                thread=thread,
                post=post,
                actor=author,
            )
    skip = mentioned_ids | ({quoted_author_id} if quoted_author_id else set())
    if post.number == 1:
        watchers = [u for u in _category_watchers(thread.category_id) if u.pk not in skip]
        notify(watchers, kind=NotificationKind.NEW_THREAD, thread=thread, post=post, actor=author)
    else:
        watchers = [u for u in _thread_watchers(thread) if u.pk not in skip]
        notify(watchers, kind=NotificationKind.REPLY, thread=thread, post=post, actor=author)


def notify_published(post_ids: Iterable[int]) -> None:
    """Called after a moderator approved held posts: announce them as if just posted."""
    posts = Post.objects.filter(pk__in=list(post_ids)).select_related(
        "thread__category", "author", "quote_of__author"
    )
    for post in posts.order_by("thread_id", "number"):
        if post.number == 1 and post.thread.author_id:
            Subscription.objects.get_or_create(user_id=post.thread.author_id, thread=post.thread)
        _announce_post(post)


def notify_moderated(post_ids: Iterable[int], *, verb: str, reason: str) -> None:
    """Tell authors that a moderator rejected or hid their post, and why."""
    words = {"reject": "rejected", "hide": "hid"}
    posts = Post.objects.filter(pk__in=list(post_ids)).select_related("thread", "author")
    for post in posts:
        if post.author_id is None:
            continue
        message = f"A moderator {words.get(verb, verb)} your post in “{post.thread.title}”"
        if reason:
            message += f": {reason}"
        Notification.objects.create(
            recipient=post.author,
            kind=NotificationKind.MODERATION,
            thread=post.thread,
            post=post,
            message=message[:300],
        )


@receiver(signals.thread_created, dispatch_uid="forum_notifications_thread_created")
def _on_thread_created(sender, thread, post, author, **kwargs):
    if author is not None:
        Subscription.objects.get_or_create(user=author, thread=thread)


@receiver(signals.post_created, dispatch_uid="forum_notifications_post_created")
def _on_post_created(sender, post, thread, author, **kwargs):
    post = Post.objects.select_related("thread__category", "author", "quote_of__author").get(
        pk=post.pk
    )
    _announce_post(post)


@receiver(signals.mentions_found, dispatch_uid="forum_notifications_mentions_edit")
def _on_mentions(sender, post, users, **kwargs):
    # New posts are announced by post_created (mentions included); this covers edits that add
    # mentions to an already published post.
    post = Post.objects.select_related("thread__category", "author").get(pk=post.pk)
    if post.edit_count == 0:
        return
    if post.moderation_state == PostState.APPROVED:
        notify(
            users, kind=NotificationKind.MENTION, thread=post.thread, post=post, actor=post.author
        )


@receiver(signals.thread_solved, dispatch_uid="forum_notifications_thread_solved")
def _on_thread_solved(sender, thread, post, by, **kwargs):
    thread = Thread.objects.select_related("category").get(pk=thread.pk)
    post = Post.objects.select_related("author").get(pk=post.pk)
    if post.author is not None:
        notify([post.author], kind=NotificationKind.ACCEPTED, thread=thread, post=post, actor=by)
    watchers = [u for u in _thread_watchers(thread) if u.pk != post.author_id]
    notify(watchers, kind=NotificationKind.SOLVED, thread=thread, post=post, actor=by)


@receiver(signals.official_answer_marked, dispatch_uid="forum_notifications_official")
def _on_official(sender, post, thread, by, **kwargs):
    thread = Thread.objects.select_related("category").get(pk=thread.pk)
    notify(
        list(_thread_watchers(thread)),
        kind=NotificationKind.OFFICIAL,
        thread=thread,
        post=post,
        actor=by,
    )
