"""E-mail intake: turn a raw RFC 822 message into a new ticket or a reply on an existing one.

Every message is stored raw first (`InboundMessage`), then processed, so none is lost: one
that cannot be processed stays for staff with the reason and its sender is told. Both ways in
- the `tiers_inbound_email` command and the provider webhook (tiers.tickets.webhooks) - call
`receive`.

Who sent it is never taken from the From: header alone (tiers.tickets.mailauth):
- A reply to our signed per-ticket, per-recipient address (``support+<token>@...``) from that
  recipient is posted as theirs - the only way staff reply by e-mail.
- A subject carrying a case number ("Re: [INF-2026-000042] ...") from a customer who may act
  on the case is posted if our trusted relay saw DMARC/DKIM pass for the From domain.
- A known member of an organisation whose plan takes e-mail opens a new ticket on the same
  condition (several organisations: the first one on such a plan, by name).
- Anything else from a known address is held for an analyst to release or discard; unknown
  senders and outsiders get a polite bounce.
Attachments are kept within the same type and size limits as the web form; rejected ones are
listed in the ticket's timeline instead of failing the whole message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from resourcecenter.models import User
from resourcecenter.roles import is_support_staff
from resourcecenter.text import html_to_lines
from tiers.conf import app_settings
from tiers.errors import TierError
from tiers.permissions import can_act_as_customer
from tiers.selectors import ticket_organisations
from tiers.tickets import mailauth, notify
from tiers.tickets.attachments import MAX_ATTACHMENTS_PER_MESSAGE, Upload, validate_upload
from tiers.tickets.conversation import add_reply
from tiers.tickets.models import InboundMessage, Ticket, TicketEvent
from tiers.tickets.opening import open_ticket

CASE_RE = re.compile(r"\[([A-Z]{2,6}-\d{4}-\d{6})\]")
QUOTED_RE = re.compile(r"^On .{5,200} wrote:\s*$", re.MULTILINE)
# "Severity: 2", "Severity level 2", "Severity estimate: 2", "Estimated severity: 2".
SEVERITY_RE = re.compile(
    r"severity(?:\s+(?:level|estimate))?\s*[:=]?\s*(?:level\s*)?([1-4])\b", re.IGNORECASE
)
logger = logging.getLogger(__name__)
DEVICES_RE = re.compile(r"devices?\s+(?:affected|impacted)\s*[:=]?\s*([\d,]+)", re.IGNORECASE)


@dataclass
class ParsedMessage:
    sender: str
    subject: str
    body: str
    uploads: list[Upload] = field(default_factory=list)
    case_number: str | None = None
    severity: int | None = None
    devices_affected: int | None = None


@dataclass
class InboundResult:
    action: str  # "created" | "replied" | "held" | "bounced" | "rejected" | "failed" | "duplicate"
    ticket: Ticket | None = None
    detail: str = ""


def parse(raw: bytes) -> ParsedMessage:
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    # The From address, never Reply-To: Reply-To is whatever the sender wants it to be.
    sender = parseaddr(str(message.get("From") or ""))[1].lower()
    subject = " ".join(str(message.get("Subject") or "").split())
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        body = body_part.get_content()
        if body_part.get_content_type() == "text/html":
            body = html_to_lines(body)
    body = strip_quoted(body)
    uploads = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        uploads.append(
            Upload(part.get_filename() or "attachment", payload, part.get_content_type())
        )
    match = CASE_RE.search(subject)
    return ParsedMessage(
        sender,
        subject,
        body,
        uploads,
        match.group(1) if match else None,
        severity=_severity(body),
        devices_affected=_devices(body),
    )


def _severity(body: str) -> int | None:
    match = SEVERITY_RE.search(body)
    return int(match.group(1)) if match else None


def _devices(body: str) -> int | None:
    """The "Devices affected" count, or None when absent or beyond any real fleet (a 30-digit
    number would overflow the column)."""
    match = DEVICES_RE.search(body)
    if not match:
        return None
    digits = match.group(1).replace(",", "")
    if not digits or len(digits) > 12:
        return None
    count = int(digits)
    return count if count <= app_settings.INBOUND_MAX_DEVICES else None


def strip_quoted(body: str) -> str:
    """Drop the quoted history of a reply ("On ... wrote:" and "> " lines)."""
    match = QUOTED_RE.search(body)
    if match:
        body = body[: match.start()]
    lines = [line for line in body.splitlines() if not line.startswith(">")]
    return "\n".join(lines).strip()


def _keep_valid(uploads: list[Upload]) -> tuple[list[Upload], list[str]]:
    kept, rejected = [], []
    for upload in uploads[:MAX_ATTACHMENTS_PER_MESSAGE]:
        try:
            validate_upload(upload)
        except TierError as exc:
            rejected.append(str(exc))
        else:
            kept.append(upload)
    for upload in uploads[MAX_ATTACHMENTS_PER_MESSAGE:]:
        rejected.append(f"{upload.name}: too many attachments in one message.")
    return kept, rejected


def handle(raw: bytes) -> InboundResult:
    """Receive one message from the management command (see `receive`)."""
    return receive(raw, source="command")


def receive(
    raw: bytes,
    *,
    source: str = "command",
    envelope_recipient: str = "",
    provider_id: str | None = None,
) -> InboundResult:
    """Store the raw message, then process it.

    The row is written before anything parses the body, so a crash while processing loses
    nothing: the message stays `failed` with the reason and the sender is told. A delivery the
    provider retries (same `provider_id`) is not processed twice.
    """
    sender, subject = _envelope_summary(raw)
    if provider_id and InboundMessage.objects.filter(provider_id=provider_id).exists():
        return InboundResult("duplicate", detail="Already received.")
    try:
        with transaction.atomic():
            stored = InboundMessage.objects.create(
                raw=raw,
                source=source,
                provider_id=provider_id or None,
                envelope_recipient=(envelope_recipient or "")[:320],
                sender=sender[:320],
                subject=subject[:300],
            )
    except IntegrityError:  # the same delivery arriving twice at once
        return InboundResult("duplicate", detail="Already received.")
    return process(stored)


def process(stored: InboundMessage) -> InboundResult:
    """Process a stored message; record the outcome on it (never raises for bad mail)."""
    try:
        with transaction.atomic():
            result = _process(bytes(stored.raw), stored.envelope_recipient)
    except Exception as exc:  # noqa: BLE001 - any crash must leave the message for staff
        logger.exception("Inbound message %s could not be processed", stored.pk)
        reason = f"{type(exc).__name__}: {exc}"[:500]
        _record(stored, InboundMessage.FAILED, reason)
        if stored.sender:
            notify.inbound_failed(stored.sender, stored.subject)
        return InboundResult("failed", detail=reason)
    status = {
        "created": InboundMessage.PROCESSED,
        "replied": InboundMessage.PROCESSED,
        "held": InboundMessage.HELD,
        "bounced": InboundMessage.BOUNCED,
    }.get(result.action, InboundMessage.FAILED)
    _record(stored, status, result.detail, result.ticket)
    return result


def release_held(stored: InboundMessage, *, by) -> InboundResult:
    """An analyst vouches for a held message: post it as the customer's reply, or open the
    customer's ticket. A message claiming to come from staff is never released (an analyst
    replies on the case page); a rule that still fails raises TierError and nothing changes."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff release held e-mail.")
    if stored.status != InboundMessage.HELD:
        raise TierError("Only held messages can be released.")
    with transaction.atomic():
        result = _process(bytes(stored.raw), stored.envelope_recipient, vouched=True)
        if result.action not in ("created", "replied"):
            raise TierError(f"The message cannot be released: {result.detail}")
        _record(stored, InboundMessage.RELEASED, f"Released: {result.action}", result.ticket, by)
    return result


