"""The staff workspace's writes: the side panel saved in one action, the one composer (reply or
internal note, with a macro and its actions), the public part of the fix, copying organisation
members, merging duplicates.

Each reuses the one service for its change (lifecycle moves through `set_status`, severity
through `set_severity`, assignment through `assign`), so every changed field leaves exactly one
timeline event and its usual notifications; several changes commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.plans.models import Membership
from tiers.tickets import lifecycle, macros, notify
from tiers.tickets.attachments import Upload
from tiers.tickets.conversation import add_reply, set_status
from tiers.tickets.handling import assign, set_severity
from tiers.tickets.models import Ticket, TicketAttachment, TicketMessage
from tiers.tickets.promotion import publish_fix_to_thread
from tiers.tickets.timeline import log_event
from tiers.tickets.work_models import Macro, TicketCC

UNCHANGED = object()


def _require_staff(user) -> None:
    if not is_support_staff(user):
        raise PermissionDenied("Only support staff work tickets.")


@dataclass(frozen=True)
class PanelChange:
    """The side panel's wanted values; UNCHANGED (the default) leaves a field alone."""

    status: object = UNCHANGED
    severity: object = UNCHANGED
    assignee: object = UNCHANGED  # a user who works tickets, or None to unassign
    category: object = UNCHANGED


def update_ticket(*, ticket: Ticket, by, change: PanelChange, now=None) -> list[str]:
    """Apply the side panel in one transaction; returns what changed, in words."""
    _require_staff(by)
    now = now or timezone.now()
    done = []
    with transaction.atomic():
        current = Ticket.objects.select_related("assigned_to").get(pk=ticket.pk)
        # Severity first: resolving in the same save then closes the clock of the new severity.
        if change.severity is not UNCHANGED and change.severity != current.severity:
            set_severity(ticket=current, severity=change.severity, by=by, now=now)
            done.append(f"severity {change.severity}")
        if change.assignee is not UNCHANGED and change.assignee != current.assigned_to:
            assign(ticket=current, analyst=change.assignee, by=by)
            done.append("assignee")
        if change.category is not UNCHANGED and change.category != current.category:
            set_category(ticket=current, category=change.category, by=by)
            done.append("category")
        if change.status is not UNCHANGED and change.status != current.status:
            set_status(ticket=current, status=change.status, by=by, now=now)
            done.append(f"status {dict(Ticket.STATUS_CHOICES)[change.status].lower()}")
    return done


