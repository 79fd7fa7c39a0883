"""Issue 14, "The customer's side": a rejected attachment or a missing field re-renders the form
with the error and everything typed, on every ticket form (new ticket, customer reply, staff
reply, escalation request, severity review) - never a redirect to a POST-only URL (the blank
"HTTP ERROR 405" page) that loses the text."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from tiers.models import Ticket, TicketMessage

TYPED = "Since the firmware update 40 trackers in Dallas lose their PDP context every hour."


@pytest.fixture
def ticket(org_a, org_a_admin, open_ticket):
    return open_ticket(org_a, org_a_admin, customer_severity=3)


def _reply_url(ticket):
    return f"/support/tickets/{ticket.case_number}/reply/"


def _assert_form_kept(response, error: str, typed: str = TYPED):
    # The new-ticket page answers its own URL (200, as ever); the ticket page's forms post to
    # their own URLs and come back as the ticket page with 400.
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert error in page
    assert typed in page  # the typed text is back in its field
    assert "errorlist" in page or 'role="alert"' in page


def test_new_ticket_with_forbidden_attachment_keeps_the_form(client, org_a, org_a_admin):
    client.force_login(org_a_admin)
    response = client.post(
        "/support/tickets/new/",
        {
            "organisation": org_a.pk,
            "subject": "Trackers drop data",
            "category": "troubleshooting",
            "description": TYPED,
            "devices_affected": "40",
            "customer_severity": "3",
            "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90\x00")],
        },
    )
    _assert_form_kept(response, "tool.exe: this file type is not accepted")
    page = response.content.decode()
    assert 'value="Trackers drop data"' in page and 'value="40"' in page
    assert "attach the files again" in page
    assert not Ticket.objects.exists()


def test_new_ticket_with_oversize_attachment_keeps_the_form(client, org_a, org_a_admin, settings):
    settings.TIERS_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(org_a_admin)
    response = client.post(
        "/support/tickets/new/",
        {
            "organisation": org_a.pk,
            "subject": "Trackers drop data",
            "category": "troubleshooting",
            "description": TYPED,
            "customer_severity": "3",
            "attachments": [SimpleUploadedFile("modem.log", b"AT\n" * 2000)],
        },
    )
    _assert_form_kept(response, "modem.log is larger than the 1.0")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("modem.log", b"AT\n" * 2000), "modem.log is larger than the 1.0"),
        (SimpleUploadedFile("setup.exe", b"MZ"), "setup.exe: this file type is not accepted"),
        (SimpleUploadedFile("shot.png", b"<html>"), "shot.png does not look like a png file"),
    ],
)
def test_customer_reply_with_rejected_attachment_keeps_the_reply(
    client, ticket, org_a_admin, settings, upload, error
):
    settings.TIERS_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(org_a_admin)
    response = client.post(_reply_url(ticket), {"body": TYPED, "attachments": [upload]})
    _assert_form_kept(response, error)
    page = response.content.decode()
    assert ticket.case_number in page  # the ticket page itself, not a bare error
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_staff_reply_with_rejected_attachment_keeps_the_note(client, ticket, staff_user):
    client.force_login(staff_user)
    response = client.post(
        _reply_url(ticket),
        {"body": TYPED, "internal": "on", "attachments": [SimpleUploadedFile("x.bat", b"del")]},
    )
    _assert_form_kept(response, "x.bat: this file type is not accepted")
    page = response.content.decode()
    # Staff work in the workspace: its composer comes back set to "Internal note".
    assert re.search(r'<input type="radio" name="mode" value="note"[^>]*checked', page)
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_empty_reply_says_what_is_missing(client, ticket, org_a_admin):
    client.force_login(org_a_admin)
    response = client.post(_reply_url(ticket), {"body": "  "})
    assert response.status_code == 400
    assert "Write a reply or attach a file." in response.content.decode()


def test_escalation_request_without_reason_keeps_the_page(client, ticket, org_a_admin):
    client.force_login(org_a_admin)
    response = client.post(f"/support/tickets/{ticket.case_number}/escalate/", {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert ticket.case_number in page
    assert "Tell us why this case needs escalating." in page
    # The failed form is open, so the error is seen without hunting for it.
    assert '<details open class="tiers-escalation-request">' in page


def test_severity_review_without_reason_keeps_the_choice(client, ticket, org_a_admin):
    client.force_login(org_a_admin)
    response = client.post(
        f"/support/tickets/{ticket.case_number}/dispute/", {"requested": "2", "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the severity should change." in page
    assert '<option value="2" selected>' in page


def test_a_refused_post_only_action_never_redirects_to_itself(client, ticket, org_a_admin):
    """A rule refusal on a POST-only URL goes back to the page the form was on (405 before)."""
    client.force_login(org_a_admin)
    client.post(f"/support/tickets/{ticket.case_number}/close/")
    response = client.post(
        f"/support/tickets/{ticket.case_number}/close/",
        HTTP_REFERER=f"http://testserver{ticket.get_absolute_url()}",
    )
    assert response.status_code == 302
    assert response["Location"].endswith(ticket.get_absolute_url())
    assert client.get(response["Location"]).status_code == 200
