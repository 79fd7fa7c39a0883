"""`{% forum_unread_count as n %}`: the signed-in user's unread Community notifications.

One bounded query (capped at notifications.UNREAD_CAP + 1), and like the watch buttons' state
kept per reader generation (forum.cache): a new notification, one marked read or a change of
what the reader watches moves it, so a page read again does not ask.
"""

from django import template

from forum import notifications, watching
from forum.cache import remember

register = template.Library()


def _kept(name: str, user, compute):
    """`compute()` for the signed-in `user`, kept per reader generation (no one else's)."""
    if not getattr(user, "is_authenticated", False):
        return compute()  # answered without a query
    return remember(f"{name}:{user.pk}", compute, reader=True)


@register.simple_tag(takes_context=True)
def forum_unread_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return 0
    return _kept("unread", user, lambda: notifications.unread_count(user))


@register.filter
def unread_label(count: int) -> str:
    """'99+' beyond the cap, so the badge never pretends to an exact large number."""
    return f"{notifications.UNREAD_CAP}+" if count > notifications.UNREAD_CAP else str(count)


@register.simple_tag(takes_context=True)
def is_watching_thread(context, thread) -> bool:
    user = getattr(context.get("request"), "user", None)
    return _kept(
        f"watching-thread:{thread.pk}", user, lambda: watching.is_watching_thread(user, thread)
    )


def _watching_category(user, category) -> bool:
    return _kept(
        f"watching-category:{category.pk}",
        user,
        lambda: watching.is_watching_category(user, category),
    )


@register.simple_tag(takes_context=True)
def is_watching_category(context, category) -> bool:
    return _watching_category(getattr(context.get("request"), "user", None), category)


@register.simple_tag(takes_context=True)
def category_watch_state(context, category) -> dict:
    """{"can": Verdict, "watching": bool} for the category page's watch button."""
    from forum import permissions as perms

    request = context.get("request")
    user = getattr(request, "user", None)
    verdict = perms.can_watch_category(user, category)
    return {"can": verdict, "watching": bool(verdict) and _watching_category(user, category)}
