"""Forum thread to private ticket, and the public fix back to the thread."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from forum import services as forum_services
from forum.models import Thread
from resourcecenter.models import User
from resourcecenter.roles import ANALYSTS_GROUP, is_support_staff
from tiers.conf import app_settings
from tiers.errors import TierError
from tiers.mail import absolute
from tiers.plans.models import Organisation
from tiers.plans.organisations import forget_user_caches
from tiers.selectors import default_plan_name, ticket_organisations
from tiers.tickets import notify
from tiers.tickets.models import Ticket
from tiers.tickets.opening import open_ticket
from tiers.tickets.timeline import log_event


@dataclass
class PromotionResult:
    ticket: Ticket | None
    created: bool = False
    upgrade_offered: bool = False


def system_user():
    """The account that posts the team's automatic notes in the forum.

    Created on first use. Its display name is "Support team" unless a person already goes by
    that (display names are unique ignoring case), then a numbered variant.
    """

    email = app_settings.SYSTEM_USER_EMAIL
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    name, number = "Support team", 1
    while User.objects.display_name_taken(name):
        number += 1
        name = f"Support team {number}"
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, display_name=name)
            # Its notes are support staff answers: it holds the analyst role (is_staff grants none).
            user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    except IntegrityError:  # created at the same moment by another request
        return User.objects.get(email__iexact=email)
    return user


def _thread_description(thread) -> str:
    posts = list(
        thread.posts.filter(moderation_state="approved")
        .select_related("author")
        .order_by("number")[:12]
    )
    if not posts or posts[0].number != 1:
        first = thread.posts.select_related("author").filter(number=1).first()
        posts = ([first] if first else []) + [p for p in posts if p.number != 1]
    parts = []
    if posts:
        parts.append(posts[0].body_markdown.strip())
    replies = [p for p in posts[1:] if p.author_id][:6]
    if replies:
        parts.append("\n---\nRelevant replies from the community thread:")
        for post in replies:
            who = post.author.public_name + (" (staff)" if post.is_staff_answer else "")
            parts.append(f"\n{who} wrote:\n{post.body_markdown.strip()}")
    parts.append(f"\nCommunity thread: {absolute(thread.get_absolute_url())}")
    return "\n".join(parts).strip()


ESCALATION_NOTE = (
    "This question has been escalated to a private support ticket. A support analyst is "
    "following up with the author directly, and we'll share the public part of the solution "
    "here once it's resolved."
)


def promote_thread(*, thread, by, organisation: Organisation | None = None) -> PromotionResult:
    """Turn a forum thread into a private ticket for its author's organisation.

    The thread author (on a ticket plan) escalates their own thread; staff may promote any
    thread. If the author has no organisation on a ticket plan, staff promotion offers the
    author the upgrade path instead (e-mail) and creates nothing. The thread row is locked and
    `Ticket.thread` is unique, so promoting one thread twice - even concurrently - yields one
    ticket.
    """

    staff = is_support_staff(by)
    if not staff and thread.author_id != by.pk:
        raise PermissionDenied("Only the thread's author or support staff can escalate it.")
    author = thread.author
    if author is None:
        raise TierError("This thread has no author to open a ticket for.")
    forget_user_caches(author)
    choices = ticket_organisations(author)
    if organisation is not None:
        choices = [(org, plan) for org, plan in choices if org.pk == organisation.pk]
        if not choices:
            raise TierError(f"{organisation} cannot open tickets for this author.")
    try:
        with transaction.atomic():
            thread = Thread.objects.select_for_update().get(pk=thread.pk)
            existing = Ticket.objects.filter(thread=thread).first()
            if existing is not None:
                return PromotionResult(existing, created=False)
            if not choices:
                if not staff:
                    raise TierError(
                        f"Your organisation is on {default_plan_name()} support, which does not "
                        "include tickets."
                    )
                notify.upgrade_offer(thread, author, by)
                return PromotionResult(None, upgrade_offered=True)
            org = choices[0][0]
            tags = ", ".join(thread.tags.values_list("name", flat=True))
            ticket = open_ticket(
                organisation=org,
                requester=author,
                subject=thread.title,
                description=_thread_description(thread),
                channel="thread",
                tags=tags,
                thread=thread,
            )
            log_event(
                ticket,
                "promoted",
                "Promoted from the community thread"
                + (f" by {by.public_name}" if staff and by.pk != author.pk else ""),
                actor=by,
                public=True,
                thread=thread.pk,
            )
            note_author = by if staff else system_user()
            try:
                with transaction.atomic():
                    forum_services.create_reply(
                        author=note_author, thread=thread, body=ESCALATION_NOTE
                    )
            except (PermissionDenied, ValidationError) as exc:
                log_event(ticket, "thread_note_failed", f"No note posted in the thread: {exc}")
    except IntegrityError:
        existing = Ticket.objects.filter(thread_id=thread.pk).first()
        if existing is None:
            raise
        return PromotionResult(existing, created=False)
    return PromotionResult(ticket, created=True)


def publish_fix_to_thread(*, ticket: Ticket, by, body: str | None = None):
    """Post the public part of the fix to the linked thread and mark it as the accepted answer."""

    if not is_support_staff(by):
        raise PermissionDenied("Only support staff publish fixes.")
    if ticket.thread_id is None:
        raise TierError("This ticket did not come from a community thread.")
    body = (body if body is not None else ticket.resolution_public).strip()
    if not body:
        raise TierError("Write the public part of the fix first (no private details).")
    with transaction.atomic():
        thread = ticket.thread
        try:
            post = forum_services.create_reply(author=by, thread=thread, body=body)
            forum_services.accept_answer(thread=thread, post=post, by=by)
        except (PermissionDenied, ValidationError) as exc:
            raise TierError(f"The thread refused the post: {exc}") from exc
        ticket.resolution_public = body
        ticket.save(update_fields=["resolution_public", "updated_at"])
        log_event(
            ticket, "fix_published", "Public fix posted to the thread and marked solved", actor=by
        )
    return post
