"""The inbound webhook (Mailgun through django-anymail): signed posts only, same service as the
command. Payloads have the fields Mailgun's routes post (as in anymail's own tests)."""

import hashlib
import hmac
import json
import time
from base64 import b64encode
from email.message import EmailMessage

from django.urls import reverse

import pytest

from tiers.models import InboundMessage, Ticket
from tiers.tickets import mailauth

SIGNING_KEY = "key-test-inbound-signing-0123456789"
RELAY = "mx.mailgun.example"


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.TIERS_INBOUND_TRUSTED_AUTHSERV_IDS = [RELAY]


DELIVERY_TOKEN = "d9a2b0c1e4f3a6b5c8d7e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4"  # Mailgun: 50 hex


def sign(payload, key=SIGNING_KEY, token=DELIVERY_TOKEN):
    timestamp = str(int(time.time()))
    signature = hmac.new(
        key.encode("ascii"), f"{timestamp}{token}".encode("ascii"), hashlib.sha256
    ).hexdigest()
    return {**payload, "timestamp": timestamp, "token": token, "signature": signature}


def parsed_payload(sender, subject, body, recipient="support@example.com", extra_headers=()):
    """Mailgun's "fully parsed" forward: fields plus the headers as a JSON list of pairs."""
    headers = [
        *extra_headers,
        ["Received", "by mxa.mailgun.org with SMTP; Wed, 02 Dec 2026 09:00:00 +0000"],
        ["From", f"Someone <{sender}>"],
        ["To", recipient],
        ["Subject", subject],
        ["Message-Id", "<20261202090000.1@mail.example.com>"],
        ["Mime-Version", "1.0"],
        ["Content-Type", 'text/plain; charset="utf-8"'],
    ]
    return {
        "recipient": recipient,
        "sender": sender,
        "from": f"Someone <{sender}>",
        "From": f"Someone <{sender}>",
        "To": recipient,
        "subject": subject,
        "Subject": subject,
        "body-plain": body,
        "stripped-text": body,
        "message-headers": json.dumps(headers),
        "X-Mailgun-Incoming": "Yes",
    }


def mime_payload(sender, subject, body, recipient="support@example.com"):
    """Mailgun's raw-MIME forward (route URL containing "mime")."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return {"recipient": recipient, "sender": sender, "body-mime": message.as_string()}


def post(client, payload, name="tiers:inbound_mailgun", **extra):
    return client.post(reverse(name), payload, **extra)


def test_signed_post_with_signed_reply_address_is_posted(
    client, mailgun, org_a, org_a_admin, open_ticket
):
    ticket = open_ticket(org_a, org_a_admin)
    address = mailauth.reply_address(ticket, org_a_admin)
    payload = sign(parsed_payload(org_a_admin.email, "Re: your case", "Still failing.", address))
    response = post(client, payload)
    assert response.status_code == 200
    assert ticket.messages.get().body == "Still failing."
    stored = InboundMessage.objects.get()
    assert stored.source == "webhook" and stored.status == InboundMessage.PROCESSED
    assert stored.envelope_recipient == address


def test_raw_mime_post_opens_ticket_with_relay_verdict(client, mailgun, org_a, org_a_admin):
    payload = mime_payload(org_a_admin.email, "Roaming fails", "Severity estimate: 2\nHelp")
    payload["body-mime"] = (
        f"Authentication-Results: {RELAY}; dkim=pass header.d=example.com; "
        "dmarc=pass header.from=example.com\r\n" + payload["body-mime"]
    )
    response = post(client, sign(payload), name="tiers:inbound_mailgun_mime")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.customer_severity, ticket.channel) == (
        "Roaming fails",
        2,
        "email",
    )


def test_proven_webhook_does_not_prove_the_sender(
    client, mailgun, org_a, org_a_admin, open_ticket, staff_user
):
    """Mailgun vouches that it received the mail, not for who wrote it."""
    ticket = open_ticket(org_a, org_a_admin)
    payload = sign(
        parsed_payload(staff_user.email, f"Re: [{ticket.case_number}] x", "Send your API key")
    )
    assert post(client, payload).status_code == 200
    assert not ticket.messages.exists()
    assert InboundMessage.objects.get().status == InboundMessage.HELD


@pytest.mark.parametrize("variant", ["unsigned", "wrong key", "tampered token"])
def test_unsigned_or_badly_signed_posts_are_rejected(
    client, mailgun, org_a, org_a_admin, open_ticket, variant
):
    ticket = open_ticket(org_a, org_a_admin)
    payload = parsed_payload(
        org_a_admin.email, "x", "forged", mailauth.reply_address(ticket, org_a_admin)
    )
    if variant == "wrong key":
        payload = sign(payload, key="key-attacker")
    elif variant == "tampered token":
        payload = {**sign(payload), "token": "0" * 50}
    response = post(client, payload)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()
    assert not ticket.messages.exists()


def test_webhook_without_a_signing_key_does_not_exist(client, settings, org_a, org_a_admin):
    settings.ANYMAIL = {}
    response = post(client, sign(parsed_payload(org_a_admin.email, "x", "y")))
    assert response.status_code == 404
    assert not InboundMessage.objects.exists()


def test_basic_auth_secret_is_required_when_set(client, mailgun, settings, org_a, org_a_admin):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "mailgun:s3cret-pass"}
    payload = sign(parsed_payload(org_a_admin.email, "x", "y"))
    assert post(client, payload).status_code == 400
    auth = "Basic " + b64encode(b"mailgun:s3cret-pass").decode()
    assert post(client, payload, HTTP_AUTHORIZATION=auth).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_replayed_delivery_is_processed_once(client, mailgun, org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    address = mailauth.reply_address(ticket, org_a_admin)
    payload = sign(parsed_payload(org_a_admin.email, "Re: x", "Once.", address))
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    assert ticket.messages.count() == 1
    assert InboundMessage.objects.count() == 1
