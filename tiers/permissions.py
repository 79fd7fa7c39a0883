"""Who may see and do what with organisations and tickets. The one place these rules live.

Ticket access is answered as a queryset filter (`visible_tickets`), so listings and detail
lookups share one rule and a guessed case number from another organisation is simply "not
found" - never a 403 that confirms it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from resourcecenter.roles import guardian_for, is_support_staff
from tiers.incidents.problems import is_entitled
from tiers.models import Membership, Organisation, ServiceProblem, Ticket
from tiers.plans.selectors import plans_by_org


def memberships_of(user) -> list[Membership]:
    """The user's memberships (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return guardian_for(user).memo(
        "tiers.memberships",
        lambda: list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        ),
    )


def membership_in(user, organisation: Organisation) -> Membership | None:
    for membership in memberships_of(user):
        if membership.organisation_id == organisation.pk:
            return membership
    return None


def is_org_admin(user, organisation: Organisation) -> bool:
    membership = membership_in(user, organisation)
    return membership is not None and membership.is_admin


def can_view_organisation(user, organisation: Organisation) -> bool:
    return is_support_staff(user) or membership_in(user, organisation) is not None


def visible_tickets(user) -> QuerySet[Ticket]:
    """Tickets `user` may read: all for staff; else their organisations' (or only their own)."""
    tickets = Ticket.objects.all()
    if is_support_staff(user):
        return tickets
    if not getattr(user, "is_authenticated", False):
        return tickets.none()
    rule = Q(requester=user)
    for membership in memberships_of(user):
        if membership.is_admin or membership.organisation.members_see_all_tickets:
            rule |= Q(organisation_id=membership.organisation_id)
    member_org_ids = [m.organisation_id for m in memberships_of(user)]
    # A requester who has left the organisation no longer sees its tickets.
    return tickets.filter(rule, organisation_id__in=member_org_ids)


def can_act_as_customer(user, ticket: Ticket) -> bool:
    """Reply, attach, close, dispute, escalate: any current member who can see the ticket."""
    if not getattr(user, "is_authenticated", False):
        return False
    return visible_tickets(user).filter(pk=ticket.pk).exists()


def can_manage_ticket(user) -> bool:
    """Staff-only actions: internal notes, severity, assignment, status, time, quotes."""
    return is_support_staff(user)


def problem_organisations(user) -> list[Organisation]:
    """The user's organisations whose plan includes proactive problem notifications."""
    if not getattr(user, "is_authenticated", False):
        return []

    def load() -> list[Organisation]:
        memberships = memberships_of(user)
        plans = plans_by_org([m.organisation_id for m in memberships]) if memberships else {}
        return [m.organisation for m in memberships if is_entitled(plans.get(m.organisation_id))]

    return guardian_for(user).memo("tiers.problem_orgs", load)


def visible_problems(user) -> QuerySet[ServiceProblem]:
    """Service problems `user` may read: all for staff; else those affecting one of their
    organisations on a plan with proactive notifications (the free plan sees none), and those an
    organisation was e-mailed about (it keeps hearing about them after the scope narrows, so
    the link in the e-mail must keep working). A problem limited to other organisations is
    not found, exactly like one that does not exist."""
    problems = ServiceProblem.objects.all()
    if is_support_staff(user):
        return problems
    organisations = problem_organisations(user)
    if not organisations:
        return problems.none()
    rule = Q()
    for organisation in organisations:
        rule |= (Q(region="") | Q(region=organisation.region)) & (
            Q(organisations__isnull=True) | Q(organisations=organisation)
        )
        rule |= Q(updates__notifications__organisations=organisation)
    return problems.filter(pk__in=ServiceProblem.objects.filter(rule).values("pk"))


def can_view_case_report(user, organisation: Organisation) -> bool:
    """An organisation's case reports: support staff, its admins, and its members when the
    organisation lets members see all of its tickets (the figures are made of them).
    Whether the plan includes reports is the plan's question (`Plan.case_reports`)."""
    if is_support_staff(user):
        return True
    membership = membership_in(user, organisation)
    if membership is None:
        return False
    return membership.is_admin or organisation.members_see_all_tickets
