"""Watching and the e-mail the Community sends: who watches which thread or category
(Subscription rows), how each member's e-mail arrives (Member.notification_frequency), and the
signed unsubscribe links every e-mail carries (django.core.signing; no login needed).
forum.notifications decides who hears about what; this module holds what each member chose."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from forum import permissions as perms
from forum.member_services import ensure_member
from forum.models import Category, Member, NotificationFrequency, Subscription, Thread

UNSUBSCRIBE_SALT = "forum.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 180  # links in old e-mails keep working for half a year


def watch_thread(user, thread: Thread) -> bool:
    """Start watching `thread`; False if already watching. Checks permission."""
    return _watch(user, perms.can_watch_thread(user, thread), thread=thread)


def unwatch_thread(user, thread: Thread | int) -> bool:
    thread_id = thread if isinstance(thread, int) else thread.pk
    deleted, _ = Subscription.objects.filter(user=user, thread_id=thread_id).delete()
    return bool(deleted)


def watch_category(user, category: Category) -> bool:
    """Start watching new threads in `category`; False if already watching. Checks permission."""
    return _watch(user, perms.can_watch_category(user, category), category=category)


def unwatch_category(user, category: Category | int) -> bool:
    category_id = category if isinstance(category, int) else category.pk
    deleted, _ = Subscription.objects.filter(user=user, category_id=category_id).delete()
    return bool(deleted)


def _watch(user, verdict, **target) -> bool:
    """The Subscription of `user` to `target` (a thread or a category) if `verdict` allows it."""
    if not verdict:
        from forum.services import ForumPermissionDenied

        raise ForumPermissionDenied(verdict.reason)
    try:
        with transaction.atomic():
            _, created = Subscription.objects.get_or_create(user=user, **target)
    except IntegrityError:
        return False
    return created


def is_watching_thread(user, thread: Thread) -> bool:
    if not perms.is_authenticated(user):
        return False
    return Subscription.objects.filter(user=user, thread=thread).exists()


def is_watching_category(user, category: Category) -> bool:
    if not perms.is_authenticated(user):
        return False
    return Subscription.objects.filter(user=user, category=category).exists()


def set_frequency(user, frequency: str) -> Member:
    """Choose how forum e-mail arrives: immediately, as a daily digest, or not at all."""
    from django.core.exceptions import ValidationError

    if frequency not in NotificationFrequency.values:
        raise ValidationError({"frequency": "Choose immediately, daily digest or off."})
    member = ensure_member(user)
    Member.objects.filter(pk=member.pk).update(notification_frequency=frequency)
    member.notification_frequency = frequency
    return member


# --- unsubscribe tokens ------------------------------------------------------------------------


def unsubscribe_token(user, scope: str, object_id: int | None = None) -> str:
    """A signed token for "stop e-mailing me about <scope>" (scope: thread, category or all)."""
    return signing.dumps({"u": user.pk, "s": scope, "o": object_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict:
    """The token's data; raises signing.BadSignature (incl. SignatureExpired) if invalid."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or data.get("s") not in ("thread", "category", "all"):
        raise signing.BadSignature("Unknown unsubscribe scope.")
    return data


def apply_unsubscribe(data: dict) -> str:
    """Carry out a verified unsubscribe; returns a sentence describing what changed."""
    from resourcecenter.models import User

    user = User.objects.filter(pk=data["u"]).first()
    if user is None:
        return "This account no longer exists; it receives no e-mail."
    scope, object_id = data["s"], data.get("o")
    if scope == "thread":
        thread = Thread.objects.filter(pk=object_id).first()
        unwatch_thread(user, object_id or 0)
        title = f"“{thread.title}”" if thread else "that thread"
        return f"You no longer watch {title}."
    if scope == "category":
        category = Category.objects.filter(pk=object_id).first()
        unwatch_category(user, object_id or 0)
        name = category.name if category else "that category"
        return f"You no longer watch new threads in {name}."
    set_frequency(user, NotificationFrequency.OFF)
    return "You will receive no more e-mail from the Community."


def absolute(url: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


def unsubscribe_url(user, scope: str, object_id: int | None = None) -> str:
    token = unsubscribe_token(user, scope, object_id)
    return absolute(reverse("forum:unsubscribe", kwargs={"token": token}))
