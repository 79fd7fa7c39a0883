"""Imported members: accounts for the authors of an old forum, which nobody can log in to.

An imported member is a User with an unusable password, `is_active=False` (no login, no
notifications, not @mentionable) and a placeholder address under the reserved `.invalid` domain
(RFC 2606), so no mail is ever sent to it and the person's real address stays free to sign up
with. The address the old forum knew, if it had one, is kept on the ImportedRecord as
`claim_email`; verifying that address here hands the member's posts to the person
(forum.importers.claims). Display names follow the site's rule (unique ignoring case): a name
already taken gets the source's label and id appended.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Lower
from django.utils import timezone

from forum.importers.report import CommunityImportReport
from forum.models import ImportedKind, ImportedRecord, Member

DISPLAY_NAME_MAX = 60
HANDLE_MAX = 40
# SQLite allows at most 999 bound parameters in a statement.
CHUNK = 500


@dataclass(frozen=True)
class SourceMember:
    """One author as the old forum knew them."""

    source_id: str
    name: str
    joined: datetime
    profile_url: str = ""
    email: str = ""


def fingerprint(value) -> str:
    """A stable digest of `value` (JSON-able): equal digests mean nothing changed."""
    data = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _taken_display_names(candidates: set[str]) -> set[str]:
    User = get_user_model()
    taken: set[str] = set()
    names = sorted(candidates)
    for chunk in _chunks(names):
        taken.update(
            User.objects.annotate(lower=Lower("display_name"))
            .filter(lower__in=chunk)
            .values_list("lower", flat=True)
        )
    return taken


def _taken_handles(candidates: set[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(sorted(candidates)):
        taken.update(
            Member.objects.annotate(lower=Lower("handle"))
            .filter(lower__in=chunk)
            .values_list("lower", flat=True)
        )
    return taken


def _handle_base(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "", name.replace(" ", "_")).strip("._-")
    return base[:30]


class _Names:
    """How imported members are called here: their old name (or "<label> member <id>" when
    `anonymous`), made unique among display names with the source id."""

    def __init__(self, label: str, anonymous: bool):
        self.label, self.anonymous = label, anonymous

    def wanted(self, member: SourceMember) -> str:
        if self.anonymous:
            return f"{self.label} member {member.source_id}"
        name = re.sub(r"\s+", " ", member.name).strip()
        return name or f"{self.label} member {member.source_id}"

    def unique(self, member: SourceMember, name: str, taken: set[str]) -> str:
        candidate = name[:DISPLAY_NAME_MAX]
        if candidate.lower() in taken:
            suffix = f" [{self.label} {member.source_id}]"
            candidate = name[: DISPLAY_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.lower())
        return candidate

    def taken(self, members) -> set[str]:
        return _taken_display_names({self.wanted(m).lower()[:DISPLAY_NAME_MAX] for m in members})


def import_members(
    *,
    source: str,
    label: str,
    placeholder_domain: str,
    members: Sequence[SourceMember],
    anonymous: bool,
    report: CommunityImportReport,
) -> dict[str, int]:
    """Make sure every member of `members` exists here; returns source id -> the pk of the
    user their posts belong to (the imported member, or whoever claimed it).

    Members already imported from `source` are left alone when nothing about them changed,
    and renamed when their name did. `anonymous` names new members "<label> member <id>"
    instead of their name on the old forum.
    """
    names = _Names(label, anonymous)
    records = {
        r.source_id: r
        for r in ImportedRecord.objects.filter(source=source, kind=ImportedKind.MEMBER)
    }
    new = [m for m in members if m.source_id not in records]
    changed = []
    for member in members:
        record = records.get(member.source_id)
        if record is None:
            continue
        if record.fingerprint == fingerprint([member, anonymous]):
            report.unchanged["members"] += 1
        else:
            changed.append(member)
    users = _create_members(new, names, source, placeholder_domain)
    report.created["members"] += len(new)
    if changed:
        _update_members(changed, records, names)
        report.updated["members"] += len(changed)
    # A claimed member's posts belong to the person who claimed it (forum.importers.claims).
    ids = {sid: record.claimed_by_id or record.object_id for sid, record in records.items()}
    ids.update({member.source_id: user.pk for user, member in zip(users, new, strict=True)})
    return ids


def _create_members(new: list, names: _Names, source: str, placeholder_domain: str) -> list:
    """Inactive users (no usable password), their Member rows and import records."""
    User = get_user_model()
    taken = names.taken(new)
    users = [
        User(
            email=f"member{member.source_id}@{placeholder_domain}.invalid",
            display_name=names.unique(member, names.wanted(member), taken),
            password=make_password(None),
            is_active=False,
            date_joined=member.joined,
        )
        for member in new
    ]
    User.objects.bulk_create(users, batch_size=CHUNK)
    label = names.label
    handles_taken = _taken_handles({_handle_base(u.display_name).lower() for u in users})
    member_rows = []
    for user, member in zip(users, new, strict=True):
        base = _handle_base(user.display_name) or f"{label}{member.source_id}"
        handle = base
        if handle.lower() in handles_taken:
            handle = f"{base[: HANDLE_MAX - 12]}.{label}{member.source_id}"[:HANDLE_MAX]
        handles_taken.add(handle.lower())
        member_rows.append(Member(user=user, handle=handle, created_at=member.joined))
    Member.objects.bulk_create(member_rows, batch_size=CHUNK)
    now = timezone.now()
    user_type = ContentType.objects.get_for_model(User)
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(
                source=source,
                kind=ImportedKind.MEMBER,
                source_id=member.source_id,
                content_type=user_type,
                object_id=user.pk,
                fingerprint=fingerprint([member, names.anonymous]),
                source_url=member.profile_url,
                claim_email=member.email,
                imported_at=now,
                updated_at=now,
            )
            for user, member in zip(users, new, strict=True)
        ],
        batch_size=CHUNK,
    )
    return users


def _update_members(changed: list, records: dict, names: _Names) -> None:
    """Rename members whose name changed on the old forum; refresh their import records."""
    User = get_user_model()
    now = timezone.now()
    taken = names.taken(changed)
    for member in changed:
        record = records[member.source_id]
        user = User.objects.get(pk=record.object_id)
        name = names.wanted(member)
        if user.display_name.lower() != name.lower()[:DISPLAY_NAME_MAX]:
            taken.discard(user.display_name.lower())
            user.display_name = names.unique(member, name, taken)
            User.objects.filter(pk=user.pk).update(display_name=user.display_name)
        ImportedRecord.objects.filter(pk=record.pk).update(
            fingerprint=fingerprint([member, names.anonymous]),
            source_url=member.profile_url,
            claim_email=member.email,
            updated_at=now,
        )
