"""Writes for service problems: record one, post its updates; the e-mails owed are planned
in the same transaction (tiers.incidents.problems).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.incidents import problems
from tiers.incidents.models import ProblemUpdate, ServiceProblem
from tiers.plans.models import Organisation, SeverityLevel


def _check_problem_severity(severity) -> int:

    numbers = sorted(set(SeverityLevel.objects.values_list("number", flat=True))) or [1, 2, 3, 4]
    if severity not in numbers:
        raise TierError(
            f"Severity must be one of {', '.join(map(str, numbers))} (1 = most severe)."
        )
    return severity


def record_problem(
    *,
    by,
    title: str,
    description: str,
    severity: int,
    region: str = "",
    organisations: Iterable[Organisation] = (),
    started_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ServiceProblem:
    """Announce a service-affecting problem.

    Records the problem and its first update and, in the same transaction, the e-mails owed to
    the contacts of every affected organisation whose plan covers the severity (see
    tiers.incidents.problems); they go out after commit, and `tiers_sweep` sends any left behind.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff record service problems.")
    now = now or timezone.now()
    title = " ".join((title or "").split())[:200]
    description = (description or "").strip()
    if not title:
        raise TierError("Give the problem a title.")
    if not description:
        raise TierError("Describe the problem for customers.")
    _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")
    started_at = started_at or now
    if started_at > now + dt.timedelta(minutes=5):
        raise TierError("The problem cannot start in the future.")
    organisations = list(organisations)
    with transaction.atomic():
        problem = ServiceProblem.objects.create(
            title=title,
            description=description,
            severity=severity,
            region=region or "",
            started_at=started_at,
            created_by=by,
            created_at=now,
        )
        problem.organisations.set(organisations)
        update = ProblemUpdate.objects.create(
            problem=problem,
            kind=ProblemUpdate.KIND_OPENED,
            body=description,
            status=problem.status,
            severity=severity,
            created_by=by,
            created_at=now,
        )
        problems.plan_notifications(update)
    return problem


def update_problem(
    *,
    problem: ServiceProblem,
    by,
    body: str,
    status: str | None = None,
    severity: int | None = None,
    title: str | None = None,
    description: str | None = None,
    region: str | None = None,
    organisations: Iterable[Organisation] | None = None,
    now: dt.datetime | None = None,
) -> ProblemUpdate:
    """Post an update (or the resolution) of a problem; the customers told about it hear it.

    A severity raised into a plan's range brings that plan's organisations in with this update;
    organisations told before keep hearing until the resolution. Each person is owed at most
    one e-mail per update.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff update service problems.")
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise TierError("Write the update customers will receive.")
    if status is not None and status not in dict(ServiceProblem.STATUS_CHOICES):
        raise TierError("Unknown status.")
    if severity is not None:
        _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")
    with transaction.atomic():
        problem = ServiceProblem.objects.select_for_update().get(pk=problem.pk)
        was_resolved = problem.status == ServiceProblem.RESOLVED
        if title is not None and " ".join(title.split()):
            problem.title = " ".join(title.split())[:200]
        if description is not None and description.strip():
            problem.description = description.strip()
        if severity is not None:
            problem.severity = severity
        if region is not None:
            problem.region = region
        if status is not None:
            problem.status = status
        if problem.status == ServiceProblem.RESOLVED:
            problem.resolved_at = problem.resolved_at or now
        else:
            problem.resolved_at = None
        problem.save()
        if organisations is not None:
            problem.organisations.set(list(organisations))
        kind = (
            ProblemUpdate.KIND_RESOLVED
            if problem.status == ServiceProblem.RESOLVED and not was_resolved
            else ProblemUpdate.KIND_UPDATE
        )
        update = ProblemUpdate.objects.create(
            problem=problem,
            kind=kind,
            body=body,
            status=problem.status,
            severity=problem.severity,
            created_by=by,
            created_at=now,
        )
        problems.plan_notifications(update)
    return update
