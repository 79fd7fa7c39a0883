"""The proactive service-problem e-mail, one per person and update."""

from __future__ import annotations

from resourcecenter.emails import queue_email
from tiers.mail import absolute, format_moment, support_address
from tiers.plans.models import SeverityLevel


def _severity_label(plans, number: int) -> str:
    """ "Severity 2 - severe impairment" in the recipient's plan's own words."""

    scheme_ids = [plan.severity_scheme_id for plan in plans if plan.severity_scheme_id]
    level = (
        SeverityLevel.objects.filter(scheme_id=scheme_ids[0], number=number).first()
        if scheme_ids
        else None
    )
    if level is None:
        return f"Severity {number}"
    if level.name.startswith(f"Severity {number}"):
        return level.name
    return f"Severity {number} - {level.name}"


def problem_notice(
    notification, *, to: str, organisations, plans, message_id: str, zone: str = "UTC"
) -> None:
    """One proactive problem e-mail to one person: only the problem's public text and the
    recipient's own organisations - never another customer's name or address."""
    update = notification.update
    problem = update.problem
    severity = _severity_label(plans, update.severity)
    if update.kind == update.KIND_OPENED:
        subject = f"[Severity {update.severity}] Service problem: {problem.title}"
        intro = "We are aware of a problem affecting our service and are working on it."
    elif update.kind == update.KIND_RESOLVED:
        subject = f"Resolved: {problem.title}"
        intro = "The service problem we told you about is resolved."
    else:
        subject = f"Update ({update.get_status_display()}): {problem.title}"
        intro = "An update on the service problem we told you about."
    names = ", ".join(org.name for org in organisations)
    phones = sorted(
        {plan.phone_number for plan in plans if plan.channel_phone and plan.phone_number}
    )
    lines = [
        intro,
        "",
        f"Problem: {problem.title}",
        f"Severity: {severity}",
        f"Status: {update.get_status_display()}",
        f"Started: {format_moment(problem.started_at, zone)}",
        f"Your organisation{'s' if len(organisations) > 1 else ''}: {names}",
        "",
        update.body.strip(),
    ]
    if update.kind == update.KIND_OPENED and problem.description.strip() != update.body.strip():
        lines += ["", problem.description.strip()]
    lines += [
        "",
        f"Current problems and every update: {absolute(problem.get_absolute_url())}",
        "",
        "To add information, contact the help desk by e-mail ("
        + support_address()
        + ")"
        + (f" or phone ({', '.join(phones)})" if phones else "")
        + ".",
        f"You receive this as the point of contact or an admin of {names}.",
    ]
    queue_email(
        [to],
        subject,
        "\n".join(lines),
        headers={"Message-ID": message_id},
        reply_to=[support_address()],
    )
