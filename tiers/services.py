"""The writes of the tiers app, gathered from its domains for callers outside them.

Each use case lives in its domain's module (`tiers.plans.organisations`,
`tiers.plans.subscriptions`, `tiers.tickets.*`, `tiers.incidents.services`); code inside tiers
imports it from there. This module only re-exports them, so `tiers.services.open_ticket` and
the task path `tiers.services.sweep_task` (possibly queued already) keep working.
"""

from tiers.errors import TierError
from tiers.incidents.services import record_problem, update_problem
from tiers.plans.organisations import (
    INVITATION_DAYS,
    INVITATION_SALT,
    accept_invitation,
    change_role,
    create_organisation,
    invitation_from_token,
    invitation_token,
    invite_member,
    remove_member,
    set_point_of_contact,
    update_organisation,
)
from tiers.plans.subscriptions import (
    add_month,
    cancel_subscription,
    renew_subscriptions,
    resume_subscription,
    subscribe,
)
from tiers.sweeps import schedule_sweep_at, sweep, sweep_task
from tiers.tickets.attachments import (
    ATTACHMENT_EXTENSIONS,
    MAX_ATTACHMENTS_PER_MESSAGE,
    Upload,
    validate_upload,
)
from tiers.tickets.conversation import add_reply, can_reopen, close_ticket, set_status
from tiers.tickets.handling import (
    assign,
    dispute_severity,
    log_time,
    request_escalation,
    set_severity,
)
from tiers.tickets.opening import classify_severity, next_case_number, open_ticket
from tiers.tickets.promotion import (
    ESCALATION_NOTE,
    PromotionResult,
    promote_thread,
    publish_fix_to_thread,
    system_user,
)
from tiers.tickets.quotes import create_quote, decide_quote, mark_not_covered

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ESCALATION_NOTE",
    "INVITATION_DAYS",
    "INVITATION_SALT",
    "MAX_ATTACHMENTS_PER_MESSAGE",
    "PromotionResult",
    "TierError",
    "Upload",
    "accept_invitation",
    "add_month",
    "add_reply",
    "assign",
    "can_reopen",
    "cancel_subscription",
    "change_role",
    "classify_severity",
    "close_ticket",
    "create_organisation",
    "create_quote",
    "decide_quote",
    "dispute_severity",
    "invitation_from_token",
    "invitation_token",
    "invite_member",
    "log_time",
    "mark_not_covered",
    "next_case_number",
    "open_ticket",
    "promote_thread",
    "publish_fix_to_thread",
    "record_problem",
    "remove_member",
    "renew_subscriptions",
    "request_escalation",
    "resume_subscription",
    "schedule_sweep_at",
    "set_point_of_contact",
    "set_severity",
    "set_status",
    "subscribe",
    "sweep",
    "sweep_task",
    "system_user",
    "update_organisation",
    "update_problem",
    "validate_upload",
]
