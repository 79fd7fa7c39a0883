"""Inbound e-mail you can trust: forged senders are held, nothing is lost, numbers are bounded."""

from email.message import EmailMessage
from io import StringIO

from django.core import mail
from django.core.management import call_command

import pytest

from tiers.models import InboundMessage, Ticket
from tiers.tickets import inbound, mailauth

RELAY = "mx.support.example.net"


def raw_message(sender, subject, body, *, to="support@example.com", headers=(), charset=None):
    message = EmailMessage()
    for name, value in headers:
        message[name] = value
    message["From"] = f"Someone <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    raw = message.as_bytes()
    if charset:
        raw = raw.replace(b'charset="utf-8"', f'charset="{charset}"'.encode())
    return raw


def dmarc_pass(domain, authserv_id=RELAY):
    return (
        "Authentication-Results",
        f"{authserv_id}; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; "
        f"dmarc=pass (p=reject) header.from={domain}",
    )


@pytest.fixture
def trusted_relay(settings):
    settings.TIERS_INBOUND_TRUSTED_AUTHSERV_IDS = [RELAY]


# Forged senders -------------------------------------------------------------------------------


def test_forged_staff_reply_is_held_not_posted(org_a, org_a_admin, open_ticket, staff_user):
    """The attack: "from" the analyst, case number in the subject, no proof at all."""
    ticket = open_ticket(org_a, org_a_admin)
    raw = raw_message(
        staff_user.email,
        f"Re: [{ticket.case_number}] Devices lost data sessions",
        "Please send us your API key.",
    )
    result = inbound.handle(raw)
    assert result.action == "held"
    assert not ticket.messages.exists()
    held = InboundMessage.objects.get()
    assert held.status == InboundMessage.HELD
    assert held.ticket == ticket
    assert "not authenticated" in held.reason


def test_staff_reply_with_dmarc_alone_is_still_held(
    org_a, org_a_admin, open_ticket, staff_user, trusted_relay
):
    """A domain's DMARC pass proves the domain, not the analyst: staff need the signed address."""
    ticket = open_ticket(org_a, org_a_admin)
    raw = raw_message(
        staff_user.email,
        f"Re: [{ticket.case_number}] hi",
        "Posted by e-mail?",
        headers=[dmarc_pass("example.com")],
    )
    assert inbound.handle(raw).action == "held"
    assert not ticket.messages.exists()


def test_staff_reply_through_signed_reply_address_is_posted(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin)
    address = mailauth.reply_address(ticket, staff_user)
    assert address.startswith("support+") and address.endswith("@example.com")
    raw = raw_message(
        staff_user.email, f"Re: [{ticket.case_number}] hi", "Try a reset.", to=address
    )
    result = inbound.handle(raw)
    assert result.action == "replied"
    message = ticket.messages.get()
    assert message.from_staff and message.author == staff_user and not message.is_internal


def test_reply_address_is_bound_to_ticket_and_user(
    org_a, org_a_admin, org_a_member, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin)
    other = open_ticket(org_a, org_a_admin, subject="Another case")
    token = mailauth.reply_address(ticket, org_a_admin).split("+", 1)[1].split("@")[0]
    assert mailauth.verify_token(token) == (ticket.pk, org_a_admin.pk)
    # Tampering with either half, or using another user's address as the analyst, fails.
    ticket_part, user_part, signature = token.split("-")
    assert mailauth.verify_token(f"{other.pk}-{user_part}-{signature}") is None
    assert mailauth.verify_token(f"{ticket_part}-{staff_user.pk}-{signature}") is None
    assert mailauth.verify_token(f"{ticket_part}-{user_part}-{'0' * len(signature)}") is None
    # The customer's reply address does not let the analyst's address post as staff.
    raw = raw_message(
        staff_user.email,
        f"Re: [{ticket.case_number}] hi",
        "Send us your API key.",
        to=mailauth.reply_address(ticket, org_a_admin),
    )
    assert inbound.handle(raw).action == "held"
    assert not ticket.messages.exists()


