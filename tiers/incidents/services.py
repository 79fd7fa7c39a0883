"""Writes for incidents (service problems): record one, post its updates, schedule
maintenance. What each change owes is written in the same transaction: the proactive e-mails
to entitled organisations (tiers.incidents.problems) and, for public incidents, the status
page's subscriber e-mails and webhook deliveries (tiers.incidents.publishing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.incidents import impact as impact_rules
from tiers.incidents import linking, problems, publishing
from tiers.incidents.models import (
    Component,
    IncidentComponent,
    MaintenanceWindow,
    ProblemUpdate,
    ServiceProblem,
)
from tiers.plans.models import Organisation, SeverityLevel


def _check_problem_severity(severity) -> int:

    numbers = sorted(set(SeverityLevel.objects.values_list("number", flat=True))) or [1, 2, 3, 4]
    if severity not in numbers:
        raise TierError(
            f"Severity must be one of {', '.join(map(str, numbers))} (1 = most severe)."
        )
    return severity


ComponentStates = dict[Component, str]


def _check_component_states(components: ComponentStates | None) -> None:
    allowed = dict(Component.INCIDENT_STATE_CHOICES)
    for component, state in (components or {}).items():
        if state not in allowed:
            raise TierError(f"Choose how {component} is affected.")


def _set_components(problem: ServiceProblem, components: ComponentStates) -> None:
    """The incident affects exactly these components, each in the given state."""
    keep = {component.pk: state for component, state in components.items()}
    problem.component_links.exclude(component_id__in=keep).delete()
    for component_id, state in keep.items():
        IncidentComponent.objects.update_or_create(
            incident=problem, component_id=component_id, defaults={"state": state}
        )


def _impact(impact: str | None, devices_affected, service_unavailable) -> str:
    if impact:
        if impact not in dict(ServiceProblem.IMPACT_CHOICES):
            raise TierError("Unknown impact class.")
        return impact
    return impact_rules.classify(
        devices_affected=devices_affected, service_unavailable=service_unavailable
    )


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
    impact: str | None = None,
    devices_affected: int | None = None,
    service_unavailable: bool = False,
    components: ComponentStates | None = None,
    is_public: bool = True,
    status: str = ServiceProblem.INVESTIGATING,
) -> ServiceProblem:
    """Declare an incident (announce a service-affecting problem).

    Records the incident and its first update and, in the same transaction, the e-mails owed to
    the contacts of every affected organisation whose plan covers the severity (see
    tiers.incidents.problems); they go out after commit, and `tiers_sweep` sends any left behind.
    A public incident also appears on the status page (its cache is invalidated on commit) and
    its subscribers and webhooks are told. Without an explicit impact class it follows from
    the devices affected and whether the service is unavailable (tiers.incidents.impact).
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff record service problems.")
    now = now or timezone.now()
    title = " ".join((title or "").split())[:200]
    description = (description or "").strip()
    started_at = started_at or now
    _check_new_problem(title, description, severity, region, started_at, status, now)
    _check_component_states(components)
    impact = _impact(impact, devices_affected, service_unavailable)
    with transaction.atomic():
        problem = ServiceProblem.objects.create(
            title=title,
            description=description,
            severity=severity,
            region=region or "",
            started_at=started_at,
            status=status,
            impact=impact,
            devices_affected=devices_affected,
            service_unavailable=service_unavailable,
            is_public=is_public,
            created_by=by,
            created_at=now,
        )
        _open_problem(problem, list(organisations), components, by=by, now=now)
    return problem


