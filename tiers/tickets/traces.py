"""Network traces: on plans that include them (`Plan.network_traces`), a customer asks for a
trace of some SIMs (ICCIDs) over a time window from an open ticket; support attaches the
capture (pcap or pcapng) to the request. Both steps are ticket events. The capture is stored
privately and served only by the ticket's checked download view.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers import permissions
from tiers.errors import TierError
from tiers.tickets.attachments import Upload, validate_upload
from tiers.tickets.models import NetworkTrace, Ticket
from tiers.tickets.timeline import log_event

MAX_ICCIDS = 20
MAX_WINDOW = dt.timedelta(hours=24)
# Operators keep traffic data only so long; a trace is of the recent past or near future.
MAX_AGE = dt.timedelta(days=30)
CAPTURE_EXTENSIONS = (".pcap", ".pcapng")


def may_request(ticket: Ticket) -> bool:
    """The ticket's plan includes traces and the case is still open."""
    return ticket.plan.network_traces and ticket.is_open


def parse_iccids(text: str) -> list[str]:
    """ICCIDs separated by spaces, commas or lines: 19 or 20 digits starting with 89 (the
    telecom industry prefix) with a valid Luhn check digit. Raises TierError naming the bad
    ones."""
    values = [part for part in (text or "").replace(",", " ").split() if part]
    if not values:
        raise TierError("List the ICCIDs of the SIMs to trace.")
    if len(values) > MAX_ICCIDS:
        raise TierError(f"Trace at most {MAX_ICCIDS} SIMs per request.")
    bad = [value for value in values if not _valid_iccid(value)]
    if bad:
        shown = ", ".join(value[:24] for value in bad[:5])
        raise TierError(
            f"Not a valid ICCID: {shown}. An ICCID has 19 or 20 digits and starts with 89."
        )
    return list(dict.fromkeys(values))


def _valid_iccid(value: str) -> bool:
    if not (value.isdigit() and value.isascii() and len(value) in (19, 20)):
        return False
    if not value.startswith("89"):
        return False
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _check_window(start, end, now) -> None:
    if start is None or end is None:
        raise TierError("Give the start and end of the time window (UTC).")
    if end <= start:
        raise TierError("The time window must end after it starts.")
    if end - start > MAX_WINDOW:
        raise TierError("A trace covers at most 24 hours.")
    if start < now - MAX_AGE or start > now + MAX_AGE:
        raise TierError("The time window must start within 30 days of now.")


def request_trace(
    *, ticket: Ticket, by, iccids: str, window_start, window_end, note: str = "", now=None
) -> NetworkTrace:
    """The customer (or staff on their behalf) asks for a trace on an open ticket."""
    now = now or timezone.now()
    if not (is_support_staff(by) or permissions.can_act_as_customer(by, ticket)):
        raise PermissionDenied("You cannot change this case.")
    if not ticket.plan.network_traces:
        raise TierError(f"The {ticket.plan.name} plan does not include network traces.")
    if not ticket.is_open:
        raise TierError("Network traces are requested on open cases.")
    numbers = parse_iccids(iccids)
    _check_window(window_start, window_end, now)
    with transaction.atomic():
        trace = NetworkTrace.objects.create(
            ticket=ticket,
            requested_by=by,
            iccids="\n".join(numbers),
            window_start=window_start,
            window_end=window_end,
            note=" ".join((note or "").split())[:300],
            created_at=now,
        )
        log_event(
            ticket,
            "trace_requested",
            f"Network trace requested for {len(numbers)} SIM{'s' if len(numbers) > 1 else ''}",
            actor=by,
            public=True,
            trace=trace.pk,
        )
    return trace


def attach_capture(*, trace: NetworkTrace, by, upload: Upload, now=None) -> NetworkTrace:
    """Support attaches the capture (pcap/pcapng, checked like any attachment)."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff attach network traces.")
    now = now or timezone.now()
    name, _ = validate_upload(upload)
    if os.path.splitext(name)[1].lower() not in CAPTURE_EXTENSIONS:
        raise TierError(f"{name}: attach the capture as a .pcap or .pcapng file.")
    with transaction.atomic():
        trace = NetworkTrace.objects.select_for_update().get(pk=trace.pk)
        trace.capture.save(name, ContentFile(upload.content), save=False)
        trace.capture_name = name
        trace.capture_size = len(upload.content)
        trace.status = NetworkTrace.ATTACHED
        trace.attached_by = by
        trace.attached_at = now
        trace.save()
        log_event(
            trace.ticket,
            "trace_attached",
            f"Network trace capture attached: {name}",
            actor=by,
            public=True,
            trace=trace.pk,
        )
    return trace