def test_every_ticket_email_carries_the_recipients_own_reply_address(
    org_a, org_a_admin, org_a_member, django_capture_on_commit_callbacks, open_ticket
):
    from tiers.models import Membership

    Membership.objects.filter(organisation=org_a).update(is_point_of_contact=False)
    Membership.objects.filter(organisation=org_a, user=org_a_admin).update(is_point_of_contact=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(org_a, org_a_member)
    customer_mail = [m for m in mail.outbox if ticket.case_number in m.subject]
    by_recipient = {tuple(m.to): m.reply_to for m in customer_mail}
    assert by_recipient[(org_a_admin.email,)] == [mailauth.reply_address(ticket, org_a_admin)]
    assert by_recipient[(org_a_member.email,)] == [mailauth.reply_address(ticket, org_a_member)]


def test_customer_reply_through_signed_address_is_posted(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    raw = raw_message(
        org_a_admin.email,
        "Re: the case",  # the token alone finds the ticket
        "More detail.",
        to=mailauth.reply_address(ticket, org_a_admin),
    )
    result = inbound.handle(raw)
    assert result.action == "replied" and result.ticket == ticket
    assert ticket.messages.get().body == "More detail."


def test_forged_customer_mail_does_not_open_a_ticket(org_a, org_a_admin):
    result = inbound.handle(raw_message(org_a_admin.email, "Reset all our SIMs", "Do it now"))
    assert result.action == "held"
    assert not Ticket.objects.exists()
    assert InboundMessage.objects.get().status == InboundMessage.HELD


def test_dmarc_pass_from_trusted_relay_opens_a_ticket(org_a, org_a_admin, trusted_relay):
    raw = raw_message(org_a_admin.email, "Help", "Please", headers=[dmarc_pass("example.com")])
    assert inbound.handle(raw).action == "created"


@pytest.mark.parametrize(
    "header",
    [
        dmarc_pass("example.com", authserv_id="mx.attacker.example"),  # not our relay
        dmarc_pass("other.example"),  # passes for another domain than the From
        ("Authentication-Results", f"{RELAY}; dkim=fail header.d=example.com; dmarc=fail"),
    ],
)
def test_untrusted_or_failed_authentication_results_are_ignored(
    org_a, org_a_admin, trusted_relay, header
):
    raw = raw_message(org_a_admin.email, "Help", "Please", headers=[header])
    assert inbound.handle(raw).action == "held"
    assert not Ticket.objects.exists()


def test_forged_header_below_the_relays_own_is_ignored(org_a, org_a_admin, trusted_relay):
    """Our relay prepends its verdict; a "pass" the sender wrote further down is not believed."""
    headers = [
        ("Authentication-Results", f"{RELAY}; dmarc=fail header.from=example.com"),
        dmarc_pass("example.com"),
    ]
    raw = raw_message(org_a_admin.email, "Help", "Please", headers=headers)
    assert inbound.handle(raw).action == "held"


def test_without_a_configured_relay_no_header_is_believed(org_a, org_a_admin):
    raw = raw_message(org_a_admin.email, "Help", "Please", headers=[dmarc_pass("example.com")])
    assert inbound.handle(raw).action == "held"


# Nothing lost ---------------------------------------------------------------------------------


def test_unknown_charset_is_kept_and_sender_told(
    org_a, org_a_admin, django_capture_on_commit_callbacks, tmp_path
):
    raw = raw_message(org_a_admin.email, "Help", "Bonjour", charset="x-no-such-charset")
    path = tmp_path / "message.eml"
    path.write_bytes(raw)
    mail.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tiers_inbound_email", str(path), stdout=out)
    kept = InboundMessage.objects.get()
    assert kept.status == InboundMessage.FAILED
    assert "x-no-such-charset" in kept.reason
    assert bytes(kept.raw) == raw
    assert out.getvalue().startswith("failed")
    notice = mail.outbox[-1]
    assert notice.to == [org_a_admin.email]
    assert "could not process" in notice.body


def test_thirty_digit_device_count_does_not_crash(org_a, org_a_admin, trusted_relay):
    raw = raw_message(
        org_a_admin.email,
        "Help",
        "Devices affected: 123456789012345678901234567890\nSeverity estimate: 2",
        headers=[dmarc_pass("example.com")],
    )
    result = inbound.handle(raw)
    assert result.action == "created"
    assert result.ticket.devices_affected is None
    assert result.ticket.customer_severity == 2
    assert InboundMessage.objects.get().status == InboundMessage.PROCESSED


@pytest.mark.parametrize(
    "line", ["Severity estimate: 1", "Your severity estimate: 1", "Estimated severity: 1"]
)
def test_severity_estimate_line_is_read(org_a, org_a_admin, trusted_relay, line):
    raw = raw_message(
        org_a_admin.email, "Help", f"{line}\nAll down.", headers=[dmarc_pass("example.com")]
    )
    assert inbound.handle(raw).ticket.customer_severity == 1


def test_every_message_is_stored_before_processing(org_a, org_a_admin):
    raw = raw_message(org_a_admin.email, "Help", "Please")
    inbound.handle(raw)
    kept = InboundMessage.objects.get()
    assert bytes(kept.raw) == raw
    assert kept.received_at is not None
    assert kept.sender == org_a_admin.email
