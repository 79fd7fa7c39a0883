"""Following the status page: e-mail subscriptions (double opt-in, per component, signed
one-click unsubscribe) and webhook registrations (confirmed by their contact address).

Every link is a signed token (django.core.signing, one salt per purpose) carrying the row's
id and its random `token`, so links cannot be forged or guessed, and deleting the row (or a
new token) revokes them. Confirmation links expire after a week; unsubscribe links do not.
The answers of `subscribe` and `register_webhook` do not depend on whether the address was
known, so the form cannot be used to learn who follows the page.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tiers.conf import app_settings
from tiers.errors import TierError
from tiers.incidents import notify
from tiers.incidents.models import Component, StatusSubscriber, WebhookEndpoint
from tiers.mail import absolute

CONFIRM_MAX_AGE = 7 * 24 * 3600
_SALT = "tiers.status."


def mail_host() -> str:
    return urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"


def _sign(purpose: str, row, **extra) -> str:
    return signing.dumps({"id": row.pk, "t": row.token, **extra}, salt=_SALT + purpose)


def _read(purpose: str, value: str, model, max_age: int | None = None):
    """The row the token names (and the token's data), or (None, {}) if forged, expired or
    revoked."""
    try:
        data = signing.loads(value, salt=_SALT + purpose, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None, {}
    if not isinstance(data, dict):
        return None, {}
    row = model.objects.filter(pk=data.get("id"), token=data.get("t")).first()
    return row, data


def unsubscribe_url(subscriber: StatusSubscriber) -> str:
    return reverse("status:unsubscribe", args=[_sign("unsubscribe", subscriber)])


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise TierError("Enter a valid e-mail address.") from exc
    return email


def subscribe(*, email: str, components: Iterable[Component] = ()) -> None:
    """Ask `email` to confirm it wants status e-mails (for these components; none = all).

    Nothing else is sent until the link in the confirmation is followed. An address that
    already follows the page gets the same kind of e-mail: confirming applies the new choice.
    """
    email = _clean_email(email)
    component_ids = sorted({component.pk for component in components})
    with transaction.atomic():
        subscriber, _ = StatusSubscriber.objects.get_or_create(email=email)
        token = _sign("confirm", subscriber, c=component_ids)
        link = absolute(reverse("status:confirm", args=[token]))
        names = (
            ", ".join(Component.objects.filter(pk__in=component_ids).values_list("name", flat=True))
            or "every component"
        )
        notify.subscription_confirmation(to=email, link=link, components=names)


def confirm(token: str) -> StatusSubscriber | None:
    """Confirm a subscription from its e-mailed link (applying the components chosen then)."""
    subscriber, data = _read("confirm", token, StatusSubscriber, max_age=CONFIRM_MAX_AGE)
    if subscriber is None:
        return None
    with transaction.atomic():
        if subscriber.confirmed_at is None:
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["confirmed_at"])
        subscriber.components.set(Component.objects.filter(pk__in=data.get("c") or []))
    return subscriber


def check_unsubscribe(token: str) -> StatusSubscriber | None:
    return _read("unsubscribe", token, StatusSubscriber)[0]


def unsubscribe(token: str) -> bool:
    """Forget the subscriber the signed link names. True if one was removed."""
    subscriber = check_unsubscribe(token)
    if subscriber is None:
        return False
    subscriber.delete()
    return True


def check_webhook_url(url: str) -> str:
    """An http(s) URL, https outside closed networks, and not a bare private address."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise TierError("Enter the full URL of your receiver (https://...).") from exc
    parts = urlsplit(url)
    if parts.scheme != "https" and not app_settings.STATUS_WEBHOOK_ALLOW_PRIVATE:
        raise TierError("Webhook URLs must use https.")
    try:
        address = ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        address = None
    if (
        address is not None
        and not address.is_global
        and not app_settings.STATUS_WEBHOOK_ALLOW_PRIVATE
    ):
        raise TierError("That address cannot be reached from the internet.")
    return url


def register_webhook(*, url: str, contact_email: str, components: Iterable[Component] = ()):
    """Register a receiver URL; its contact must confirm before anything is delivered."""
    url = check_webhook_url(url)
    contact_email = _clean_email(contact_email)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(url=url, contact_email=contact_email)
        endpoint.components.set(list(components))
        link = absolute(reverse("status:webhook_confirm", args=[_sign("webhook", endpoint)]))
        notify.webhook_confirmation(to=contact_email, url=url, link=link)
    return endpoint


def confirm_webhook(token: str) -> tuple[WebhookEndpoint | None, bool]:
    """Activate a webhook from its contact's link: (the endpoint, whether this confirmed it).

    Only the confirming request may show the signing secret: the link stays valid for days in
    a mailbox, and a second visit (or a forwarded mail) must not read the secret again. The
    conditional UPDATE makes "first" exact even when two requests arrive together.
    """
    endpoint, _ = _read("webhook", token, WebhookEndpoint, max_age=CONFIRM_MAX_AGE)
    if endpoint is None:
        return None, False
    now = timezone.now()
    first = bool(
        WebhookEndpoint.objects.filter(pk=endpoint.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
    )
    endpoint.refresh_from_db(fields=["confirmed_at"])
    return endpoint, first
