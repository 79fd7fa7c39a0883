"""Inbound e-mail the way production receives it: the provider's webhook, through django-anymail.

Mailgun's receiving route forwards each message to ``/support/inbound/mailgun/`` (parsed
fields) or ``/support/inbound/mailgun_mime/`` (the raw MIME). Anymail's view proves the post
came from Mailgun - the HMAC of its timestamp and token under ``MAILGUN_WEBHOOK_SIGNING_KEY``,
plus HTTP basic auth when ``WEBHOOK_SECRET`` is set - and rejects anything else with 400;
without a signing key configured the endpoint does not exist (404). A proven post says only
that Mailgun received the message, not who wrote it: the message then goes through the same
store-then-process service as the management command (tiers.tickets.inbound.receive), where
the sender must still prove themselves. Mailgun's token is the delivery's id, so a retried
or replayed post is not processed twice.
"""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

from anymail.signals import inbound as anymail_inbound
from anymail.utils import get_anymail_setting
from anymail.webhooks.mailgun import MailgunInboundWebhookView

from tiers.tickets import inbound

_mailgun_view = MailgunInboundWebhookView.as_view()


def _mailgun_configured() -> bool:
    key = get_anymail_setting("webhook_signing_key", esp_name="Mailgun", default=None)
    return bool(key)


@csrf_exempt
def mailgun_inbound(request, *args, **kwargs):
    """Anymail's Mailgun inbound view (it validates the signature) when a key is configured."""
    if not _mailgun_configured():
        raise Http404("The inbound e-mail webhook is not configured.")
    return _mailgun_view(request, *args, **kwargs)


def _raw_bytes(message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:  # noqa: BLE001 - keep what can be kept; processing reports the problem
        return message.as_string().encode("utf-8", errors="replace")


def receive_from_provider(sender, event, esp_name, **kwargs) -> None:
    """anymail's `inbound` signal: hand the message to the store-then-process service."""
    message = event.message
    inbound.receive(
        _raw_bytes(message),
        source="webhook",
        envelope_recipient=message.envelope_recipient or "",
        provider_id=f"{esp_name}:{event.event_id}" if event.event_id else None,
    )


def connect() -> None:
    anymail_inbound.connect(receive_from_provider, dispatch_uid="tiers_inbound_email")
