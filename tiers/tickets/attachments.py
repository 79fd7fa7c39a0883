"""Files attached to tickets: checked by name, size and content before they are stored
(privately, tiers.storage).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

from tiers.conf import app_settings
from tiers.errors import TierError
from tiers.tickets.models import Ticket, TicketAttachment
from tiers.tickets.timeline import log_event

ATTACHMENT_EXTENSIONS = {
    ".log": "text/plain",
    ".txt": "text/plain",
    ".json": "application/json",
    ".csv": "text/csv",
    ".pcap": "application/vnd.tcpdump.pcap",
    ".pcapng": "application/vnd.tcpdump.pcap",
    ".zip": "application/zip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_ATTACHMENTS_PER_MESSAGE = 5


def _max_attachment_bytes() -> int:
    return app_settings.ATTACHMENT_MAX_BYTES


@dataclass
class Upload:
    """An attachment as received (from a form or an e-mail), before validation."""

    name: str
    content: bytes
    content_type: str = ""


def validate_upload(upload: Upload) -> tuple[str, str]:
    """Check name, size and type; returns (safe filename, content type) or raises TierError."""
    name = get_valid_filename(os.path.basename(upload.name or ""))[:150] or "attachment"
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_EXTENSIONS:
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in ATTACHMENT_EXTENSIONS))
        raise TierError(f"{name}: this file type is not accepted (allowed: {allowed}).")
    size = len(upload.content)
    if size == 0:
        raise TierError(f"{name} is empty.")
    limit = _max_attachment_bytes()
    if size > limit:
        raise TierError(f"{name} is larger than the {filesizeformat(limit)} limit.")
    head = upload.content[:8]
    signatures = {
        ".png": [b"\x89PNG"],
        ".jpg": [b"\xff\xd8\xff"],
        ".jpeg": [b"\xff\xd8\xff"],
        ".zip": [b"PK\x03\x04", b"PK\x05\x06"],
        ".pcap": [
            b"\xd4\xc3\xb2\xa1",
            b"\xa1\xb2\xc3\xd4",
            b"\x4d\x3c\xb2\xa1",
            b"\xa1\xb2\x3c\x4d",
        ],
        ".pcapng": [b"\x0a\x0d\x0d\x0a"],
    }
    if extension in signatures:
        if not any(head.startswith(sig) for sig in signatures[extension]):
            raise TierError(f"{name} does not look like a {extension.lstrip('.')} file.")
    elif b"\x00" in upload.content[:8192]:
        raise TierError(f"{name} should be a text file.")
    return name, ATTACHMENT_EXTENSIONS[extension]


def store_attachments(
    ticket: Ticket, uploads: Iterable[Upload], by, message=None, internal=False
) -> list[TicketAttachment]:

    uploads = list(uploads)
    if len(uploads) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise TierError(f"Attach at most {MAX_ATTACHMENTS_PER_MESSAGE} files at a time.")
    checked = [(upload, *validate_upload(upload)) for upload in uploads]
    stored = []
    for upload, name, content_type in checked:
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=content_type,
            size=len(upload.content),
            uploaded_by=by,
            is_internal=internal,
        )
        attachment.file.save(name, ContentFile(upload.content), save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        log_event(
            ticket,
            "attachment_added",
            "Attached " + ", ".join(a.filename for a in stored),
            actor=by,
            public=not internal,
        )
    return stored
