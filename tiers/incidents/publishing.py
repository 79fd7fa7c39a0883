"""What a public status change owes its followers: e-mails to confirmed subscribers and one
signed delivery per active webhook.

Called by the incident and maintenance services inside the transaction that records the
change: the webhook deliveries are rows of that transaction (tiers.incidents.webhooks sends
them and retries), and the subscriber fan-out is a task queued with the change
(resourcecenter.taskqueue), so a rolled-back change tells nobody and a committed one is not
lost between commit and enqueue. Private incidents (is_public False) owe nothing here; their
customers hear through proactive notification (tiers.incidents.problems).
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.utils import timezone

from django_tasks import task

from resourcecenter.taskqueue import enqueue_with_change
from tiers.incidents import notify, subscriptions, webhooks
from tiers.incidents.models import (
    MaintenanceWindow,
    ProblemUpdate,
    ServiceProblem,
    StatusSubscriber,
    WebhookDelivery,
    WebhookEndpoint,
)
from tiers.mail import absolute


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def incident_payload(problem: ServiceProblem) -> dict:
    """The public facts of an incident, as the JSON summary and the webhooks show them."""
    links = sorted(problem.component_links.all(), key=lambda link: link.component.sort_order)
    return {
        "id": problem.pk,
        "title": problem.title,
        "status": problem.status,
        "impact": problem.impact,
        "started_at": _iso(problem.started_at),
        "resolved_at": _iso(problem.resolved_at),
        "url": absolute(problem.get_status_url()),
        "components": [
            {"id": link.component.slug, "name": link.component.name, "state": link.state}
            for link in links
        ],
    }


def maintenance_payload(window: MaintenanceWindow) -> dict:
    return {
        "id": window.pk,
        "title": window.title,
        "description": window.description,
        "state": window.state(),
        "starts_at": _iso(window.starts_at),
        "ends_at": _iso(window.ends_at),
        "components": [
            {"id": component.slug, "name": component.name} for component in window.components.all()
        ],
    }


def _event_for(update: ProblemUpdate) -> str:
    if update.kind == ProblemUpdate.KIND_OPENED:
        return "incident.created"
    if update.kind == ProblemUpdate.KIND_RESOLVED:
        return "incident.resolved"
    return "incident.updated"


def _follows(component_ids: list[int]) -> Q:
    """Followers of everything, or of one of these components (all of them, if none)."""
    if not component_ids:
        return Q()
    return Q(components__isnull=True) | Q(components__in=component_ids)


def _queue_webhooks(event: str, payload: dict, component_ids: list[int]) -> None:
    endpoints = (
        WebhookEndpoint.objects.filter(confirmed_at__isnull=False, disabled_at__isnull=True)
        .filter(_follows(component_ids))
        .distinct()
    )
    body = json.dumps(
        {"event": event, "sent_for": timezone.now().isoformat(), **payload},
        sort_keys=True,
        separators=(",", ":"),
    )
    rows = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, body=body) for endpoint in endpoints]
    )
    for row in rows:
        enqueue_with_change(webhooks.deliver_task, delivery_id=row.pk)


def update_published(update: ProblemUpdate) -> None:
    """Tell the status page's followers about an incident update (public incidents only)."""
    problem = update.problem
    if not problem.is_public:
        return
    component_ids = list(problem.component_links.values_list("component_id", flat=True))
    payload = {
        "incident": incident_payload(problem),
        "update": {
            "id": update.pk,
            "status": update.status,
            "body": update.body,
            "created_at": _iso(update.created_at),
        },
    }
    _queue_webhooks(_event_for(update), payload, component_ids)
    enqueue_with_change(notify_subscribers_task, kind="update", object_id=update.pk)


def maintenance_published(window: MaintenanceWindow, *, event: str) -> None:
    """Tell the followers a maintenance window was announced, moved or cancelled."""
    if not window.is_public:
        return
    component_ids = list(window.components.values_list("pk", flat=True))
    _queue_webhooks(event, {"maintenance": maintenance_payload(window)}, component_ids)
    enqueue_with_change(
        notify_subscribers_task, kind="maintenance", object_id=window.pk, event=event
    )


@task()
def notify_subscribers_task(kind: str, object_id: int, event: str = "") -> int:
    """E-mail every confirmed subscriber who follows the affected components (one e-mail each,
    with a signed one-click unsubscribe link). Returns how many were queued."""
    if kind == "update":
        update = ProblemUpdate.objects.select_related("problem").filter(pk=object_id).first()
        if update is None or not update.problem.is_public:
            return 0
        subject, text, component_ids = notify.update_message(update)
        message_key = f"status-update-{update.pk}"
    else:
        window = MaintenanceWindow.objects.filter(pk=object_id).first()
        if window is None or not window.is_public:
            return 0
        subject, text, component_ids = notify.maintenance_message(window, event)
        message_key = (
            f"status-{event.replace('.', '-')}-{window.pk}-{int(window.updated_at.timestamp())}"
        )
    subscribers = (
        StatusSubscriber.objects.filter(confirmed_at__isnull=False)
        .filter(_follows(component_ids))
        .distinct()
        .order_by("pk")
    )
    count = 0
    for subscriber in subscribers.iterator():
        notify.status_notice(
            to=subscriber.email,
            subject=subject,
            text=text,
            unsubscribe=absolute(subscriptions.unsubscribe_url(subscriber)),
            message_id=f"<{message_key}.{subscriber.pk}@{subscriptions.mail_host()}>",
        )
        count += 1
    return count
