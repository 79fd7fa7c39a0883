"""The forum's Member row beside each user: created on first need with a unique @mention handle,
and its approved-post count (which lifts the new-member link restriction, forum.permissions)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery, Value
from django.db.models.functions import Coalesce

from forum import permissions as perms
from forum.models import Member, Post, PostState
from forum.models import TrustLevel as TL


def _handle_base(user) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "", (user.public_name or "").replace(" ", "_"))
    base = base.strip("._-")[:30]
    return base or f"member{user.pk}"


def ensure_member(user) -> Member:
    """The user's Member row, created on first need with a unique @mention handle."""
    member = Member.objects.filter(user=user).first()
    if member is None:
        base = _handle_base(user)
        handle, n = base, 1
        while Member.objects.filter(handle__iexact=handle).exists():
            n += 1
            handle = f"{base}{n}"
        try:
            with transaction.atomic():
                member = Member.objects.create(user=user, handle=handle)
        except IntegrityError:  # created concurrently (or the handle was just taken)
            member = Member.objects.filter(user=user).first()
            if member is None:
                member = Member.objects.create(user=user, handle=f"{base}{user.pk}")
    elif not member.handle:
        Member.objects.filter(pk=member.pk).update(handle=f"{_handle_base(user)}{user.pk}")
        member.refresh_from_db()
    perms.remember_member(user, member)
    return member


def member_for_posting(user) -> Member:
    """The user's Member row as a new post is decided on (held? links allowed?), created on
    first need.

    The request's standing serves when it can: forum.cache keeps it per access generation, so
    a changed trust level or sanction is read afresh, but a new post does not move that
    generation, so its approved-post count may be behind. That count decides only whether a
    *new* member's post is held: their row (and a first post's) is read from the database.
    """
    member = perms.get_member(user)
    if member is None or member.pk is None or not member.handle or member.trust_level == TL.NEW:
        return ensure_member(user)
    return member


def refresh_member_stats(user) -> None:
    """Recount the member's approved posts (one UPDATE with a subquery; exact)."""
    approved = (
        Post.objects.filter(author=user, moderation_state=PostState.APPROVED)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Member.objects.filter(user=user).update(
        approved_post_count=Coalesce(Subquery(approved), Value(0))
    )
    perms.forget_member(user)
