"""Forum thread to private ticket, and the public fix back to the thread."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

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
from tiers.tickets.attachments import Upload
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


# Root-relative links in posts ("/community/t/...", "](/guides/...)") mean nothing in a ticket
# read in the admin or quoted in an e-mail: they get the site's address.
_RELATIVE_LINK = re.compile(r"(\]\(\s*|href=[\"']|src=[\"'])/(?!/)")


def _absolute_links(markdown: str) -> str:
    return _RELATIVE_LINK.sub(lambda m: m.group(1) + absolute("/"), markdown)


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
        parts.append(_absolute_links(posts[0].body_markdown.strip()))
    replies = [p for p in posts[1:] if p.author_id][:6]
    if replies:
        parts.append("\n---\nRelevant replies from the community thread:")
        for post in replies:
            who = post.author.public_name + (" (staff)" if post.is_staff_answer else "")
            parts.append(f"\n{who} wrote:\n{_absolute_links(post.body_markdown.strip())}")
    parts.append(f"\nCommunity thread: {absolute(thread.get_absolute_url())}")
    return "\n".join(parts).strip()


ESCALATION_NOTE = (
    "This question has been escalated to a private support ticket. A support analyst is "
    "following up with the author directly, and we'll share the public part of the solution "
    "here once it's resolved."
)


_DEVICE_COUNT = re.compile(
    r"\b(\d{1,3}(?:[,.]\d{3})+|\d{1,9})\s+(?:of\s+(?:our|the|my)\s+)?"
    r"(?:devices|units|trackers|meters|sensors|modems|sims|gateways|cameras)\b",
    re.IGNORECASE,
)


def thread_prefill(thread) -> dict:
    """What the escalation form starts with: the thread's title, when it was asked (the best
    guess at the incident's time) and a device count the question mentions, if any."""
    initial = {"subject": thread.title, "incident_at": thread.created_at}
    question = thread.posts.filter(number=1).values_list("body_markdown", flat=True).first()
    match = _DEVICE_COUNT.search(f"{thread.title}\n{question or ''}")
    if match:
        initial["devices_affected"] = int(re.sub(r"[,.]", "", match.group(1)))
    return initial


@dataclass
class TicketDetails:
    """What the author tells us when escalating (the thread itself says the rest)."""

    customer_severity: int | None = None
    devices_affected: int | None = None
    incident_at: dt.datetime | None = None
    conditions: str = ""
    subject: str = ""
    category: str = "troubleshooting"
    uploads: list[Upload] = field(default_factory=list)


def promote_thread(
    *,
    thread,
    by,
    organisation: Organisation | None = None,
    details: TicketDetails | None = None,
) -> PromotionResult:
    """Turn a forum thread into a private ticket for its author's organisation.

    The thread author (on a ticket plan) escalates their own thread; staff may promote any
    thread. If the author has no organisation on a ticket plan, staff promotion offers the
    author the upgrade path instead (e-mail) and creates nothing. The thread row is locked and
    `Ticket.thread` is unique, so promoting one thread twice - even concurrently - yields one
    ticket. `details` (severity estimate, devices, time of the incident ...) go on the ticket.
    """

    staff = is_support_staff(by)
    if not staff and thread.author_id != by.pk:
        raise PermissionDenied("Only the thread's author or support staff can escalate it.")
    choices = _author_choices(thread, organisation)
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
                notify.upgrade_offer(thread, thread.author, by)
                return PromotionResult(None, upgrade_offered=True)
            ticket = _open_from_thread(thread, choices[0][0], by, details or TicketDetails())
            _post_escalation_note(ticket, thread, by, staff)
    except IntegrityError:
        existing = Ticket.objects.filter(thread_id=thread.pk).first()
        if existing is None:
            raise
        return PromotionResult(existing, created=False)
    return PromotionResult(ticket, created=True)


def _author_choices(thread, organisation: Organisation | None):
    """The author's organisations that may open tickets (only `organisation`, when given)."""
    author = thread.author
    if author is None:
        raise TierError("This thread has no author to open a ticket for.")
    forget_user_caches(author)
    choices = ticket_organisations(author)
    if organisation is not None:
        choices = [(org, plan) for org, plan in choices if org.pk == organisation.pk]
        if not choices:
            raise TierError(f"{organisation} cannot open tickets for this author.")
    return choices


def _open_from_thread(thread, organisation, by, details: TicketDetails) -> Ticket:
    author = thread.author
    ticket = open_ticket(
        organisation=organisation,
        requester=author,
        subject=details.subject or thread.title,
        description=_thread_description(thread),
        devices_affected=details.devices_affected,
        incident_at=details.incident_at,
        conditions=details.conditions,
        customer_severity=details.customer_severity,
        category=details.category,
        channel="thread",
        tags=", ".join(thread.tags.values_list("name", flat=True)),
        thread=thread,
        uploads=details.uploads,
    )
    staff_for_author = is_support_staff(by) and by.pk != author.pk
    log_event(
        ticket,
        "promoted",
        "Promoted from the community thread"
        + (f" by {by.public_name}" if staff_for_author else ""),
        actor=by,
        public=True,
        thread=thread.pk,
    )
    return ticket


def _post_escalation_note(ticket: Ticket, thread, by, staff: bool) -> None:
    """The public note in the thread; a refusal (locked thread ...) is logged, not fatal."""
    note_author = by if staff else system_user()
    try:
        with transaction.atomic():
            forum_services.create_reply(author=note_author, thread=thread, body=ESCALATION_NOTE)
    except (PermissionDenied, ValidationError) as exc:
        log_event(ticket, "thread_note_failed", f"No note posted in the thread: {exc}")


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
