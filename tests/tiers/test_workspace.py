"""The staff workspace (issue 13): one page, one composer, a side panel saved in one action,
the SLA clock in words, presence, CC within the organisation, merging duplicates."""

import datetime as dt
import re
import zoneinfo

from django.core import mail
from django.utils import timezone
from django.utils.html import escape

import pytest

from tiers.models import Plan, Ticket, TicketCC, TicketEvent, TicketMessage
from tiers.tickets import presence
from tiers.tickets.workspace import PanelChange, add_cc, merge_ticket, update_ticket
from tiers.tickets.workspace_selectors import duration_words, sla_clock

from .conftest import add_member


@pytest.fixture
def ticket(org_a, org_a_member, open_ticket):
    return open_ticket(org_a, org_a_member, subject="Trackers offline in Dallas")


def url(ticket, action=""):
    return f"/support/tickets/{ticket.case_number}/{action + '/' if action else ''}"


def test_staff_get_the_workspace_and_customers_do_not(client, staff_user, org_a_member, ticket):
    client.force_login(staff_user)
    html = client.get(url(ticket)).content.decode()
    assert 'id="composer"' in html and 'id="panel"' in html
    assert "First response due in" in html
    assert "Org A" in html and ticket.plan.name in html
    client.force_login(org_a_member)
    html = client.get(url(ticket)).content.decode()
    assert 'id="composer"' not in html and 'id="panel"' not in html
    assert "Your reply" in html


def test_workspace_queries_are_bounded(
    client, staff_user, ticket, org_a_member, django_assert_max_num_queries
):
    from tiers.services import add_reply

    client.force_login(staff_user)
    add_reply(ticket=ticket, author=org_a_member, body="First detail")
    client.get(url(ticket))  # warm the per-process caches (site settings, gate)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url(ticket)).status_code == 200
    for n in range(12):
        add_reply(ticket=ticket, author=org_a_member, body=f"More detail {n}")
        add_reply(ticket=ticket, author=staff_user, body=f"Note {n}", internal=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(ticket)).status_code == 200


