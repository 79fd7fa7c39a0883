"""THE place that answers "may this user X this thing?" for the forum.

Views, templates (through the context views build), services and selectors all ask here; nothing
re-derives a rule. Each `can_*` function returns a `Verdict`: truthy when allowed, falsy with a
`reason` a person can read when not ("This thread is locked.").

Reading a category is the tiers gate's decision, asked through resourcecenter.access; who is support
staff or a moderator is resourcecenter.roles'. Sanctions and trust come from forum.models.Member.

Queryset helpers (`visible_threads_q`, `listed_posts_q`) express the same rules as SQL so
selectors filter in the query, never after paging.

Ask this package (`from forum import permissions as perms`); its modules split the rules by kind:
`standing` (who is who: verdicts, roles, member row, trust, sanctions), `reading` (who sees what)
and `acting` (who may do what to a thread or post).
"""

from forum.permissions.acting import (
    can_accept_answer,
    can_delete_post,
    can_edit_post,
    can_flag,
    can_mark_official,
    can_preview,
    can_reply,
    can_sanction,
    can_set_trust,
    can_start_thread,
    can_use_notifications,
    can_view_revisions,
    can_view_triage,
    can_vote,
    can_watch_category,
    can_watch_thread,
    post_actions,
    thread_actions,
)
from forum.permissions.reading import (
    can_read_category,
    can_see_post,
    can_see_post_content,
    can_see_thread,
    listed_posts_q,
    readable_category_ids,
    visible_threads_q,
)
from forum.permissions.standing import (
    ALLOW,
    MEMBER_MEMO,
    SIGN_IN,
    Verdict,
    can_moderate,
    can_participate,
    can_write,
    deny,
    forget_member,
    get_member,
    is_authenticated,
    is_support_staff,
    may_post_links,
    post_requires_approval,
    remember_member,
    trust_level,
)

__all__ = [
    "ALLOW",
    "MEMBER_MEMO",
    "SIGN_IN",
    "Verdict",
    "can_accept_answer",
    "can_delete_post",
    "can_edit_post",
    "can_flag",
    "can_mark_official",
    "can_moderate",
    "can_participate",
    "can_preview",
    "can_read_category",
    "can_reply",
    "can_sanction",
    "can_see_post",
    "can_see_post_content",
    "can_see_thread",
    "can_set_trust",
    "can_start_thread",
    "can_use_notifications",
    "can_view_revisions",
    "can_view_triage",
    "can_vote",
    "can_watch_category",
    "can_watch_thread",
    "can_write",
    "deny",
    "forget_member",
    "get_member",
    "is_authenticated",
    "is_support_staff",
    "listed_posts_q",
    "may_post_links",
    "post_actions",
    "post_requires_approval",
    "readable_category_ids",
    "remember_member",
    "thread_actions",
    "trust_level",
    "visible_threads_q",
]
