"""`{% forum_unread_count as n %}`: the signed-in user's unread Community notifications.

One bounded query per request (capped at notifications.UNREAD_CAP + 1, cached on the user), so
the header costs the same however many notifications someone has.
"""

from django import template

from forum import notifications, watching

register = template.Library()


@register.simple_tag(takes_context=True)
def forum_unread_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return 0
    return notifications.unread_count(user)


@register.filter
def unread_label(count: int) -> str:
    """'99+' beyond the cap, so the badge never pretends to an exact large number."""
    return f"{notifications.UNREAD_CAP}+" if count > notifications.UNREAD_CAP else str(count)


@register.simple_tag(takes_context=True)
def is_watching_thread(context, thread) -> bool:
    request = context.get("request")
    return watching.is_watching_thread(getattr(request, "user", None), thread)


@register.simple_tag(takes_context=True)
def is_watching_category(context, category) -> bool:
    request = context.get("request")
    return watching.is_watching_category(getattr(request, "user", None), category)


@register.simple_tag(takes_context=True)
def category_watch_state(context, category) -> dict:
    """{"can": Verdict, "watching": bool} for the category page's watch button."""
    from forum import permissions as perms

    request = context.get("request")
    user = getattr(request, "user", None)
    verdict = perms.can_watch_category(user, category)
    return {
        "can": verdict,
        "watching": bool(verdict) and watching.is_watching_category(user, category),
    }
