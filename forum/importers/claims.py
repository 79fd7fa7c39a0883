"""Claiming an imported member: the person who proves the old forum's e-mail address gets the
member's posts.

An imported member (forum.importers.members) keeps the address the old forum knew as its
ImportedRecord's `claim_email`. The person signs up here as anyone does, with that address;
the moment allauth confirms it (the `email_confirmed` signal, also sent when a signed-in user
adds and verifies a second address), every unclaimed imported member with that address is
merged into the person's account: threads, posts and edits change author (imported members
cannot vote, being deactivated), the placeholder
account stays deactivated, and the record says who claimed it and when. Nothing happens for
addresses that are not verified, and a member is claimed at most once.

Stack Exchange dumps carry no addresses, so their members have none to claim by; staff who have
checked a person's identity on the old site may set `claim_email` on the member's record.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed

from forum.member_services import ensure_member, refresh_member_stats
from forum.models import ImportedKind, ImportedRecord, Post, Thread
from forum.services import ForumPermissionDenied


def claimable_members(email: str) -> QuerySet[ImportedRecord]:
    """Unclaimed imported members whose old forum knew `email` (compared ignoring case)."""
    return ImportedRecord.objects.filter(
        kind=ImportedKind.MEMBER, claim_email__iexact=email.strip(), claimed_by__isnull=True
    ).exclude(claim_email="")


@transaction.atomic
def claim_imported_member(*, record: ImportedRecord, claimant) -> int:
    """Hand the imported member of `record` over to `claimant`; returns how many posts moved.

    Refused (ForumPermissionDenied) unless `claimant` has verified the record's e-mail address
    here and the member is not claimed yet.
    """
    record = ImportedRecord.objects.select_for_update().get(pk=record.pk)
    if record.kind != ImportedKind.MEMBER or record.claimed_by_id is not None:
        raise ForumPermissionDenied("This imported member has already been claimed.")
    verified = EmailAddress.objects.filter(
        user=claimant, email__iexact=record.claim_email, verified=True
    ).exists()
    if not record.claim_email or not verified:
        raise ForumPermissionDenied(
            "Verify the e-mail address the old forum knew to claim this member."
        )
    old = record.object_id
    moved = 0
    for post in Post.objects.filter(author_id=old).order_by("pk").iterator(chunk_size=200):
        post.author = claimant
        post.save(update_fields=["author"])  # a save per post, so search hears of it
        moved += 1
    Post.objects.filter(edited_by_id=old).update(edited_by=claimant)
    Thread.objects.filter(author_id=old).update(author=claimant)
    record.claimed_by = claimant
    record.claimed_at = timezone.now()
    record.save(update_fields=["claimed_by", "claimed_at"])
    ensure_member(claimant)
    refresh_member_stats(claimant)
    return moved


@receiver(email_confirmed, dispatch_uid="forum_claim_imported_members")
def claim_on_email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    if email_address is None or not email_address.verified:
        return
    for record in claimable_members(email_address.email):
        claim_imported_member(record=record, claimant=email_address.user)