def discard_held(stored: InboundMessage, *, by) -> None:
    """An analyst decides a held or failed message is not to be acted on (it stays stored)."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff discard held e-mail.")
    if stored.status not in (InboundMessage.HELD, InboundMessage.FAILED):
        raise TierError("Only held or failed messages can be discarded.")
    _record(stored, InboundMessage.DISCARDED, stored.reason, stored.ticket, by)


def _record(stored, status, reason="", ticket=None, by=None) -> None:
    stored.status = status
    stored.reason = (reason or "")[:500]
    stored.ticket = ticket or stored.ticket
    fields = ["status", "reason", "ticket"]
    if by is not None:
        stored.decided_by, stored.decided_at = by, timezone.now()
        fields += ["decided_by", "decided_at"]
    stored.save(update_fields=fields)


def _envelope_summary(raw: bytes) -> tuple[str, str]:
    """Sender and subject for the stored row, from the headers only (they rarely fail)."""
    try:
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        sender = parseaddr(str(headers.get("From") or ""))[1].lower()
        subject = " ".join(str(headers.get("Subject") or "").split())
    except Exception:  # noqa: BLE001 - the row is stored anyway; processing reports the error
        return "", ""
    return sender, subject


def _user_for(address: str):
    return (
        User.objects.filter(
            Q(email__iexact=address)
            | Q(emailaddress__email__iexact=address, emailaddress__verified=True),
            is_active=True,
        )
        .distinct()
        .first()
    )


def _held(detail: str, ticket: Ticket | None = None) -> InboundResult:
    return InboundResult("held", ticket=ticket, detail=detail)


def _bounce(parsed: ParsedMessage, detail: str) -> InboundResult:
    notify.bounce_unknown_sender(parsed.sender, parsed.subject)
    return InboundResult("bounced", detail=detail)


def _process(raw: bytes, envelope_recipient: str = "", vouched: bool = False) -> InboundResult:
    """Decide what a message is and act on it. `vouched`: an analyst released it, standing in
    for the authentication the message lacked (never for a sender claiming to be staff)."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    parsed = parse(raw)
    if not parsed.sender:
        return InboundResult("rejected", detail="No sender address.")
    user = _user_for(parsed.sender)

    for ticket_id, user_id in mailauth.token_claims(message, envelope_recipient):
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            continue
        if user is None or user.pk != user_id:
            return _held("The reply address was issued to someone else.", ticket)
        return _reply(parsed, ticket, user)

    proven = vouched or mailauth.domain_authenticated(message, parsed.sender)
    ticket = (
        Ticket.objects.filter(case_number=parsed.case_number).first()
        if parsed.case_number
        else None
    )
    if ticket is not None and user is not None:
        if is_support_staff(user):
            return _held(
                "Staff reply not authenticated: staff reply by e-mail only through the "
                "signed reply address of the ticket e-mail.",
                ticket,
            )
        if not can_act_as_customer(user, ticket):
            return _bounce(parsed, "The sender cannot act on this ticket.")
        if not proven:
            return _held("Sender not authenticated (no signed reply address, no DMARC).", ticket)
        return _reply(parsed, ticket, user)

    if user is None:
        return _bounce(parsed, "Unknown sender.")
    choices = [(org, plan) for org, plan in ticket_organisations(user) if plan.channel_email]
    if not choices:
        return _bounce(parsed, "Sender's organisations do not take e-mail tickets.")
    if not proven:
        return _held("Sender not authenticated (no DMARC pass from our relay): new ticket.")
    return _open(parsed, user, choices[0][0])


