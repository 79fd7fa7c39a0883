"""Writes for organisations, their members and invitations.

Each function checks its own preconditions (raising `TierError` with a message fit to show
the user); an organisation admin (or support staff) manages members.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from allauth.account.models import EmailAddress

from resourcecenter.roles import guardian_for, is_support_staff
from tiers.errors import TierError
from tiers.mail import absolute
from tiers.permissions import membership_in
from tiers.plans import notify
from tiers.plans.models import Invitation, Membership, Organisation

INVITATION_SALT = "tiers.invitation"
INVITATION_DAYS = 7


def forget_user_caches(user) -> None:
    """After a membership or plan change in this request: the next question reads afresh."""
    guardian = guardian_for(user)
    for key in ("tiers.memberships", "tiers.audiences", "tiers.problem_orgs"):
        guardian.forget(key)


def create_organisation(*, name: str, region: str, creator) -> Organisation:
    """A new customer account on the default plan; the creator is its admin and point of contact."""
    name = " ".join((name or "").split())
    if not name:
        raise TierError("Give the organisation a name.")
    if region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose the region whose business hours apply (US or Europe).")
    base = slugify(name)[:60] or "org"
    with transaction.atomic():
        slug, n = base, 1
        while Organisation.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        organisation = Organisation.objects.create(name=name, slug=slug, region=region)
        Membership.objects.create(
            organisation=organisation,
            user=creator,
            role=Membership.ROLE_ADMIN,
            is_point_of_contact=True,
        )
    forget_user_caches(creator)
    return organisation


def _require_admin(user, organisation: Organisation) -> None:
    membership = membership_in(user, organisation)
    if not (membership and membership.is_admin) and not is_support_staff(user):
        raise PermissionDenied("Only an organisation admin can do that.")


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invite_member(*, organisation: Organisation, email: str, role: str, by) -> Invitation:
    """E-mail a signed, expiring invitation link to join `organisation`."""
    _require_admin(by, organisation)
    email = (email or "").strip().lower()
    if "@" not in email:
        raise TierError("Enter the e-mail address to invite.")
    if role not in (Membership.ROLE_ADMIN, Membership.ROLE_MEMBER):
        raise TierError("Choose a role.")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise TierError(f"{email} is already a member.")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email=email, accepted_at__isnull=True, revoked_at=None
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        url = absolute(reverse("tiers:invitation", args=[invitation_token(invitation)]))
        notify.invitation(invitation, url)
    return invitation


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=dt.timedelta(days=INVITATION_DAYS + 1)
        )
    except signing.SignatureExpired:
        raise TierError("This invitation has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise TierError("This invitation link is not valid.") from None
    invitation = (
        Invitation.objects.filter(pk=data.get("id"), email=data.get("email"))
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        raise TierError("This invitation link is not valid.")
    return invitation


def _owns_address(user, address: str) -> bool:
    """The user's login e-mail, or another address they have verified."""

    if user.email.lower() == address.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=address, verified=True).exists()


def accept_invitation(*, token: str, user) -> Membership:
    """Join the organisation. The signed-in user's e-mail must match the invited address."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise TierError("This invitation has already been used.")
        if invitation.revoked_at:
            raise TierError("This invitation was withdrawn.")
        if invitation.expires_at <= timezone.now():
            raise TierError("This invitation has expired; ask for a new one.")
        if not _owns_address(user, invitation.email):
            raise TierError(
                f"This invitation is for {invitation.email}; sign in with that address to accept."
            )
        membership, _ = Membership.objects.get_or_create(
            organisation=invitation.organisation,
            user=user,
            defaults={"role": invitation.role},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_user_caches(user)
    return membership


def set_point_of_contact(*, membership: Membership, by) -> Membership:
    """Make `membership` the one point of contact (the previous one stops being it)."""
    _require_admin(by, membership.organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        Membership.objects.filter(
            organisation_id=membership.organisation_id, is_point_of_contact=True
        ).exclude(pk=membership.pk).update(is_point_of_contact=False)
        membership.is_point_of_contact = True
        membership.save(update_fields=["is_point_of_contact"])
    return membership


def change_role(*, membership: Membership, role: str, by) -> Membership:
    _require_admin(by, membership.organisation)
    if role not in (Membership.ROLE_ADMIN, Membership.ROLE_MEMBER):
        raise TierError("Choose a role.")
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        if role == Membership.ROLE_MEMBER and membership.is_admin:
            admins = Membership.objects.filter(
                organisation_id=membership.organisation_id, role=Membership.ROLE_ADMIN
            ).count()
            if admins <= 1:
                raise TierError("An organisation needs at least one admin.")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(*, membership: Membership, by) -> None:
    if by.pk != membership.user_id:
        _require_admin(by, membership.organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        if membership.is_point_of_contact:
            raise TierError("Choose another point of contact before removing this person.")
        if membership.is_admin:
            admins = Membership.objects.filter(
                organisation_id=membership.organisation_id, role=Membership.ROLE_ADMIN
            ).count()
            if admins <= 1:
                raise TierError("An organisation needs at least one admin.")
        membership.delete()


def update_organisation(
    *, organisation: Organisation, by, region: str, members_see_all_tickets: bool
) -> Organisation:
    _require_admin(by, organisation)
    if region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region.")
    organisation.region = region
    organisation.members_see_all_tickets = members_see_all_tickets
    organisation.save(update_fields=["region", "members_see_all_tickets"])
    return organisation
