"""THE place that answers "may this user X this thing?" for the forum.

Views, templates (through the context views build), services and selectors all ask here; nothing
re-derives a rule. Each `can_*` function returns a `Verdict`: truthy when allowed, falsy with a
`reason` a person can read when not ("This thread is locked.").

Reading a category is the tiers gate's decision, asked through resourcecenter.access; who is support
staff or a moderator is resourcecenter.roles'. Sanctions and trust come from forum.models.Member.

Queryset helpers (`visible_threads_q`, `listed_posts_q`) express the same rules as SQL so
selectors filter in the query, never after paging.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from forum.conf import app_settings
from forum.models import Category, Member, Post, PostState, Thread, ThreadState, ThreadStatus
from forum.models import TrustLevel as TL
from resourcecenter import access, roles
from resourcecenter.templatetags.wording import when


@dataclass(frozen=True)
class Verdict:
    """An answer with its reason: `if can_reply(user, thread): ...`; `verdict.reason` otherwise."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Verdict(True)


def deny(reason: str) -> Verdict:
    return Verdict(False, reason)


SIGN_IN = "Sign in to take part in the Community."


# --- who is who --------------------------------------------------------------------------------


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_support_staff(user) -> bool:
    return roles.is_support_staff(user)


def can_moderate(user) -> Verdict:
    """Moderators (and support staff) moderate everything in the forum."""
    return ALLOW if roles.is_moderator(user) else deny("Only moderators can do that.")


MEMBER_MEMO = "forum.member"


def get_member(user) -> Member | None:
    """The user's community standing (unsaved default if they never posted); None if anonymous.

    Kept by the user's guardian for the request; reads never write.
    """
    if not is_authenticated(user):
        return None
    return roles.guardian_for(user).memo(
        MEMBER_MEMO, lambda: Member.objects.filter(user=user).first() or Member(user=user)
    )


def remember_member(user, member: Member) -> None:
    """After a write in this request: later questions see `member` without a query."""
    roles.guardian_for(user).remember(MEMBER_MEMO, member)


def forget_member(user) -> None:
    """After an UPDATE that bypassed the object: the next question reads it again."""
    roles.guardian_for(user).forget(MEMBER_MEMO)


def trust_level(user) -> str | None:
    """The member's level. A new member whom a paying customer organisation vouches for
    (access.vouched_for: a verified member) starts as a member - unless staff set "new" by hand."""
    member = get_member(user)
    if member is None:
        return None
    vouchable = member.trust_level == TL.NEW and not member.trust_level_locked
    if vouchable and access.vouched_for(user):
        return TL.MEMBER
    return member.trust_level


def post_requires_approval(user) -> bool:
    """Whether a new post by `user` is held for a moderator before anyone else sees it.

    New members' first FORUM_NEW_MEMBER_APPROVAL_POSTS posts are held; staff and moderators never.
    """
    if roles.is_moderator(user):
        return False
    member = get_member(user)
    if member is None:
        return True
    approved = member.approved_post_count
    return trust_level(user) == TL.NEW and approved < app_settings.NEW_MEMBER_APPROVAL_POSTS


def may_post_links(user) -> bool:
    """New members' links are shown as text and their images dropped (anti-spam)."""
    if roles.is_moderator(user):
        return True
    return trust_level(user) not in (None, TL.NEW)


def _sanction(user, *, silenced_blocks: bool) -> Verdict:
    member = get_member(user)
    if member is None:
        return deny(SIGN_IN)
    if member.suspended_until is None and member.silenced_until is None:
        return ALLOW  # the usual answer, asked for every post of a page: no clock needed
    now = timezone.now()
    if member.is_suspended(now):
        return deny(
            f"Your account is suspended from the Community until {when(member.suspended_until)}."
        )
    if silenced_blocks and member.is_silenced(now):
        return deny(f"You cannot post until {when(member.silenced_until)}.")
    return ALLOW


def can_write(user) -> Verdict:
    """Signed in and neither suspended nor silenced: may post and edit."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return _sanction(user, silenced_blocks=True)


def can_participate(user) -> Verdict:
    """Signed in and not suspended: may vote and flag (silenced members still may)."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return _sanction(user, silenced_blocks=False)