def test_panel_saves_every_change_at_once_one_event_each(client, staff_user, ticket):
    client.force_login(staff_user)
    before = set(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True))
    response = client.post(
        url(ticket, "update"),
        {
            "status": "waiting",
            "severity": "2",
            "assignee": str(staff_user.pk),
            "category": "provisioning",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.severity, ticket.assigned_to, ticket.category) == (
        "waiting",
        2,
        staff_user,
        "provisioning",
    )
    new = TicketEvent.objects.filter(ticket=ticket).exclude(pk__in=before)
    kinds = sorted(new.exclude(kind__startswith="sla").values_list("kind", flat=True))
    assert kinds == ["assigned", "category", "severity", "status"]
    # Saving the same values again changes nothing and records nothing.
    count = TicketEvent.objects.filter(ticket=ticket).count()
    client.post(
        url(ticket, "update"),
        {
            "status": "waiting",
            "severity": "2",
            "assignee": staff_user.pk,
            "category": "provisioning",
        },
    )
    assert TicketEvent.objects.filter(ticket=ticket).count() == count


def test_panel_refuses_bad_input_without_losing_it(client, staff_user, ticket):
    client.force_login(staff_user)
    response = client.post(
        url(ticket, "update"),
        {"status": "nonsense", "severity": "99", "assignee": "x", "category": "troubleshooting"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged"


def severity_select(html: str) -> str:
    return html.split('<select name="severity"')[1].split("</select>")[0]


def test_the_panel_names_severities_by_the_plan_or_else_by_number(client, staff_user, ticket):
    client.force_login(staff_user)
    levels = list(ticket.plan.severity_scheme.levels.all())
    select = severity_select(client.get(url(ticket)).content.decode())
    assert levels and all(f">{escape(level.name)}</option>" in select for level in levels)
    assert f'<option value="{ticket.severity}" selected>' in select
    Plan.objects.filter(pk=ticket.plan_id).update(severity_scheme=None)
    select = severity_select(client.get(url(ticket)).content.decode())
    options = re.findall(r'<option value="(\d)"( selected)?>([^<]*)</option>', select)
    assert options == [
        (str(n), " selected" if n == ticket.severity else "", f"Severity {n}") for n in range(1, 5)
    ]
    response = client.post(url(ticket, "update"), {"status": "in_progress", "severity": "9"})
    assert response.status_code == 400
    html = response.content.decode()
    invalid = (
        '<select name="severity" id="id_severity" aria-invalid="true" '
        'aria-describedby="id_severity_error">'
    )
    assert invalid in html
    # the message the field points at exists (Django's own widgets point there too)
    assert '<span class="errorlist" id="id_severity_error" role="alert">' in html


def test_composer_reply_and_internal_note(
    client, staff_user, ticket, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(ticket, "compose"), {"mode": "reply", "body": "We are on it."})
        client.post(url(ticket, "compose"), {"mode": "note", "body": "Check the APN <b>now</b>."})
    reply, note = TicketMessage.objects.filter(ticket=ticket).order_by("pk")
    assert (reply.is_internal, note.is_internal) == (False, True)
    assert any("We are on it." in m.body for m in mail.outbox)
    assert all("APN" not in m.body for m in mail.outbox)  # internal notes are never e-mailed
    html = client.get(url(ticket)).content.decode()
    assert "Check the APN &lt;b&gt;now&lt;/b&gt;." in html


def test_composer_error_keeps_what_was_typed(client, staff_user, ticket):
    client.force_login(staff_user)
    response = client.post(url(ticket, "compose"), {"mode": "shout", "body": "Kept text 123"})
    assert response.status_code == 400
    assert "Kept text 123" in response.content.decode()
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    response = client.post(url(ticket, "compose"), {"mode": "reply", "body": "  "})
    assert "Write a message, choose a macro or attach a file." in response.content.decode()


def test_only_staff_reach_the_workspace_actions(client, org_a_member, org_b_admin, ticket):
    for user in (org_a_member, org_b_admin):
        client.force_login(user)
        for action, data in (
            ("update", {"status": "closed"}),
            ("compose", {"mode": "note", "body": "x"}),
            ("merge", {"target": ticket.case_number}),
            ("cc", {"user": user.pk}),
            ("presence", {}),
        ):
            assert client.post(url(ticket, action), data).status_code == 404, action
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged" and not ticket.messages.exists()


def test_presence_shows_other_analysts_and_typing(client, staff_user, user_factory, ticket):
    from django.contrib.auth.models import Group

    from resourcecenter.roles import ANALYSTS_GROUP

    other = user_factory(email="kim@example.com", display_name="Kim")
    other.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(other)
    client.get(url(ticket))
    client.force_login(staff_user)
    assert "Kim has it open" in client.get(url(ticket)).content.decode()
    client.force_login(other)
    data = client.post(url(ticket, "presence"), {"typing": "1"}).json()
    assert data["others"][0]["text"] == "Dana has it open"
    client.force_login(staff_user)
    assert client.get(url(ticket, "presence")).json()["others"][0]["text"] == (
        "Kim is typing a reply"
    )
    # Forgotten after SEEN_SECONDS without a refresh.
    later = presence.others(ticket.pk, staff_user, now=10**10)
    assert later == []


def test_cc_only_members_of_the_same_organisation(
    client,
    staff_user,
    ticket,
    org_a,
    org_a_admin,
    org_b_admin,
    django_capture_on_commit_callbacks,
):
    client.force_login(staff_user)
    assert client.post(url(ticket, "cc"), {"user": org_b_admin.pk}).status_code == 302
    assert not TicketCC.objects.exists()
    client.post(url(ticket, "cc"), {"user": org_a_admin.pk})
    assert list(TicketCC.objects.values_list("user", flat=True)) == [org_a_admin.pk]
    html = client.get(url(ticket)).content.decode()
    assert org_b_admin.public_name not in html
    # Public replies reach the copied member; internal notes do not.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(ticket, "compose"), {"mode": "reply", "body": "Update for everyone."})
    assert any(org_a_admin.email in m.to for m in mail.outbox)
    # Once they leave the organisation, they hear nothing more.
    org_a.memberships.filter(user=org_a_admin).delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(ticket, "compose"), {"mode": "reply", "body": "Second update."})
    assert mail.outbox and not any(org_a_admin.email in m.to for m in mail.outbox)
    client.post(url(ticket, "cc"), {"user": org_a_admin.pk, "remove": "1"})
    assert not TicketCC.objects.exists()


def test_merge_moves_the_conversation_and_closes_the_duplicate(
    client, staff_user, ticket, org_a, org_a_admin, open_ticket
):
    from tiers.services import add_reply

    duplicate = open_ticket(org_a, org_a_admin, subject="Same outage", description="Dallas down")
    add_reply(ticket=duplicate, author=org_a_admin, body="Any news?")
    client.force_login(staff_user)
    response = client.post(url(duplicate, "merge"), {"target": ticket.case_number.lower()})
    assert response["Location"] == url(ticket)
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into == ticket
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert "Any news?" in bodies and any("Dallas down" in body for body in bodies)
    assert not duplicate.messages.exists()
    assert duplicate.events.filter(kind="merged").count() == 1
    assert ticket.events.filter(kind="merged_in").count() == 1
    assert TicketCC.objects.filter(ticket=ticket, user=org_a_admin).exists()
    client.force_login(org_a_admin)
    html = client.get(url(duplicate)).content.decode()
    assert f'merged into <a href="{url(ticket)}">{ticket.case_number}</a>' in html


def test_merge_refuses_other_organisations_and_itself(
    staff_user, ticket, org_b, org_b_admin, open_ticket
):
    from tiers.errors import TierError

    other = open_ticket(org_b, org_b_admin)
    for target in (other.case_number, ticket.case_number, "INF-0000-000000", ""):
        with pytest.raises(TierError):
            merge_ticket(duplicate=ticket, target_case=target, by=staff_user)
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged" and ticket.merged_into is None


def test_add_cc_service_refuses_non_members(staff_user, ticket, org_b_admin):
    from tiers.errors import TierError

    with pytest.raises(TierError):
        add_cc(ticket=ticket, user_id=org_b_admin.pk, by=staff_user)
    with pytest.raises(TierError):
        add_cc(ticket=ticket, user_id=ticket.requester_id, by=staff_user)


def test_update_ticket_is_all_or_nothing(staff_user, ticket):
    from tiers.errors import TierError

    with pytest.raises(TierError):
        update_ticket(
            ticket=ticket, by=staff_user, change=PanelChange(category="provisioning", severity=42)
        )
    ticket.refresh_from_db()
    assert ticket.category == "troubleshooting"


def test_duration_words():
    assert duration_words(3 * 3600 + 20 * 60 + 59) == "3 h 20 min"
    assert duration_words(45 * 60) == "45 min"
    assert duration_words(2 * 86400 + 4 * 3600) == "2 d 4 h"
    assert duration_words(3600) == "1 h"
    assert duration_words(10) == "less than a minute"


def test_sla_clock_in_words_in_the_readers_zone(ticket):
    now = dt.datetime(2026, 12, 2, 9, 45, tzinfo=dt.UTC)
    ticket.response_due_at = dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.UTC)
    ticket.first_response_at = ticket.paused_at = ticket.breached_at = None
    timezone.activate(zoneinfo.ZoneInfo("Europe/Berlin"))
    try:
        clock = sla_clock(ticket, now)
        assert (clock.text, clock.state) == ("First response due in 3 h 20 min, 14:05 CET", "ok")
        clock = sla_clock(ticket, now + dt.timedelta(hours=2))
        assert clock.state == "warning" and clock.text.startswith("First response due in 1 h 20")
        clock = sla_clock(ticket, now + dt.timedelta(hours=4))
        assert clock.state == "breached"
        assert clock.text == "First response overdue by 40 min (was due 14:05 CET)"
        clock = sla_clock(ticket, now - dt.timedelta(days=1))
        assert clock.text.endswith("Wed 2 Dec, 14:05 CET")
    finally:
        timezone.deactivate()
    ticket.paused_at = now
    assert sla_clock(ticket, now).state == "paused"


def test_breached_ticket_is_marked_on_the_page(client, staff_user, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=timezone.now() - dt.timedelta(hours=1),
        breached_at=timezone.now() - dt.timedelta(hours=1),
    )
    client.force_login(staff_user)
    html = client.get(url(ticket)).content.decode()
    assert "tiers-clock-breached" in html and "<strong>Breached:</strong>" in html


def test_other_org_member_cannot_be_added_via_membership_of_both(
    staff_user, ticket, org_b, user_factory
):
    both = user_factory(email="both@example.com", display_name="Both")
    add_member(org_b, both)
    from tiers.errors import TierError

    with pytest.raises(TierError):
        add_cc(ticket=ticket, user_id=both.pk, by=staff_user)
    add_member(ticket.organisation, both)
    assert add_cc(ticket=ticket, user_id=both.pk, by=staff_user).user == both


def test_copied_member_reads_the_case_and_a_merged_duplicate_forwards_replies(
    client, staff_user, ticket, org_a, user_factory, open_ticket
):
    from tiers.services import add_reply

    org_a.members_see_all_tickets = False
    org_a.save()
    colleague = user_factory(email="colleague@example.com", display_name="Colleague")
    add_member(org_a, colleague)
    client.force_login(colleague)
    assert client.get(url(ticket)).status_code == 404  # members see only their own cases
    duplicate = open_ticket(org_a, colleague, subject="Dallas again")
    merge_ticket(duplicate=duplicate, target_case=ticket.case_number, by=staff_user)
    assert client.get(url(ticket)).status_code == 200  # copied on the target by the merge
    message = add_reply(ticket=duplicate, author=colleague, body="Still down here.")
    assert message.ticket_id == ticket.pk
    duplicate.refresh_from_db()
    assert duplicate.status == "closed"


def test_one_field_staff_actions_go_through_the_panel_service(client, staff_user, ticket):
    """The workspace's one-field forms change the ticket exactly as the side panel does: one
    timeline event per change, none when nothing changes."""
    client.force_login(staff_user)
    for data in (
        {"action": "severity", "severity": "2"},
        {"action": "status", "status": "in_progress"},
        {"action": "status", "status": "in_progress"},  # unchanged: no second event
        {"action": "assign", "analyst": staff_user.pk},
    ):
        assert client.post(url(ticket, "staff"), data).status_code == 302, data
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.status, ticket.assigned_to) == (2, "in_progress", staff_user)
    kinds = list(ticket.events.filter(actor=staff_user).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["severity", "status", "assigned"])


def test_the_public_fix_is_kept_when_the_thread_refuses_it(client, staff_user, ticket):
    """Publishing needs a thread; without one the reason is shown and the typed fix is kept."""
    client.force_login(staff_user)
    response = client.post(
        url(ticket, "staff"),
        {"action": "resolution", "resolution_public": "  Reset the APN.  ", "publish": "1"},
        follow=True,
    )
    assert "did not come from a community thread" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.resolution_public == "Reset the APN."
    assert not ticket.events.filter(kind="fix_published").exists()
