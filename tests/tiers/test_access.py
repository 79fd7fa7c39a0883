"""Walk every ticket URL as each role: organisation B never reaches organisation A's tickets,
attachments or internal notes; customers never see internal notes."""

from decimal import Decimal

import pytest

from tiers import services
from tiers.models import ExclusionReason

SECRET = "INTERNAL-ONLY carrier ticket 77"


@pytest.fixture
def case(org_a, org_a_admin, org_a_member, org_b_member, open_ticket, staff_user):
    ticket = open_ticket(
        org_a,
        org_a_admin,
        uploads=[services.Upload("modem.log", b"public log line\n")],
    )
    services.add_reply(
        ticket=ticket,
        author=staff_user,
        body=SECRET,
        internal=True,
        uploads=[services.Upload("internal.txt", b"internal analysis\n")],
    )
    services.add_reply(ticket=ticket, author=staff_user, body="Public answer from support.")
    quote = services.mark_not_covered(
        ticket=ticket,
        reason=ExclusionReason.objects.first(),
        amount=Decimal("100"),
        description="",
        by=staff_user,
    )
    public_attachment = ticket.attachments.get(filename="modem.log")
    internal_attachment = ticket.attachments.get(filename="internal.txt")
    return ticket, quote, public_attachment, internal_attachment


def urls(ticket, quote, public_attachment, internal_attachment):
    base = f"/support/tickets/{ticket.case_number}/"
    return {
        "detail": ("get", base, {}),
        "attachment": ("get", f"{base}attachments/{public_attachment.pk}/", {}),
        "internal_attachment": ("get", f"{base}attachments/{internal_attachment.pk}/", {}),
        "reply": ("post", f"{base}reply/", {"body": "hello"}),
        "dispute": ("post", f"{base}dispute/", {"requested": 1, "reason": "outage"}),
        "escalate": ("post", f"{base}escalate/", {"reason": "urgent"}),
        "quote": ("post", f"{base}quotes/{quote.pk}/", {"decision": "accept"}),
        "staff": ("post", f"{base}staff/", {"action": "severity", "severity": 1}),
        "close": ("post", f"{base}close/", {}),
    }


# Expected status per role and URL (customer POSTs redirect back to the ticket on success).
EXPECTED = {
    "member_a": {
        "detail": 200,
        "attachment": 200,
        "internal_attachment": 404,
        "reply": 302,
        "dispute": 302,
        "escalate": 302,
        "quote": 302,
        "staff": 404,
        "close": 302,
    },
    "member_b": dict.fromkeys(
        [
            "detail",
            "attachment",
            "internal_attachment",
            "reply",
            "dispute",
            "escalate",
            "quote",
            "staff",
            "close",
        ],
        404,
    ),
    "staff": {
        "detail": 200,
        "attachment": 200,
        "internal_attachment": 200,
        "reply": 302,
        "staff": 302,
        "close": 302,
    },
}
EXPECTED["admin_a"] = EXPECTED["member_a"]


@pytest.fixture
def role_user(request, org_a_admin, org_a_member, org_b_member, staff_user):
    return {
        "admin_a": org_a_admin,
        "member_a": org_a_member,
        "member_b": org_b_member,
        "staff": staff_user,
    }


@pytest.mark.parametrize("role", ["admin_a", "member_a", "member_b", "staff"])
def test_every_ticket_url_as_role(client, case, role, role_user):
    client.force_login(role_user[role])
    for name, (method, url, data) in urls(*case).items():
        if name not in EXPECTED[role]:
            continue
        response = getattr(client, method)(url, data)
        assert response.status_code == EXPECTED[role][name], (role, name, url)
        if response.status_code == 200 and name == "detail":
            html = response.content.decode()
            assert (SECRET in html) == (role == "staff")
            assert ("internal.txt" in html) == (role == "staff")


def test_anonymous_is_sent_to_log_in_everywhere(client, case):
    for _name, (method, url, data) in urls(*case).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_org_b_cannot_list_or_guess(client, case, org_b_member, org_b, org_b_admin, open_ticket):
    ticket = case[0]
    own = open_ticket(org_b, org_b_admin)
    client.force_login(org_b_member)
    html = client.get("/support/tickets/", {"state": "all"}).content.decode()
    assert ticket.case_number not in html
    assert own.case_number in html
    # Guessing neighbouring case numbers (both orgs share the INF sequence) finds nothing.
    for n in range(0, 10):
        guess = f"{ticket.case_number[:-6]}{n:06d}"
        if guess == own.case_number:
            continue
        assert client.get(f"/support/tickets/{guess}/").status_code == 404


def test_customer_emails_never_carry_internal_notes(
    org_a, org_a_admin, open_ticket, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(org_a, org_a_admin)
        services.add_reply(ticket=ticket, author=staff_user, body=SECRET, internal=True)
        services.add_reply(ticket=ticket, author=staff_user, body="Public reply")
        services.set_status(ticket=ticket, status="resolved", by=staff_user)
    customer_mail = [m for m in mailoutbox if org_a_admin.email in m.to]
    assert customer_mail
    for message in customer_mail:
        assert SECRET not in message.body
        assert all(SECRET not in str(alt) for alt in getattr(message, "alternatives", []))


def test_members_see_only_their_own_when_org_says_so(
    client, org_a, org_a_admin, org_a_member, open_ticket
):
    admins_ticket = open_ticket(org_a, org_a_admin)
    members_ticket = open_ticket(org_a, org_a_member)
    org_a.members_see_all_tickets = False
    org_a.save()
    client.force_login(org_a_member)
    assert client.get(admins_ticket.get_absolute_url()).status_code == 404
    assert client.get(members_ticket.get_absolute_url()).status_code == 200
    client.force_login(org_a_admin)
    assert client.get(members_ticket.get_absolute_url()).status_code == 200


def test_ticket_pages_have_bounded_queries(
    client, org_a, org_a_admin, open_ticket, staff_user, django_assert_max_num_queries
):
    ticket = open_ticket(org_a, org_a_admin)
    for i in range(15):
        services.add_reply(ticket=ticket, author=staff_user, body=f"reply {i}")
        services.add_reply(ticket=ticket, author=org_a_admin, body=f"answer {i}")
    for _ in range(10):
        open_ticket(org_a, org_a_admin)
    client.force_login(org_a_admin)
    with django_assert_max_num_queries(30):
        assert client.get(ticket.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/support/tickets/", {"state": "all"}).status_code == 200
    client.force_login(staff_user)
    with django_assert_max_num_queries(40):
        assert client.get(ticket.get_absolute_url()).status_code == 200
