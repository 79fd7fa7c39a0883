"""Proactive problem notifications: who is told about a service problem, and the sending.

The plan says who is entitled: `proactive_notification_minutes` (the window: the e-mail is
due that long after the problem started, or after the update that changed it) and
`proactive_notification_max_severity` (problems of this severity number or more severe, i.e.
a number at or below it). Plans without both (the free plan) get nothing by e-mail.

Sending is an outbox: `plan_notifications` runs inside the transaction that records a
`ProblemUpdate` and writes one `ProblemNotification` row per person (the point of contact and
the org admins of each entitled, affected organisation; a person in several such organisations
gets one e-mail naming only their own organisations). `deliver_due` claims each pending row
with a conditional UPDATE (status "queued") and queues its e-mail (`send_notice_task`) in the
same per-row transaction; the task records `sent_at` when it has actually handed the e-mail to
the mail backend, so a backed-up worker shows as late notices, never as early ones. So:

- a crash part-way through a fan-out loses nothing: unclaimed rows stay pending and the next
  `tiers_sweep` (or the task enqueued after the update commits) sends them;
- nothing is sent twice: a claimed row is never claimed again, rows are unique per update and
  person, and every e-mail carries a Message-ID derived from (problem, update, person), so even
  a message re-delivered by the mail system is recognisably the same one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from django_tasks import task

from tiers import sweeps
from tiers.incidents import notify
from tiers.models import (
    Membership,
    Organisation,
    Plan,
    ProblemNotification,
    ProblemUpdate,
    ServiceProblem,
)
from tiers.plans.selectors import plans_by_org


def is_entitled(plan: Plan | None) -> bool:
    """The plan includes proactive problem notifications at all."""
    return (
        plan is not None
        and plan.proactive_notification_minutes is not None
        and plan.proactive_notification_max_severity is not None
    )


def covers(plan: Plan | None, severity: int) -> bool:
    """The plan's notifications include a problem of this severity (1 = most severe)."""
    return is_entitled(plan) and severity <= plan.proactive_notification_max_severity


def affected_organisations(problem: ServiceProblem) -> QuerySet[Organisation]:
    """Organisations in the problem's scope (region, and the chosen organisations if any)."""
    organisations = Organisation.objects.all()
    if problem.region:
        organisations = organisations.filter(region=problem.region)
    chosen = list(problem.organisations.values_list("pk", flat=True))
    if chosen:
        organisations = organisations.filter(pk__in=chosen)
    return organisations


def _window_start(update: ProblemUpdate) -> dt.datetime:
    if update.kind == ProblemUpdate.KIND_OPENED:
        return update.problem.started_at
    return update.created_at


def plan_notifications(update: ProblemUpdate) -> int:
    """Write the outbox rows for `update` (call inside the transaction that created it).

    Told: every affected organisation whose plan covers the update's severity, plus every
    organisation already told about this problem whose plan still includes notifications (so
    whoever heard about a problem hears its updates and its resolution, even after a
    downgrade). Idempotent: people already owed an e-mail for this update are skipped.
    """
    problem = update.problem
    in_scope = set(affected_organisations(problem).values_list("pk", flat=True))
    already_told = set(
        Organisation.objects.filter(problem_notifications__update__problem=problem)
        .values_list("pk", flat=True)
        .distinct()
    )
    plans = plans_by_org(sorted(in_scope | already_told))
    told: dict[int, Plan] = {}
    for org_id, plan in plans.items():
        keeps_hearing = org_id in already_told and is_entitled(plan)
        newly_covered = org_id in in_scope and covers(plan, update.severity)
        if keeps_hearing or newly_covered:
            told[org_id] = plan
    if not told:
        return 0
    contacts = (
        Membership.objects.filter(organisation_id__in=told, user__is_active=True)
        .filter(Q(is_point_of_contact=True) | Q(role=Membership.ROLE_ADMIN))
        .values_list("user_id", "organisation_id")
    )
    per_user: dict[int, list[int]] = defaultdict(list)
    for user_id, org_id in contacts:
        per_user[user_id].append(org_id)
    existing = set(
        ProblemNotification.objects.filter(update=update).values_list("user_id", flat=True)
    )
    start = _window_start(update)
    rows = []
    for user_id, org_ids in sorted(per_user.items()):
        if user_id in existing:
            continue
        minutes = min(told[org_id].proactive_notification_minutes for org_id in org_ids)
        rows.append(
            ProblemNotification(
                update=update,
                user_id=user_id,
                declared_at=start,
                deadline_at=start + dt.timedelta(minutes=minutes),
            )
        )
    created = ProblemNotification.objects.bulk_create(rows)
    through = ProblemNotification.organisations.through
    through.objects.bulk_create(
        [
            through(problemnotification_id=row.pk, organisation_id=org_id)
            for row in created
            for org_id in sorted(per_user[row.user_id])
        ]
    )
    transaction.on_commit(lambda: deliver_due_task.enqueue())
    return len(created)


def message_id(notification: ProblemNotification) -> str:
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    update = notification.update
    return f"<problem-{update.problem_id}.{update.pk}.{notification.user_id}@{host}>"


@sweeps.job("problem notifications", order=30)
def deliver_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every pending notification, oldest update first. Returns how many were sent.

    Each row is claimed and its e-mail queued in one transaction: safe to run concurrently,
    repeatedly, and after a crash.
    """
    pending = list(
        ProblemNotification.objects.filter(status=ProblemNotification.PENDING)
        .order_by("update__created_at", "update_id", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        with transaction.atomic():
            sent += _deliver_one(pk, now or timezone.now())
    return sent


def _deliver_one(pk: int, moment: dt.datetime) -> int:
    """Claim one pending row and queue its e-mail (inside the caller's transaction); 1 if sent."""
    claimed = ProblemNotification.objects.filter(pk=pk, status=ProblemNotification.PENDING).update(
        status=ProblemNotification.QUEUED, queued_at=moment
    )
    if not claimed:
        return 0
    notification = ProblemNotification.objects.select_related("update__problem", "user").get(pk=pk)
    still = _still_contact_in(notification)
    email = notification.user.email if notification.user.is_active else ""
    if not still or not email:
        notification.status = ProblemNotification.SKIPPED
        notification.queued_at = None
        notification.note = "No longer a contact of an affected organisation."
        notification.save(update_fields=["status", "queued_at", "note"])
        return 0
    plans = plans_by_org([org.pk for org in still])
    zone = (
        Membership.objects.filter(user_id=notification.user_id, organisation__in=still)
        .exclude(time_zone="")
        .values_list("time_zone", flat=True)
        .first()
    )
    notify.problem_notice(
        notification,
        to=email,
        organisations=still,
        plans=[plans[org.pk] for org in still if org.pk in plans],
        message_id=message_id(notification),
        zone=zone or "UTC",
    )
    notification.email = email
    notification.save(update_fields=["email"])
    return 1


def _still_contact_in(notification: ProblemNotification) -> list[Organisation]:
    """The notified organisations the person is still point of contact or admin of: people
    who left, or stopped being admin or contact, since the update was recorded are not
    written to. (One filter() call: the same membership row must match both conditions.)"""
    org_ids = list(notification.organisations.values_list("pk", flat=True))
    return list(
        Organisation.objects.filter(
            Q(memberships__is_point_of_contact=True) | Q(memberships__role=Membership.ROLE_ADMIN),
            pk__in=org_ids,
            memberships__user_id=notification.user_id,
        )
        .distinct()
        .order_by("name")
    )


@task()
def deliver_due_task() -> int:
    return deliver_due()
