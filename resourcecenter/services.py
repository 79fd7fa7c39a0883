"""Account writes that must stay consistent with the database and with allauth.

- Uniqueness races: forms check display names and e-mail addresses before saving, but two
  requests can pass the check at the same moment; the database constraints then refuse the
  second. `save_or_field_error` turns that IntegrityError into the same field error the form
  check gives, instead of a server error.
- The primary e-mail address: allauth keeps its own rows (EmailAddress: which addresses an
  account has, which is primary, which are verified). When staff change `User.email` outside
  allauth (Wagtail's Users screen, the shell), `set_primary_email` brings the rows in line.

Policy for an address set by an administrator (also summarised in README, "Running at scale"):
- it must not belong to another account in any form (that account's login address, or any of
  its EmailAddress rows, verified or not): an admin cannot move someone's address, or an address
  someone else has claimed, onto another account;
- it becomes the primary address and is NOT verified (unless this account had already verified
  it): an administrator vouches for the person, not for the mailbox. Verification is mandatory,
  so the next login asks the owner to confirm it, and the admin screen sends the link at once;
- the previous primary address is removed from the account (the reason to change it is usually
  that the old mailbox is gone or no longer the person's, and it must stop working for login
  and password reset), and it is told about the change when a request is at hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from resourcecenter.models import DISPLAY_NAME_CONSTRAINT, DISPLAY_NAME_TAKEN, User

T = TypeVar("T")

EMAIL_TAKEN = "This address is already used by another account."
# set_primary_email notes what it changed on the user object (see admin_users).
EMAIL_CHANGE_ATTR = "_primary_email_change"


def uniqueness_error(exc: IntegrityError) -> tuple[str, str] | None:
    """(field, message) for a uniqueness violation we know how to explain, else None."""
    text = str(exc)
    if DISPLAY_NAME_CONSTRAINT in text:
        return "display_name", DISPLAY_NAME_TAKEN
    if "resourcecenter_user.email" in text or "resourcecenter_user_email_key" in text:
        return "email", EMAIL_TAKEN
    if "unique_verified_email" in text or "account_emailaddress.email" in text:
        return "email", EMAIL_TAKEN
    return None


def save_or_field_error(form: forms.BaseForm, save: Callable[[], T]) -> T | None:
    """Run `save` in a savepoint; on a uniqueness race add the field error to `form` and
    return None (everything `save` did is rolled back). Other integrity errors propagate."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as exc:
        explained = uniqueness_error(exc)
        if explained is None:
            raise
        field, message = explained
        form.add_error(field if field in form.fields else None, message)
        return None


# --- the primary e-mail address ----------------------------------------------------------------


def email_owner(email: str, *, exclude: User | None = None) -> User | None:
    """Another account that uses `email` (as its login address or any EmailAddress row)."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip()
    if not email:
        return None
    users = User.objects.filter(email__iexact=email)
    rows = EmailAddress.objects.filter(email__iexact=email)
    if exclude is not None and exclude.pk is not None:
        users = users.exclude(pk=exclude.pk)
        rows = rows.exclude(user_id=exclude.pk)
    owner = users.first()
    if owner is None:
        row = rows.select_related("user").order_by("pk").first()
        owner = row.user if row is not None else None
    return owner


def validate_email_for(user: User, email: str) -> None:
    """Refuse an address that belongs to another account (ValidationError on "email")."""
    owner = email_owner(email, exclude=user)
    if owner is not None:
        raise ValidationError(
            {
                "email": (
                    f"This address is already used by another account ({owner.public_name}). "
                    "Remove it from that account first."
                )
            },
            code="email_taken",
        )


@dataclass(frozen=True)
class EmailChange:
    """What `set_primary_email` did: the address before (None if the account had no primary
    row), the row now primary, and whether that row still needs confirming."""

    previous: str | None
    address: object  # allauth EmailAddress
    needs_verification: bool


@transaction.atomic
def set_primary_email(user: User, *, create_missing: bool = True) -> EmailChange | None:
    """Make allauth's primary EmailAddress row match `user.email` (see the module docstring).

    Returns None if nothing had to change (or the account has no rows and `create_missing` is
    False). Raises ValidationError if the address belongs to another account.
    """
    from allauth.account.models import EmailAddress

    email = (user.email or "").strip().lower()
    if not email or user.pk is None:
        return None
    rows = list(EmailAddress.objects.select_for_update().filter(user=user))
    primary = next((row for row in rows if row.primary), None)
    if primary is not None and primary.email.lower() == email:
        return None
    if not rows and not create_missing:
        return None
    validate_email_for(user, email)
    previous = primary.email if primary is not None else None
    if primary is not None:
        primary.delete()  # the replaced address stops working for login and reset
    existing = next((row for row in rows if row.email.lower() == email), None)
    if existing is not None:
        EmailAddress.objects.filter(pk=existing.pk).update(primary=True)
        existing.primary = True
        address = existing
    else:
        address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    change = EmailChange(previous, address, needs_verification=not address.verified)
    setattr(user, EMAIL_CHANGE_ATTR, change)  # for the caller of user.save() (the admin view)
    return change


def announce_email_change(request, user: User, change: EmailChange) -> None:
    """Tell the old address it was replaced, and send the new one its confirmation link."""
    from allauth.account.adapter import get_adapter
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )

    if change.previous:
        get_adapter(request).send_notification_mail(
            "account/email/email_changed",
            user,
            {"from_email": change.previous, "to_email": change.address.email},
            email=change.previous,
        )
    if change.needs_verification:
        send_verification_email_to_address(request, change.address)
