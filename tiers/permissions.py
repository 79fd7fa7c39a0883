"""Who may see and do what with organisations and tickets. The one place these rules live.

Ticket access is answered as a queryset filter (`visible_tickets`), so listings and detail
lookups share one rule and a guessed case number from another organisation is simply "not
found" - never a 403 that confirms it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from resourcecenter.roles import is_support_staff
from tiers.models import Membership, Organisation, Ticket


def memberships_of(user) -> list[Membership]:
    """The user's memberships (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_tiers_memberships", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        user._tiers_memberships = cache
    return cache


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
