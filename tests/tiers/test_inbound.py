"""E-mail intake: new tickets, threaded replies, bounces, attachments."""

from email.message import EmailMessage
from io import StringIO

from django.core import mail
from django.core.management import call_command

import pytest

from tiers.models import Ticket
from tiers.tickets import inbound, mailauth

RELAY = "mx.support.example.net"


@pytest.fixture(autouse=True)
def trusted_relay(settings):
    settings.TIERS_INBOUND_TRUSTED_AUTHSERV_IDS = [RELAY]


def raw_message(
    sender, subject, body, attachments=(), to="support@example.com", authenticated=True
):
    """A message as our relay hands it over: with its DMARC verdict for the sender's domain
    (`authenticated`), since unauthenticated mail is held (tests/tiers/test_inbound_trust.py)."""
    message = EmailMessage()
    if authenticated:
        domain = sender.rpartition("@")[2]
        message["Authentication-Results"] = f"{RELAY}; dmarc=pass header.from={domain}"
    message["From"] = f"Someone <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for name, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_known_member_opens_ticket_by_email(org_a, org_a_admin, django_capture_on_commit_callbacks):
    raw = raw_message(
        org_a_admin.email,
        "SIMs not attaching in Dallas",
        "Devices affected: 1,200\nSeverity: 2\nSince 09:00 none attach.",
        attachments=[
            ("trace.pcap", b"\xd4\xc3\xb2\xa1" + b"\x00" * 20, "application", "octet-stream"),
            ("virus.exe", b"MZ....", "application", "octet-stream"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound.handle(raw)
    assert result.action == "created"
    ticket = result.ticket
    assert ticket.channel == "email"
    assert ticket.subject == "SIMs not attaching in Dallas"
    assert (ticket.devices_affected, ticket.customer_severity, ticket.severity) == (1200, 2, 2)
    assert [a.filename for a in ticket.attachments.all()] == ["trace.pcap"]
    assert ticket.events.filter(kind="attachment_rejected").exists()
    assert any(ticket.case_number in m.subject and "Received" in m.subject for m in mail.outbox)


def test_reply_threads_by_case_number(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    raw = raw_message(
        org_a_admin.email,
        f"Re: [{ticket.case_number}] Devices lost data sessions",
        "Here is more detail.\n\nOn Mon, 2 Mar 2026 someone wrote:\n> old text",
        to=mailauth.reply_address(ticket, org_a_admin),
        authenticated=False,
    )
    result = inbound.handle(raw)
    assert result.action == "replied" and result.ticket == ticket
    message = ticket.messages.get()
    assert message.body == "Here is more detail."
    assert message.via_email
    assert Ticket.objects.count() == 1


def test_outsider_reply_to_other_orgs_case_bounces(org_a, org_a_admin, org_b_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    raw = raw_message(org_b_admin.email, f"Re: [{ticket.case_number}] hi", "Let me in")
    result = inbound.handle(raw)
    assert result.action == "bounced"
    assert not ticket.messages.exists()


def test_unknown_sender_gets_polite_bounce(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound.handle(raw_message("stranger@elsewhere.example", "Help", "Please"))
    assert result.action == "bounced"
    assert not Ticket.objects.exists()
    bounce = mail.outbox[-1]
    assert bounce.to == ["stranger@elsewhere.example"]
    assert "could not match" in bounce.body


def test_community_member_is_bounced(community_org):
    admin = community_org.memberships.get().user
    assert inbound.handle(raw_message(admin.email, "Help", "Please")).action == "bounced"


def test_management_command_reads_file_and_stdin(org_a, org_a_admin, tmp_path, monkeypatch):
    path = tmp_path / "message.eml"
    path.write_bytes(raw_message(org_a_admin.email, "From a file", "Body"))
    out = StringIO()
    call_command("tiers_inbound_email", str(path), stdout=out)
    assert out.getvalue().startswith("created INF-")

    import io
    import sys

    fake_stdin = io.TextIOWrapper(io.BytesIO(raw_message(org_a_admin.email, "From stdin", "B")))
    monkeypatch.setattr(sys, "stdin", fake_stdin)
    out = StringIO()
    call_command("tiers_inbound_email", stdout=out)
    assert out.getvalue().startswith("created INF-")
    assert Ticket.objects.count() == 2


def test_command_rejects_empty_input(db, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("tiers_inbound_email", str(path))


def test_html_only_email_becomes_readable_lines():
    message = EmailMessage()
    message["From"] = "ops@example.com"
    message["Subject"] = "Modem drops"
    message.set_content(
        "<html><head><style>.x{color:red}</style></head><body><p>Hi,</p>"
        "<p>AT+CGATT=1 returns <b>ERROR</b> &amp; the LED blinks.</p></body></html>",
        subtype="html",
    )
    parsed = inbound.parse(message.as_bytes())
    assert parsed.body == "Hi,\n\nAT+CGATT=1 returns ERROR & the LED blinks."