def _reply(parsed: ParsedMessage, ticket: Ticket, user) -> InboundResult:
    uploads, rejected = _keep_valid(parsed.uploads)
    try:
        add_reply(ticket=ticket, author=user, body=parsed.body, uploads=uploads, via_email=True)
    except (PermissionDenied, TierError) as exc:
        return _bounce(parsed, str(exc))
    _note_rejected(ticket, rejected)
    return InboundResult("replied", ticket=ticket)


def _open(parsed: ParsedMessage, user, organisation) -> InboundResult:
    uploads, rejected = _keep_valid(parsed.uploads)
    request = {
        "organisation": organisation,
        "requester": user,
        "subject": CASE_RE.sub("", parsed.subject).strip() or "(no subject)",
        "description": parsed.body or "(empty message)",
        "channel": "email",
        "uploads": uploads,
    }
    try:
        ticket = open_ticket(
            **request,
            customer_severity=parsed.severity,
            devices_affected=parsed.devices_affected,
        )
    except TierError as exc:
        if "severity" not in str(exc).lower():
            return _bounce(parsed, str(exc))
        # A severity the plan does not use: the analyst sets it (as on the web form).
        ticket = open_ticket(**request, devices_affected=parsed.devices_affected)
    _note_rejected(ticket, rejected)
    return InboundResult("created", ticket=ticket)


def _note_rejected(ticket: Ticket, rejected: list[str]) -> None:
    for text in rejected:
        TicketEvent.objects.create(
            ticket=ticket, kind="attachment_rejected", summary=text[:300], public=True
        )
