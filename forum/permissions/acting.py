"""Who may do what to a thread or post: start, reply, edit, delete, vote, accept, mark official,
flag, sanction, watch, preview, and the per-thread and per-post action sets templates show.
Part of forum.permissions."""

from __future__ import annotations

from forum.models import Category, Post, PostState, Thread, ThreadState, ThreadStatus
from forum.permissions.reading import (
    can_read_category,
    can_see_post_content,
    can_see_thread,
    readable_category_ids,
)
from forum.permissions.standing import (
    ALLOW,
    SIGN_IN,
    Verdict,
    can_moderate,
    can_participate,
    can_write,
    deny,
    is_authenticated,
)
from resourcecenter import roles


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