# --- reading -----------------------------------------------------------------------------------


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


# --- writing -----------------------------------------------------------------------------------


def can_start_thread(user, category: Category) -> Verdict:
    verdict = can_write(user)
    if not verdict:
        return verdict
    if not category.is_active:
        return deny("This category does not accept new threads.")
    if category.pk not in readable_category_ids(user):
        return deny("This category is available on a support plan that includes it.")
    if category.staff_only_posting and not roles.is_support_staff(user):
        return deny("Only support staff start threads in this category.")
    return ALLOW


def can_reply(user, thread: Thread) -> Verdict:
    verdict = can_write(user)
    if not verdict:
        return verdict
    verdict = can_see_thread(user, thread)
    if not verdict:
        return verdict
    if roles.is_moderator(user):
        return (
            ALLOW
            if thread.moderation_state != ThreadState.DELETED
            else deny("This thread was deleted.")
        )
    if thread.moderation_state != ThreadState.VISIBLE:
        return deny("Replies open once a moderator has approved this thread.")
    if thread.locked:
        return deny("This thread is locked; it takes no new replies.")
    if thread.status == ThreadStatus.CLOSED:
        if thread.duplicate_of_id:
            return deny("This thread was closed as a duplicate; please reply in the original.")
        return deny("This thread is closed.")
    return ALLOW


def can_edit_post(user, post: Post) -> Verdict:
    """Moderators may always edit; authors their own posts unless removed or the thread is
    locked or closed."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    if roles.is_moderator(user):
        return ALLOW
    if post.author_id != user.pk:
        return deny("You can only edit your own posts.")
    verdict = can_write(user)
    if not verdict:
        return verdict
    if post.moderation_state in (PostState.DELETED, PostState.REJECTED, PostState.HIDDEN):
        return deny("This post can no longer be edited.")
    thread = post.thread
    if thread.locked or thread.status == ThreadStatus.CLOSED:
        return deny("This thread is locked; its posts can no longer be edited.")
    if thread.moderation_state in (ThreadState.HIDDEN, ThreadState.DELETED):
        return deny("This thread is no longer available.")
    return ALLOW


def can_delete_post(user, post: Post) -> Verdict:
    """Moderators may delete any post; authors their own replies (not an accepted answer) and
    their own question while nobody has replied."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    if post.moderation_state == PostState.DELETED:
        return deny("This post is already deleted.")
    if roles.is_moderator(user):
        return ALLOW
    if post.author_id != user.pk:
        return deny("You can only delete your own posts.")
    verdict = can_write(user)
    if not verdict:
        return verdict
    thread = post.thread
    if thread.locked:
        return deny("This thread is locked.")
    if post.number == 1 and thread.reply_count > 0:
        return deny("A question with replies cannot be deleted; ask a moderator if needed.")
    if thread.accepted_answer_id == post.pk:
        return deny("The accepted answer cannot be deleted.")
    return ALLOW


def can_view_revisions(user, post: Post) -> Verdict:
    """Edit history is shown to staff, moderators and the post's author."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    if roles.is_moderator(user) or post.author_id == user.pk:
        return ALLOW
    return deny("Only the author and staff can see the edit history.")


def can_vote(user, post: Post) -> Verdict:
    verdict = can_participate(user)
    if not verdict:
        return verdict
    if post.author_id == user.pk:
        return deny("You cannot vote for your own post.")
    if post.moderation_state != PostState.APPROVED:
        return deny("Only published posts can be voted on.")
    if post.thread.moderation_state != ThreadState.VISIBLE:
        return deny("This thread is not published.")
    return ALLOW


def can_accept_answer(user, thread: Thread, post: Post | None = None) -> Verdict:
    """The thread's author or support staff mark a reply as the accepted answer (solved)."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    if not (thread.author_id == user.pk or roles.is_support_staff(user)):
        return deny("Only the person who asked or support staff can accept an answer.")
    if not roles.is_support_staff(user):
        verdict = can_write(user)
        if not verdict:
            return verdict
    if thread.moderation_state != ThreadState.VISIBLE:
        return deny("This thread is not published.")
    if post is not None:
        if post.thread_id != thread.pk:
            return deny("That post is not in this thread.")
        if post.number == 1:
            return deny("The question itself cannot be its answer.")
        if post.moderation_state != PostState.APPROVED:
            return deny("Only published replies can be accepted.")
    return ALLOW


