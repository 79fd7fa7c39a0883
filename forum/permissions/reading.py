"""Who may read what: categories (the tiers gate, through resourcecenter.access), threads and
posts, as answers (`can_see_*`) and as the same rules in SQL (`visible_threads_q`,
`listed_posts_q`) so selectors filter in the query. Part of forum.permissions."""

from __future__ import annotations

from django.db.models import Q

from forum.models import Category, Post, PostState, Thread, ThreadState
from forum.permissions.standing import ALLOW, Verdict, deny, is_authenticated
from resourcecenter import access, roles


def readable_category_ids(user) -> frozenset[int]:
    """Ids of the categories `user` may read: active ones the tiers gate allows (moderators also
    see inactive ones).

    Computed with one query (plus the gate's), then kept - by the user's guardian and in the
    shared cache - for as long as the forum cache's access generation stands: any change to
    categories, restrictions, plans, subscriptions or roles moves it (forum.cache), so the
    answer is never stale."""
    from forum import cache

    now = cache.access_generation()

    def load() -> frozenset[int]:
        key = f"forum:readable:{now}:{user.pk if is_authenticated(user) else 'anon'}"
        ids = cache.cache.get(key)
        if ids is None:
            categories = Category.objects.all()
            if not roles.is_moderator(user):
                categories = categories.filter(is_active=True)
            ids = frozenset(c.pk for c in categories if access.can_read_category(user, c))
            cache.cache.set(key, ids, cache.VIEWER_TTL)
        return ids

    return roles.guardian_for(user).memo(f"forum.readable:{now}", load)


def can_read_category(user, category: Category) -> Verdict:
    if not category.is_active and not roles.is_moderator(user):
        return deny("This category is not available.")
    if category.pk not in readable_category_ids(user):
        return deny("This category is available on a support plan that includes it.")
    return ALLOW


def visible_threads_q(user, *, prefix: str = "") -> Q:
    """SQL for "threads `user` may see in lists": visible ones in readable categories, plus
    their own held threads; moderators also see held and hidden ones (never deleted in lists)."""
    p = prefix
    q = Q(**{f"{p}category_id__in": readable_category_ids(user)})
    states = Q(**{f"{p}moderation_state": ThreadState.VISIBLE})
    if roles.is_moderator(user):
        states |= Q(**{f"{p}moderation_state__in": [ThreadState.HELD, ThreadState.HIDDEN]})
    elif is_authenticated(user):
        states |= Q(**{f"{p}moderation_state": ThreadState.HELD, f"{p}author": user})
    return q & states


def can_see_thread(user, thread: Thread) -> Verdict:
    """May `user` open the thread page? (Category gate + moderation state.)"""
    if not can_read_category(user, thread.category):
        return deny("This thread is in a category you cannot read.")
    state = thread.moderation_state
    if state == ThreadState.VISIBLE or roles.is_moderator(user):
        return ALLOW
    if state == ThreadState.HELD and is_authenticated(user) and thread.author_id == user.pk:
        return ALLOW
    if state == ThreadState.HIDDEN and thread.merged_into_id:
        return ALLOW  # the thread page redirects to the thread it was merged into
    if state == ThreadState.HELD:
        return deny("This thread is waiting for a moderator's approval.")
    return deny("This thread is no longer available.")


def listed_posts_q(user) -> Q:
    """SQL for the posts shown (as content or placeholder) on a thread page to `user`.

    Approved, hidden and deleted posts keep their place (hidden/deleted show a placeholder);
    held and rejected ones appear only to their author and moderators.
    """
    if roles.is_moderator(user):
        return Q()
    public = Q(
        moderation_state__in=[PostState.APPROVED, PostState.HIDDEN, PostState.DELETED],
    )
    if is_authenticated(user):
        public |= Q(moderation_state__in=[PostState.HELD, PostState.REJECTED], author=user)
    return public


def can_see_post_content(user, post: Post) -> Verdict:
    """Whether the body is shown (else a placeholder such as "deleted" or "hidden")."""
    state = post.moderation_state
    if state == PostState.APPROVED or roles.is_moderator(user):
        return ALLOW
    own = is_authenticated(user) and post.author_id == user.pk
    if state in (PostState.HELD, PostState.REJECTED, PostState.HIDDEN) and own:
        return ALLOW
    if state == PostState.DELETED:
        return deny("This post was deleted.")
    if state == PostState.HIDDEN:
        return deny("This post is hidden pending a moderator's review.")
    return deny("This post is waiting for a moderator's approval.")


def can_see_post(user, post: Post) -> Verdict:
    """May `user` follow the post's permalink (it is listed for them in a thread they see)?"""
    verdict = can_see_thread(user, post.thread)
    if not verdict:
        return verdict
    if post.moderation_state in (PostState.HELD, PostState.REJECTED):
        own = is_authenticated(user) and post.author_id == user.pk
        if not (own or roles.is_moderator(user)):
            return deny("This post is waiting for a moderator's approval.")
    return ALLOW
