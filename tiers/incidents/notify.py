"""The incidents' e-mails: the proactive service-problem e-mail (one per person and update),
and the status page's (subscription and webhook confirmations, the notices to subscribers).
Their words are the templates `tiers/emails/<name>_subject.txt` and `<name>.txt`."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from django_tasks import task

from resourcecenter.emails import (
    queue_email,
    queue_templated_email,
    render_email,
    render_subject,
    render_text,
    send_email_task,
)
from resourcecenter.taskqueue import enqueue_with_change
from tiers.incidents.models import MaintenanceWindow, ProblemNotification, ProblemUpdate
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


def _words(name: str, **context) -> tuple[str, str]:
    """(subject, text) of the e-mail `tiers/emails/<name>`."""
    base = f"tiers/emails/{name}"
    return render_subject(base, context), render_text(base, context)


def problem_notice(
    notification, *, to: str, organisations, plans, message_id: str, zone: str = "UTC"
) -> None:
    """One proactive problem e-mail to one person: only the problem's public text and the
    recipient's own organisations - never another customer's name or address."""
    update = notification.update
    problem = update.problem
    body = update.body.strip()
    description = problem.description.strip()
    show_description = update.kind == update.KIND_OPENED and description != body
    context = {
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
    }
    # Its own task (not queue_email): the task records when the e-mail really left.
    text, html = render_email("tiers/emails/problem_notice", context)
    enqueue_with_change(
        send_notice_task,
        notification_id=notification.pk,
        to=[to],
        subject=render_subject("tiers/emails/problem_notice", context),
        text=text,
        html=html,
        headers={"Message-ID": message_id},
        reply_to=[support_address()],
    )


@task()
def send_notice_task(notification_id: int, **message) -> None:
    """Send one queued notice (`message`: send_email_task's arguments) and record the moment
    it actually left: the 30-minute promise is measured against this, not the queueing."""
    send_email_task.call(**message)
    ProblemNotification.objects.filter(
        pk=notification_id, status=ProblemNotification.QUEUED
    ).update(status=ProblemNotification.SENT, sent_at=timezone.now())


def linked_ticket_update(ticket, update, *, to: str) -> None:
    """An incident's update, to the requester of a case attached to that incident."""
    context = {
        "ticket": ticket,
        "problem": update.problem,
        "update": update,
        "body": update.body.strip(),
        "ticket_link": absolute(ticket.get_absolute_url()),
        "status_link": absolute(update.problem.get_status_url()),
    }
    queue_templated_email(
        [to],
        render_subject("tiers/emails/linked_ticket_update", context),
        "tiers/emails/linked_ticket_update",
        context,
        reply_to=[support_address()],
    )


# --- The status page's e-mails -------------------------------------------------------------


def _status_url() -> str:
    return absolute(reverse("status:index"))


def update_message(update: ProblemUpdate) -> tuple[str, str, list[int]]:
    """(subject, text, affected component ids) of the status notice about `update`."""
    problem = update.problem
    links = list(problem.component_links.select_related("component"))
    subject, text = _words(
        "status_update",
        update=update,
        problem=problem,
        status_word=update.get_status_display().split(" - ")[0],
        started=format_moment(problem.started_at, "UTC"),
        resolved=format_moment(problem.resolved_at, "UTC") if problem.resolved_at else "",
        links=links,
        body=update.body.strip(),
        status_url=absolute(problem.get_status_url()),
    )
    return subject, text, [link.component_id for link in links]


def maintenance_message(window: MaintenanceWindow, event: str) -> tuple[str, str, list]:
    """(subject, text, component ids) of the status notice about a maintenance `event`."""
    components = list(window.components.all())
    subject, text = _words(
        "status_maintenance",
        window=window,
        event=event,
        starts=format_moment(window.starts_at, "UTC"),
        ends=format_moment(window.ends_at, "UTC"),
        components=components,
        description=window.description.strip(),
        status_url=_status_url(),
    )
    return subject, text, [component.pk for component in components]


def status_notice(*, to: str, subject: str, text: str, unsubscribe: str, message_id: str):
    """One notice to one subscriber, with the signed one-click unsubscribe (RFC 8058)."""
    text += render_text("tiers/emails/_status_notice_footer", {"unsubscribe": unsubscribe})
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
    subject, text = _words("status_subscription_confirmation", link=link, components=components)
    queue_email([to], subject, text)


def webhook_confirmation(*, to: str, url: str, link: str) -> None:
    """The webhook's contact confirms before anything is delivered to `url`."""
    subject, text = _words("status_webhook_confirmation", url=url, link=link)
    queue_email([to], subject, text)
