"""E-mails about organisations and subscriptions."""

from __future__ import annotations

from resourcecenter.emails import queue_email


def invitation(invitation, url: str) -> None:
    queue_email(
        [invitation.email],
        f"You're invited to join {invitation.organisation} on the Resource Center",
        f"{invitation.invited_by} invited you to join {invitation.organisation} as "
        f"{invitation.get_role_display().lower()}.\n\nAccept the invitation: {url}\n\n"
        f"The link expires on {invitation.expires_at:%d %b %Y %H:%M} UTC.",
    )


def subscription_started(subscription, invoice, admins: list[str]) -> None:
    queue_email(
        admins,
        f"{subscription.plan.name} support is active for {subscription.organisation}",
        f"Your {subscription.plan.name} subscription started on "
        f"{subscription.current_period_start:%d %b %Y} and renews on "
        f"{subscription.current_period_end:%d %b %Y}.\n"
        + (f"Invoice {invoice.number}: {invoice.amount} {invoice.currency}.\n" if invoice else ""),
    )


def calendar_running_out(calendar, end) -> None:
    """Tell the support leads (else the support desk) that a calendar's holidays end soon."""
    from django.contrib.auth import get_user_model

    from resourcecenter.roles import LEADS_GROUP
    from tiers.mail import support_address

    leads = list(
        get_user_model()
        .objects.filter(groups__name=LEADS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    queue_email(
        sorted(set(leads)) or [support_address()],
        f"Business calendar {calendar.name}: holidays end on {end:%d %b %Y}",
        f"The holidays of the business calendar {calendar.name} ({calendar.code}) are known "
        f"only until {end:%d %b %Y}. After that day SLA clocks count every weekday as a "
        "working day.\n\nAdd the next year's holidays in the admin (Business calendars), or "
        "run `manage.py tiers_seed_holidays`.",
    )
