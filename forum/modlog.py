"""The moderation log's one writer: every moderator action (forum.moderation, forum.flags, the
moderator's edit and delete in forum.services, the admin screens) appends its entry here, so
an entry always names its target, thread, post and the member concerned the same way.

It lives apart from forum.moderation because forum.services (which forum.moderation builds on)
writes entries too.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from forum.models import Member, ModerationLogEntry, Post, Thread


def log(
    *,
    actor,
    action: str,
    target,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    thread: Thread | None = None,
    post: Post | None = None,
    subject_user=None,
) -> ModerationLogEntry:
    """Append one entry to the moderation log (call inside the action's transaction)."""
    if isinstance(target, Post):
        post = post or target
        thread = thread or target.thread
        subject_user = subject_user if subject_user is not None else target.author
        target_repr = f"Post #{target.number} in “{thread.title}”"
    elif isinstance(target, Thread):
        thread = thread or target
        subject_user = subject_user if subject_user is not None else target.author
        target_repr = f"Thread “{target.title}”"
    elif isinstance(target, Member):
        subject_user = subject_user if subject_user is not None else target.user
        target_repr = f"Member {target.user.public_name} <{target.user.email}>"
    else:
        target_repr = str(target)
    return ModerationLogEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_content_type=ContentType.objects.get_for_model(type(target)),
        target_object_id=str(target.pk),
        target_repr=target_repr[:300],
        thread=thread,
        post=post,
        subject_user=subject_user,
        reason=reason,
        before=before or {},
        after=after or {},
    )