def _open_problem(problem, organisations, components: ComponentStates | None, *, by, now):
    """A new incident's organisations, components and first update, and what it owes."""
    problem.organisations.set(organisations)
    if components:
        _set_components(problem, components)
    update = ProblemUpdate.objects.create(
        problem=problem,
        kind=ProblemUpdate.KIND_OPENED,
        body=problem.description,
        status=problem.status,
        severity=problem.severity,
        created_by=by,
        created_at=now,
    )
    _announce(update)


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
    impact: str | None = None,
    devices_affected: int | None = None,
    service_unavailable: bool | None = None,
    components: ComponentStates | None = None,
    is_public: bool | None = None,
) -> ProblemUpdate:
    """Post an update (or the resolution) of an incident; the customers told about it hear it.

    A severity raised into a plan's range brings that plan's organisations in with this update;
    organisations told before keep hearing until the resolution. Each person is owed at most
    one e-mail per update. Arguments left as None keep their value; `components` replaces the
    affected components and their states. A public incident's update reaches the status page,
    its subscribers and webhooks.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff update service problems.")
    now = now or timezone.now()
    body = (body or "").strip()
    _check_update(body=body, status=status, severity=severity, region=region)
    _check_component_states(components)
    with transaction.atomic():
        problem = ServiceProblem.objects.select_for_update().get(pk=problem.pk)
        was_resolved = problem.status == ServiceProblem.RESOLVED
        _apply_changes(
            problem,
            title=title,
            description=description,
            severity=severity,
            region=region,
            status=status,
            devices_affected=devices_affected,
            service_unavailable=service_unavailable,
            impact=impact,
            is_public=is_public,
            now=now,
        )
        if organisations is not None:
            problem.organisations.set(list(organisations))
        if components is not None:
            _set_components(problem, components)
        update = _record_update(problem, was_resolved=was_resolved, by=by, body=body, now=now)
        _announce(update)
    return update


def _record_update(problem: ServiceProblem, *, was_resolved: bool, by, body, now) -> ProblemUpdate:
    kind = (
        ProblemUpdate.KIND_RESOLVED
        if problem.status == ServiceProblem.RESOLVED and not was_resolved
        else ProblemUpdate.KIND_UPDATE
    )
    return ProblemUpdate.objects.create(
        problem=problem,
        kind=kind,
        body=body,
        status=problem.status,
        severity=problem.severity,
        created_by=by,
        created_at=now,
    )


def _check_new_problem(title, description, severity, region, started_at, status, now) -> None:
    if not title:
        raise TierError("Give the problem a title.")
    if not description:
        raise TierError("Describe the problem for customers.")
    _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")
    if started_at > now + dt.timedelta(minutes=5):
        raise TierError("The problem cannot start in the future.")
    if status not in dict(ServiceProblem.STATUS_CHOICES) or status == ServiceProblem.RESOLVED:
        raise TierError("A new incident is investigating, identified or monitoring.")


def _announce(update: ProblemUpdate) -> None:
    """Everything an update owes, written in its transaction: the proactive e-mails, the
    status page, and the cases and threads attached to the incident."""
    problems.plan_notifications(update)
    publishing.update_published(update)
    linking.relay_update(update)


def _check_update(*, body: str, status, severity, region) -> None:
    if not body:
        raise TierError("Write the update customers will receive.")
    if status is not None and status not in dict(ServiceProblem.STATUS_CHOICES):
        raise TierError("Unknown status.")
    if severity is not None:
        _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")


def _apply_changes(problem: ServiceProblem, *, now, impact, **changes) -> None:
    """Set the given fields (None keeps the value) and save; the impact class follows the
    devices and availability unless given, and `resolved_at` follows the status."""
    title, description = changes.pop("title"), changes.pop("description")
    if title is not None and " ".join(title.split()):
        problem.title = " ".join(title.split())[:200]
    if description is not None and description.strip():
        problem.description = description.strip()
    for name, value in changes.items():
        if value is not None:
            setattr(problem, name, value)
    if impact:
        problem.impact = _impact(impact, None, False)
    elif changes["devices_affected"] is not None or changes["service_unavailable"] is not None:
        problem.impact = _impact(None, problem.devices_affected, problem.service_unavailable)
    if problem.status == ServiceProblem.RESOLVED:
        problem.resolved_at = problem.resolved_at or now
    else:
        problem.resolved_at = None
    problem.save()


def _check_window(title: str, description: str, starts_at, ends_at, components) -> str:
    title = " ".join((title or "").split())[:200]
    if not title:
        raise TierError("Give the maintenance a title.")
    if not (description or "").strip():
        raise TierError("Say what changes and what customers may notice.")
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise TierError("The maintenance must end after it starts.")
    if not list(components):
        raise TierError("Choose the components under maintenance.")
    return title


def schedule_maintenance(
    *,
    by,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    components: Iterable[Component],
    is_public: bool = True,
    now: dt.datetime | None = None,
) -> MaintenanceWindow:
    """Announce a maintenance window ahead: the status page shows it as upcoming, then in
    progress (its components "under maintenance"), then completed; subscribers and webhooks
    are told when it is announced."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff schedule maintenance.")
    now = now or timezone.now()
    components = list(components)
    title = _check_window(title, description, starts_at, ends_at, components)
    if ends_at <= now:
        raise TierError("Announce maintenance before it ends.")
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            title=title,
            description=description.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            is_public=is_public,
            created_by=by,
            created_at=now,
        )
        window.components.set(components)
        publishing.maintenance_published(window, event="maintenance.scheduled")
    return window


def change_maintenance(
    *,
    window: MaintenanceWindow,
    by,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    components: Iterable[Component],
    is_public: bool = True,
    cancel: bool = False,
    now: dt.datetime | None = None,
) -> MaintenanceWindow:
    """Reschedule, edit or cancel a maintenance window; subscribers hear of a new time or a
    cancellation (not of wording changes)."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff change maintenance.")
    now = now or timezone.now()
    components = list(components)
    title = _check_window(title, description, starts_at, ends_at, components)
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        moved = (window.starts_at, window.ends_at) != (starts_at, ends_at)
        newly_cancelled = cancel and window.cancelled_at is None
        window.title = title
        window.description = description.strip()
        window.starts_at = starts_at
        window.ends_at = ends_at
        window.is_public = is_public
        if newly_cancelled:
            window.cancelled_at = now
        window.save()
        window.components.set(components)
        if newly_cancelled:
            publishing.maintenance_published(window, event="maintenance.cancelled")
        elif moved and window.cancelled_at is None:
            publishing.maintenance_published(window, event="maintenance.rescheduled")
    return window
