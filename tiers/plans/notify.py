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