def set_category(*, ticket: Ticket, category: str, by) -> Ticket:
    """What kind of work the case is (it decides which allowance its time counts against)."""
    _require_staff(by)
    labels = dict(Ticket.CATEGORY_CHOICES)
    if category not in labels:
        raise TierError("Choose a category.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        old = ticket.category
        if old == category:
            return ticket
        ticket.category = category
        ticket.save(update_fields=["category", "updated_at"])
        log_event(
            ticket,
            "category",
            f"Category: {labels[category]} (was {labels.get(old, old)})",
            actor=by,
            public=True,
            old=old,
            new=category,
        )
    return ticket


def save_public_fix(*, ticket: Ticket, by, text: str, publish: bool = False) -> None:
    """Keep the public part of the fix; `publish` also posts it to the case's thread as the
    accepted answer. The text is kept even when the thread refuses the post, so nothing typed
    is lost."""
    _require_staff(by)
    ticket.resolution_public = text.strip()
    ticket.save(update_fields=["resolution_public", "updated_at"])
    if publish:
        publish_fix_to_thread(ticket=ticket, by=by)


def compose(
    *,
    ticket: Ticket,
    by,
    body: str,
    internal: bool,
    uploads: Iterable[Upload] = (),
    macro: Macro | None = None,
    now=None,
) -> TicketMessage:
    """Send a public reply or add an internal note; a macro fills an empty text and applies
    its actions (severity, then status) with the message. All or nothing."""
    _require_staff(by)
    now = now or timezone.now()
    if macro is not None and not (body or "").strip():
        body = macros.render(macro, ticket, by)
    with transaction.atomic():
        message = add_reply(
            ticket=ticket, author=by, body=body, internal=internal, uploads=uploads, now=now
        )
        if macro is not None:
            change = PanelChange(
                severity=macro.set_severity if macro.set_severity else UNCHANGED,
                status=macro.set_status or UNCHANGED,
            )
            update_ticket(ticket=ticket, by=by, change=change, now=now)
    return message


def cc_candidates(ticket: Ticket):
    """Members of the ticket's organisation who may be copied (not the requester, not yet)."""
    return (
        Membership.objects.filter(organisation_id=ticket.organisation_id, user__is_active=True)
        .exclude(user_id=ticket.requester_id)
        .exclude(user_id__in=ticket.ccs.values("user_id"))
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def add_cc(*, ticket: Ticket, user_id: int, by) -> TicketCC:
    """Copy a member of the same organisation on the case (never anyone else)."""
    _require_staff(by)
    membership = cc_candidates(ticket).filter(user_id=user_id).first()
    if membership is None:
        raise TierError("Choose a member of this organisation who is not copied yet.")
    with transaction.atomic():
        cc = TicketCC.objects.create(ticket=ticket, user=membership.user, added_by=by)
        log_event(ticket, "cc_added", f"{membership.user.public_name} copied on the case", actor=by)
    return cc


def remove_cc(*, ticket: Ticket, user_id: int, by) -> None:
    _require_staff(by)
    cc = ticket.ccs.select_related("user").filter(user_id=user_id).first()
    if cc is None:
        raise TierError("That person is not copied on this case.")
    with transaction.atomic():
        cc.delete()
        log_event(ticket, "cc_removed", f"{cc.user.public_name} no longer copied", actor=by)


def merge_ticket(*, duplicate: Ticket, target_case: str, by, now=None) -> Ticket:
    """Merge `duplicate` into the case numbered `target_case` of the same organisation.

    The duplicate's messages and files move to the target (its description becomes the first
    of them), its requester is copied on the target, and it is closed with a pointer. One
    timeline event on each side.
    """
    _require_staff(by)
    now = now or timezone.now()
    target_case = (target_case or "").strip().upper()
    with transaction.atomic():
        pair = Ticket.objects.select_for_update().filter(
            Q(pk=duplicate.pk) | Q(case_number=target_case)
        )
        locked = {t.pk: t for t in pair.order_by("pk")}
        duplicate = locked[duplicate.pk]
        target = next((t for t in locked.values() if t.case_number == target_case), None)
        _check_merge(duplicate, target, target_case)
        moved = TicketMessage.objects.filter(ticket=duplicate).update(ticket=target)
        TicketAttachment.objects.filter(ticket=duplicate).update(ticket=target)
        TicketMessage.objects.create(
            ticket=target,
            author=duplicate.requester,
            body=f"(Merged from {duplicate.case_number}: {duplicate.subject})\n\n"
            f"{duplicate.description}",
            created_at=duplicate.created_at,
        )
        if (
            duplicate.requester_id != target.requester_id
            and not target.ccs.filter(user_id=duplicate.requester_id).exists()
        ):
            TicketCC.objects.create(ticket=target, user=duplicate.requester, added_by=by)
        if duplicate.status != Ticket.CLOSED:
            lifecycle.move(duplicate, "merge", Ticket.CLOSED, by=by, now=now)
        duplicate.merged_into = target
        duplicate.save()
        log_event(
            duplicate,
            "merged",
            f"Merged into {target.case_number}; the conversation continues there",
            actor=by,
            public=True,
            target=target.case_number,
        )
        log_event(
            target,
            "merged_in",
            f"{duplicate.case_number} merged into this case ({moved} message(s) moved)",
            actor=by,
            public=True,
            duplicate=duplicate.case_number,
        )
        notify.status_changed(duplicate)  # its template says where the case went
    return target


def _check_merge(duplicate: Ticket, target: Ticket | None, target_case: str) -> None:
    if target is None:
        raise TierError(f"There is no case {target_case or '(empty)'}.")
    if target.pk == duplicate.pk:
        raise TierError("A case cannot be merged into itself.")
    if target.organisation_id != duplicate.organisation_id:
        raise TierError("Only cases of the same organisation can be merged.")
    if duplicate.merged_into_id:
        raise TierError("This case was already merged.")
    if target.merged_into_id:
        raise TierError(
            f"{target.case_number} was itself merged; merge into the case it points to."
        )
