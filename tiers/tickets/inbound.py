"""E-mail intake: turn a raw RFC 822 message into a new ticket or a reply on an existing one.

- A subject carrying a case number ("Re: [INF-2026-000042] ...") adds a reply to that case if the
  sender may act on it (staff replies are public replies).
- Otherwise, a known member of an organisation whose plan takes e-mail opens a new ticket
  (several organisations: the first one on such a plan, by name).
- Anyone else gets a polite bounce and nothing is stored.
Attachments are kept within the same type and size limits as the web form; rejected ones are
listed in the ticket's timeline instead of failing the whole message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from resourcecenter.models import User
from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.selectors import ticket_organisations
from tiers.tickets import notify
from tiers.tickets.attachments import MAX_ATTACHMENTS_PER_MESSAGE, Upload, validate_upload
from tiers.tickets.conversation import add_reply
from tiers.tickets.models import Ticket, TicketEvent
from tiers.tickets.opening import open_ticket

CASE_RE = re.compile(r"\[([A-Z]{2,6}-\d{4}-\d{6})\]")
QUOTED_RE = re.compile(r"^On .{5,200} wrote:\s*$", re.MULTILINE)
SEVERITY_RE = re.compile(r"severity(?:\s+level)?\s*[:=]?\s*([1-4])", re.IGNORECASE)
DEVICES_RE = re.compile(r"devices?\s+(?:affected|impacted)\s*[:=]?\s*([\d,]+)", re.IGNORECASE)


@dataclass
class ParsedMessage:
    sender: str
    subject: str
    body: str
    uploads: list[Upload] = field(default_factory=list)
    case_number: str | None = None


@dataclass
class InboundResult:
    action: str  # "created" | "replied" | "bounced" | "rejected"
    ticket: Ticket | None = None
    detail: str = ""


def parse(raw: bytes) -> ParsedMessage:
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1].lower()
    subject = " ".join(str(message.get("Subject") or "").split())
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        body = body_part.get_content()
        if body_part.get_content_type() == "text/html":
            from django.utils.html import strip_tags

            body = strip_tags(body)
    body = strip_quoted(body)
    uploads = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        uploads.append(
            Upload(part.get_filename() or "attachment", payload, part.get_content_type())
        )
    match = CASE_RE.search(subject)
    return ParsedMessage(sender, subject, body, uploads, match.group(1) if match else None)


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

    parsed = parse(raw)
    if not parsed.sender:
        return InboundResult("rejected", detail="No sender address.")
    user = (
        User.objects.filter(
            Q(email__iexact=parsed.sender)
            | Q(emailaddress__email__iexact=parsed.sender, emailaddress__verified=True),
            is_active=True,
        )
        .distinct()
        .first()
    )
    uploads, rejected = _keep_valid(parsed.uploads)

    if parsed.case_number and user is not None:
        ticket = Ticket.objects.filter(case_number=parsed.case_number).first()
        if ticket is not None:
            try:
                add_reply(
                    ticket=ticket,
                    author=user,
                    body=parsed.body,
                    uploads=uploads,
                    via_email=True,
                )
            except (PermissionDenied, TierError) as exc:
                if is_support_staff(user):
                    raise
                notify.bounce_unknown_sender(parsed.sender, parsed.subject)
                return InboundResult("bounced", detail=str(exc))
            _note_rejected(ticket, rejected)
            return InboundResult("replied", ticket=ticket)

    if user is None:
        notify.bounce_unknown_sender(parsed.sender, parsed.subject)
        return InboundResult("bounced", detail="Unknown sender.")
    choices = [(org, plan) for org, plan in ticket_organisations(user) if plan.channel_email]
    if not choices:
        notify.bounce_unknown_sender(parsed.sender, parsed.subject)
        return InboundResult("bounced", detail="Sender's organisations do not take e-mail tickets.")
    organisation = choices[0][0]
    severity = SEVERITY_RE.search(parsed.body)
    devices = DEVICES_RE.search(parsed.body)
    try:
        ticket = open_ticket(
            organisation=organisation,
            requester=user,
            subject=CASE_RE.sub("", parsed.subject).strip() or "(no subject)",
            description=parsed.body or "(empty message)",
            customer_severity=int(severity.group(1)) if severity else None,
            devices_affected=int(devices.group(1).replace(",", "")) if devices else None,
            channel="email",
            uploads=uploads,
        )
    except TierError as exc:
        if "severity" in str(exc).lower():
            ticket = open_ticket(
                organisation=organisation,
                requester=user,
                subject=parsed.subject or "(no subject)",
                description=parsed.body or "(empty message)",
                channel="email",
                uploads=uploads,
            )
        else:
            notify.bounce_unknown_sender(parsed.sender, parsed.subject)
            return InboundResult("bounced", detail=str(exc))
    _note_rejected(ticket, rejected)
    return InboundResult("created", ticket=ticket)


def _note_rejected(ticket: Ticket, rejected: list[str]) -> None:
    for text in rejected:
        TicketEvent.objects.create(
            ticket=ticket, kind="attachment_rejected", summary=text[:300], public=True
        )
