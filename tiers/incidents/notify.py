"""The incidents' e-mails: the proactive service-problem e-mail (one per person and update),
and the status page's (subscription and webhook confirmations, the notices to subscribers)."""

from __future__ import annotations

from resourcecenter.emails import queue_email, queue_templated_email
from tiers.incidents.models import MaintenanceWindow, ProblemUpdate
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
    if update.kind == update.KIND_OPENED:
        subject = f"[Severity {update.severity}] Service problem: {problem.title}"
        intro = "We are aware of a problem affecting our service and are working on it."
    elif update.kind == update.KIND_RESOLVED:
        subject = f"Resolved: {problem.title}"
        intro = "The service problem we told you about is resolved."
    else:
        subject = f"Update ({update.get_status_display()}): {problem.title}"
        intro = "An update on the service problem we told you about."
    body = update.body.strip()
    description = problem.description.strip()
    show_description = update.kind == update.KIND_OPENED and description != body
    queue_templated_email(
        [to],
        subject,
        "tiers/emails/problem_notice",
        {
            "intro": intro,
            "update": update,
            "problem": problem,
            "severity": _severity_label(plans, update.severity),
            "started": format_moment(problem.started_at, zone),
            "organisations": organisations,
            "names": ", ".join(org.name for org in organisations),
            "body": body,
            "description": description if show_description else "",
            "link": absolute(problem.get_absolute_url()),
            "support": support_address(),
            "phones": sorted(
                {plan.phone_number for plan in plans if plan.channel_phone and plan.phone_number}
            ),
        },
        headers={"Message-ID": message_id},
        reply_to=[support_address()],
    )


def linked_ticket_update(ticket, update, *, to: str) -> None:
    """An incident's update, to the requester of a case attached to that incident."""
    problem = update.problem
    intro = (
        "The incident your case is attached to is resolved."
        if update.kind == update.KIND_RESOLVED
        else "An update on the incident your case is attached to."
    )
    queue_templated_email(
        [to],
        f"[{ticket.case_number}] {update.get_status_display()}: {problem.title}",
        "tiers/emails/linked_ticket_update",
        {
            "intro": intro,
            "ticket": ticket,
            "problem": problem,
            "update": update,
            "body": update.body.strip(),
            "ticket_link": absolute(ticket.get_absolute_url()),
            "status_link": absolute(problem.get_status_url()),
        },
        reply_to=[support_address()],
    )


# --- The status page's e-mails -------------------------------------------------------------


def update_message(update: ProblemUpdate) -> tuple[str, list[str], list[int]]:
    problem = update.problem
    prefix = {
        ProblemUpdate.KIND_OPENED: "Incident",
        ProblemUpdate.KIND_RESOLVED: "Resolved",
    }.get(update.kind, update.get_status_display().split(" - ")[0])
    links = list(problem.component_links.select_related("component"))
    lines = [
        f"{problem.title}",
        "",
        f"Status: {update.get_status_display()}",
        f"Impact: {problem.get_impact_display()}",
        f"Started: {format_moment(problem.started_at, 'UTC')}",
    ]
    if problem.resolved_at:
        lines.append(f"Resolved: {format_moment(problem.resolved_at, 'UTC')}")
    if links:
        lines.append(
            "Affected: "
            + ", ".join(f"{link.component.name} ({link.get_state_display()})" for link in links)
        )
    lines += ["", update.body.strip(), "", f"Follow it: {absolute(problem.get_status_url())}"]
    return f"[{prefix}] {problem.title}", lines, [link.component_id for link in links]


def maintenance_message(window: MaintenanceWindow, event: str) -> tuple[str, list[str], list]:
    what = {
        "maintenance.cancelled": "Cancelled maintenance",
        "maintenance.rescheduled": "Rescheduled maintenance",
    }.get(event, "Scheduled maintenance")
    components = list(window.components.all())
    lines = [
        window.title,
        "",
        f"From: {format_moment(window.starts_at, 'UTC')}",
        f"Until: {format_moment(window.ends_at, 'UTC')}",
        "Components: " + ", ".join(component.name for component in components),
        "",
        window.description.strip(),
        "",
        f"Status page: {absolute('/status/')}",
    ]
    return f"[{what}] {window.title}", lines, [component.pk for component in components]


def status_notice(*, to: str, subject: str, lines: list[str], unsubscribe: str, message_id: str):
    """One notice to one subscriber, with the signed one-click unsubscribe (RFC 8058)."""
    text = "\n".join(
        [
            *lines,
            "",
            "You receive this because you subscribed to the status page.",
            f"Unsubscribe with one click: {unsubscribe}",
        ]
    )
    queue_email(
        [to],
        subject,
        text,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        },
    )


def subscription_confirmation(*, to: str, link: str, components: str) -> None:
    """The double opt-in: nothing else is sent to `to` until this link is followed."""
    queue_email(
        [to],
        "Confirm your status page subscription",
        "\n".join(
            [
                "Someone (hopefully you) asked to receive e-mails about incidents and "
                "scheduled maintenance on our status page.",
                "",
                f"Components: {components}",
                "",
                f"Confirm within 7 days: {link}",
                "",
                "If it was not you, ignore this e-mail: nothing more will be sent.",
            ]
        ),
    )


def webhook_confirmation(*, to: str, url: str, link: str) -> None:
    """The webhook's contact confirms before anything is delivered to `url`."""
    queue_email(
        [to],
        "Confirm your status page webhook",
        "\n".join(
            [
                "Someone (hopefully you) asked us to send status page events to:",
                url,
                "",
                f"Confirm within 7 days, and read the signing secret there: {link}",
                "",
                "If it was not you, ignore this e-mail: nothing will be sent.",
            ]
        ),
    )
