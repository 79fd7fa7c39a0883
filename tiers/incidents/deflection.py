"""The incident banner's provider (resourcecenter.notices): the open public incidents for
everyone, plus the open private ones a signed-in customer's organisations were told about.

The public part is built once per status-page generation and kept in the status cache
(tiers.incidents.statuscache), so it costs no query until an incident changes and survives a
database outage (the last good copy); the private part is one bounded query, only for
signed-in customers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db import DatabaseError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from resourcecenter.notices import Notice
from resourcecenter.roles import is_support_staff
from tiers import permissions
from tiers.incidents import statuscache
from tiers.incidents.models import ProblemUpdate, ServiceProblem

logger = logging.getLogger(__name__)
MAX_NOTICES = 5
KNOWN_CHARS = 280


def _open(incidents):
    latest = ProblemUpdate.objects.order_by("-created_at", "-id")
    return (
        incidents.exclude(status=ServiceProblem.RESOLVED)
        .order_by("severity", "-started_at")
        .prefetch_related(Prefetch("updates", queryset=latest))[:MAX_NOTICES]
    )


def _notice(problem: ServiceProblem, *, public: bool) -> Notice:
    updates = list(problem.updates.all())
    known = updates[0].body if updates else problem.description
    return Notice(
        title=problem.title,
        status=problem.get_status_display().split(" - ")[0],
        impact=problem.impact_name,
        known=Truncator(" ".join(known.split())).chars(KNOWN_CHARS),
        since=problem.started_at.isoformat(),
        url=problem.get_status_url() if public else problem.get_absolute_url(),
        follow_url=reverse("status:subscribe") if public else reverse("tiers:problem_list"),
        key=problem.pk,
    )


def _public_notices() -> list[Notice]:
    def render():
        items = [
            _notice(p, public=True) for p in _open(ServiceProblem.objects.filter(is_public=True))
        ]
        return json.dumps([item.__dict__ for item in items]), "application/json"

    try:
        rendered = statuscache.get_or_render(
            "banner", render, expires=lambda: timezone.now() + dt.timedelta(minutes=5)
        )
    except statuscache.Unavailable:
        return []
    return [Notice(**item) for item in json.loads(rendered.content)] if rendered else []


def _private_notices(user) -> list[Notice]:
    if not getattr(user, "is_authenticated", False) or is_support_staff(user):
        return []
    if not permissions.problem_organisations(user):
        return []
    private = permissions.visible_problems(user).filter(is_public=False)
    return [_notice(problem, public=False) for problem in _open(private)]


def banner(request) -> list[Notice]:
    """What the banner shows on this request (most severe first, at most MAX_NOTICES)."""
    notices = _public_notices()
    try:
        notices += _private_notices(getattr(request, "user", None))
    except DatabaseError:
        logger.exception("incident banner without the private incidents")
    return notices[:MAX_NOTICES]