def can_mark_official(user, post: Post) -> Verdict:
    """Support staff mark a reply as the official answer."""
    if not roles.is_support_staff(user):
        return deny("Only support staff can mark an official answer.")
    if post.number == 1:
        return deny("The question itself cannot be its answer.")
    if post.moderation_state != PostState.APPROVED:
        return deny("Only published replies can be marked official.")
    return ALLOW


def can_flag(user, post: Post) -> Verdict:
    verdict = can_participate(user)
    if not verdict:
        return verdict
    if post.author_id == user.pk:
        return deny("You cannot flag your own post.")
    if post.moderation_state not in (PostState.APPROVED, PostState.HIDDEN):
        return deny("This post cannot be flagged.")
    return ALLOW


def can_sanction(user, subject) -> Verdict:
    """Moderators suspend or silence members, never support staff, moderators or themselves."""
    verdict = can_moderate(user)
    if not verdict:
        return verdict
    if getattr(subject, "pk", None) == user.pk:
        return deny("You cannot moderate your own account.")
    if roles.is_moderator(subject):
        return deny("Staff and moderators cannot be suspended or silenced here.")
    return ALLOW


def can_set_trust(user, subject) -> Verdict:
    """Moderators set trust levels by hand (not their own)."""
    verdict = can_moderate(user)
    if not verdict:
        return verdict
    if getattr(subject, "pk", None) == user.pk:
        return deny("You cannot change your own trust level.")
    return ALLOW


def can_watch_thread(user, thread: Thread) -> Verdict:
    """Signed-in readers of a thread may watch it (suspension does not stop reading)."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return can_see_thread(user, thread)


def can_watch_category(user, category: Category) -> Verdict:
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return can_read_category(user, category)


def can_use_notifications(user) -> Verdict:
    """Notifications and their settings belong to a signed-in user."""
    return ALLOW if is_authenticated(user) else deny(SIGN_IN)


def can_view_triage(user) -> Verdict:
    """The triage view is the support team's worklist."""
    if roles.is_support_staff(user):
        return ALLOW
    return deny("The triage view is for support staff.")


def can_preview(user) -> Verdict:
    """Preview renders Markdown for the form; any signed-in member may use it."""
    return ALLOW if is_authenticated(user) else deny(SIGN_IN)


def thread_actions(user, thread: Thread) -> dict[str, Verdict]:
    """Thread-level verdicts for templates (they never re-derive rules)."""
    return {
        "reply": can_reply(user, thread),
        "accept": can_accept_answer(user, thread),
        "moderate": can_moderate(user),
        "triage": can_view_triage(user),
        "watch": can_watch_thread(user, thread),
    }


def post_actions(
    user, post: Post, thread: Thread, *, thread_can: dict[str, Verdict] | None = None
) -> dict[str, Verdict]:
    """Per-post verdicts for the thread page; no queries beyond the cached member/groups.

    `thread_can` (thread_actions' answers for the same user and thread) saves re-deriving the
    thread-level verdicts for every post of the page."""
    post.thread = thread  # avoid a query per post for post.thread
    if thread_can is None:
        thread_can = {"reply": can_reply(user, thread), "moderate": can_moderate(user)}
    return {
        "content": can_see_post_content(user, post),
        "edit": can_edit_post(user, post),
        "delete": can_delete_post(user, post),
        "vote": can_vote(user, post),
        "flag": can_flag(user, post),
        "accept": can_accept_answer(user, thread, post),
        "official": can_mark_official(user, post),
        "revisions": can_view_revisions(user, post),
        "reply": thread_can["reply"],
        "moderate": thread_can["moderate"],
    }
