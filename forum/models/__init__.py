"""The Community: categories, threads, posts and everything that hangs off them.

Counters on Thread and Post (reply_count, view_count, helpful_count, ...) are denormalised for
cheap listings. They are only ever written by forum.services (F() expressions or recomputation
inside a transaction), never by read-modify-write in Python, so they stay exact under concurrent
writes. Visibility is a *state* on the row (moderation_state), never a hard delete: the history
of a conversation and of its moderation survives.

The classes live in forum.models.threads, .members, .moderation and .imported; this package
exports them all, as Django and every caller expect of `forum.models`.
"""

from forum.models.imported import ImportedKind, ImportedRecord
from forum.models.members import (
    Member,
    Notification,
    NotificationFrequency,
    NotificationKind,
    Subscription,
    TrustLevel,
)
from forum.models.moderation import (
    AppendOnlyQuerySet,
    Flag,
    FlagReason,
    FlagResolution,
    ModerationLogEntry,
)
from forum.models.threads import (
    Category,
    Post,
    PostRevision,
    PostState,
    PostVote,
    Tag,
    Thread,
    ThreadState,
    ThreadStatus,
)

__all__ = [
    "AppendOnlyQuerySet",
    "Category",
    "Flag",
    "FlagReason",
    "FlagResolution",
    "ImportedKind",
    "ImportedRecord",
    "Member",
    "ModerationLogEntry",
    "Notification",
    "NotificationFrequency",
    "NotificationKind",
    "Post",
    "PostRevision",
    "PostState",
    "PostVote",
    "Subscription",
    "Tag",
    "Thread",
    "ThreadState",
    "ThreadStatus",
    "TrustLevel",
]
