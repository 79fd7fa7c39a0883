"""E-mails about organisations and subscriptions (words: templates/tiers/emails/<name>*.txt)."""

from __future__ import annotations

from resourcecenter.emails import queue_email, render_subject, render_text


def _queue(to: list[str], name: str, **context) -> None:
    base = f"tiers/emails/{name}"
    queue_email(to, render_subject(base, context), render_text(base, context))


def invitation(invitation, url: str) -> None:
    _queue([invitation.email], "invitation", invitation=invitation, url=url)


def subscription_started(subscription, invoice, admins: list[str]) -> None:
    _queue(admins, "subscription_started", subscription=subscription, invoice=invoice)


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
    _queue(
        sorted(set(leads)) or [support_address()],
        "calendar_running_out",
        calendar=calendar,
        end=end,
    )
