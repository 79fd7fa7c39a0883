"""Root-cause analyses and postmortems: staff write them on the incident (a StreamField) and
publish them; who reads one follows the plans as data (`Plan.postmortem_impacts`, answered by
tiers.permissions.can_read_postmortem), and search finds it for exactly those readers
(tiers.search_documents).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.incidents.models import ServiceProblem


def save_postmortem(
    *, problem: ServiceProblem, by, postmortem=None, publish: bool | None = None, now=None
) -> ServiceProblem:
    """Store the text (None keeps it) and publish or withdraw it (None keeps the state).

    Publishing needs a resolved incident and some text: a postmortem explains what is over.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff write postmortems.")
    now = now or timezone.now()
    with transaction.atomic():
        problem = ServiceProblem.objects.select_for_update().get(pk=problem.pk)
        if postmortem is not None:
            problem.postmortem = postmortem
        if publish and problem.postmortem_published_at is None:
            if problem.status != ServiceProblem.RESOLVED:
                raise TierError("Publish the postmortem once the incident is resolved.")
            if not problem.postmortem:
                raise TierError("Write the postmortem before publishing it.")
            problem.postmortem_published_at = now
        elif publish is False:
            problem.postmortem_published_at = None
        problem.save(update_fields=["postmortem", "postmortem_published_at", "updated_at"])
    return problem
