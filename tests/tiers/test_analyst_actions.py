"""An analyst - not the superuser - does every staff action of the product without a permission
error (issue 13): each is performed through its screen and its effect checked."""

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages

import pytest

from forum.models import Post, TrustLevel
from resourcecenter.roles import ANALYSTS_GROUP
from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust
from tiers.models import ServiceProblem, Ticket, TicketMessage


@pytest.fixture
def analyst(user_factory):
    user = user_factory(email="dana@example.com", display_name="Dana Analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return user


def worked(response):
    """The request did its work: a page or a redirect, never a refusal."""
    assert response.status_code in (200, 302), response.status_code
    location = response.headers.get("Location", "")
    assert "login" not in location, location
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("permission" in note.lower() for note in notes), notes
    return response


def test_analyst_does_every_staff_action(
    client, analyst, org_a, org_a_admin, org_a_member, open_ticket
):
    client.force_login(analyst)
    ticket = open_ticket(org_a, org_a_member)
    case = ticket.case_number

    # The queue, its saved views, and the front-end link to it.
    assert "Ticket queue" in worked(client.get("/admin/")).content.decode()
    assert case in worked(client.get("/admin/tiers/ticket/")).content.decode()
    worked(client.get("/admin/tiers/ticket/", {"view": "unassigned"}))
    worked(client.get("/support/tickets/"))
    # Bulk assign to oneself.
    worked(
        client.post(
            "/admin/tiers/ticket/bulk-assign/", {"ticket": [ticket.pk], "assignee": analyst.pk}
        )
    )
    ticket.refresh_from_db()
    assert ticket.assigned_to == analyst

    # The ticket page: read it, reply, internal note, severity, status, time.
    assert case in worked(client.get(f"/support/tickets/{case}/")).content.decode()
    url = f"/support/tickets/{case}/"
    worked(client.post(url + "reply/", {"body": "We are looking into it."}))
    worked(client.post(url + "reply/", {"body": "Looks like the APN.", "internal": "on"}))
    assert TicketMessage.objects.filter(ticket=ticket, is_internal=True).exists()
    assert TicketMessage.objects.filter(ticket=ticket, is_internal=False, from_staff=True).exists()
    worked(client.post(url + "staff/", {"action": "severity", "severity": "2"}))
    worked(
        client.post(
            url + "staff/", {"action": "time", "minutes": "20", "category": "troubleshooting"}
        )
    )
    worked(client.post(url + "staff/", {"action": "status", "status": "resolved"}))
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.status) == (2, "resolved")

    # Ticket timelines, organisations (read and edit), plans and subscriptions (read).
    worked(client.get("/admin/tiers/ticketevent/"))
    worked(client.get(f"/admin/tiers/organisation/edit/{org_a.pk}/"))
    worked(client.get("/admin/tiers/subscription/"))
    worked(client.get("/admin/tiers/plan/"))

    # Phone intake from the queue.
    worked(client.get(f"/admin/tiers/ticket/new/?organisation={org_a.pk}"))
    worked(
        client.post(
            "/admin/tiers/ticket/new/",
            {
                "organisation": org_a.pk,
                "requester": org_a_member.pk,
                "channel": "phone",
                "subject": "Trackers in Dallas offline",
                "category": "troubleshooting",
                "description": "Caller reports 120 trackers without data since 09:00.",
                "devices_affected": "120",
                "incident_at": "2026-03-02T09:00",
                "conditions": "After the APN change",
                "customer_severity": "1",
                "internal_note": "Called from the NOC.",
            },
        )
    )
    assert Ticket.objects.get(channel="phone").opened_by == analyst

    # Service problems: record one, then send an update.
    worked(client.get("/admin/tiers/serviceproblem/new/"))
    worked(
        client.post(
            "/admin/tiers/serviceproblem/new/",
            {
                "title": "Data sessions drop in Texas",
                "description": "Investigating.",
                "severity": "2",
                "region": "us",
                "started_at": "2026-01-05 08:00",
            },
        )
    )
    problem = ServiceProblem.objects.get()
    worked(
        client.post(
            f"/admin/tiers/serviceproblem/edit/{problem.pk}/",
            {
                "update": "A fix is rolling out.",
                "status": "monitoring",
                "severity": "2",
                "title": problem.title,
                "description": problem.description,
                "region": "us",
            },
        )
    )
    assert problem.updates.count() == 2
    worked(client.get("/admin/tiers/problemnotification/"))

    # The forum: triage, an official answer, moderation, the moderation queue, promotion.
    author = org_a_admin
    set_trust(author, TrustLevel.MEMBER)
    set_trust(org_a_member, TrustLevel.MEMBER)
    thread = make_thread(author, CategoryFactory(name="APN", slug="apn"))
    answer = make_reply(org_a_member, thread)
    worked(client.get("/community/triage/"))
    worked(client.post(f"/community/p/{answer.pk}/official/"))
    worked(client.post(f"/community/mod/t/{thread.pk}/lock/", {"reason": "Resolved."}))
    thread.refresh_from_db()
    assert thread.locked
    worked(client.post(f"/community/mod/p/{answer.pk}/hide/", {"reason": "Off topic."}))
    assert Post.objects.get(pk=answer.pk).moderation_state == "hidden"
    worked(client.get("/admin/forum/queue/"))
    worked(client.get("/admin/forum/log/"))
    worked(client.post(f"/support/threads/{thread.pk}/promote/", {"organisation": org_a.pk}))
    assert Ticket.objects.filter(thread=thread).exists()
