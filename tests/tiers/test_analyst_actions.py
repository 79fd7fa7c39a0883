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


def test_analyst_does_the_other_staff_actions(
    client, analyst, org_a, org_a_admin, org_a_member, open_ticket, user_factory
):
    """The rest of the staff actions: assignment, status and the estimated resolution on the
    ticket page, held inbound e-mail, the status page (components, maintenance, a public
    incident update, subscribers, webhooks) and the resolution targets."""
    import datetime as dt
    from email.message import EmailMessage

    from django.utils import timezone

    from tiers.incidents.models import Component, StatusSubscriber, WebhookEndpoint
    from tiers.models import InboundMessage, MaintenanceWindow, TicketEvent
    from tiers.tickets import inbound

    client.force_login(analyst)
    colleague = user_factory(email="sam@example.com", display_name="Sam Analyst")
    colleague.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    ticket = open_ticket(org_a, org_a_member)
    url = f"/support/tickets/{ticket.case_number}/staff/"

    # Assign to a colleague, move the status, give an estimated resolution.
    worked(client.post(url, {"action": "assign", "analyst": colleague.pk}))
    worked(client.post(url, {"action": "status", "status": "waiting"}))
    later = timezone.localtime(
        timezone.now() + dt.timedelta(days=1), timezone.get_fixed_timezone(0)
    )
    worked(client.post(url, {"action": "etr", "estimated_resolution": f"{later:%Y-%m-%dT%H:%M}"}))
    ticket.refresh_from_db()
    assert (ticket.assigned_to, ticket.status) == (colleague, "waiting")
    assert ticket.estimated_resolution_at is not None
    assert TicketEvent.objects.filter(ticket=ticket, kind="estimated_resolution").count() == 1

    # A held e-mail from the customer: read it, release it as their reply.
    message = EmailMessage()
    message["From"] = org_a_member.email
    message["To"] = "support@example.com"
    message["Subject"] = f"Re: [{ticket.case_number}] more logs"
    message.set_content("The modem rebooted at 10:02.")
    inbound.handle(message.as_bytes())
    held = InboundMessage.objects.get(status=InboundMessage.HELD)
    worked(client.get("/admin/tiers/inboundmessage/"))
    worked(client.get(f"/admin/tiers/inboundmessage/inspect/{held.pk}/"))
    worked(client.post(f"/admin/tiers/inboundmessage/release/{held.pk}/"))
    held.refresh_from_db()
    assert held.status == InboundMessage.RELEASED and held.decided_by == analyst

    # The status page: a component, a maintenance window, a public incident and its update.
    worked(
        client.post(
            "/admin/tiers/component/new/",
            {"name": "SMS", "slug": "sms", "group": "Connectivity", "sort_order": "1",
             "is_public": "on"},
        )
    )  # fmt: skip
    sms = Component.objects.get(slug="sms")
    starts = timezone.now() + dt.timedelta(days=3)
    worked(
        client.post(
            "/admin/tiers/maintenancewindow/new/",
            {"title": "SMSC upgrade", "description": "Short delays.", "components": [sms.pk],
             "starts_at": f"{starts:%Y-%m-%d %H:%M}",
             "ends_at": f"{starts + dt.timedelta(hours=1):%Y-%m-%d %H:%M}", "is_public": "on"},
        )
    )  # fmt: skip
    assert MaintenanceWindow.objects.filter(title="SMSC upgrade").exists()
    incident = {"title": "SMS delayed", "description": "Investigating.", "severity": "2",
                "region": "", "started_at": f"{timezone.now():%Y-%m-%d %H:%M}",
                "is_public": "on", "partial": [sms.pk], "impact_class": ""}  # fmt: skip
    worked(client.post("/admin/tiers/serviceproblem/new/", incident))
    problem = ServiceProblem.objects.get(title="SMS delayed")
    worked(
        client.post(
            f"/admin/tiers/serviceproblem/edit/{problem.pk}/",
            {**incident, "update": "Fixed; monitoring.", "status": "monitoring"},
        )
    )
    assert problem.updates.count() == 2
    assert "Fixed; monitoring." in client.get("/status/").content.decode()
    # Subscribers removed on request; a webhook disabled; the delivery log read.
    subscriber = StatusSubscriber.objects.create(email="ops@example.com")
    worked(client.post(f"/admin/tiers/statussubscriber/delete/{subscriber.pk}/"))
    assert not StatusSubscriber.objects.filter(pk=subscriber.pk).exists()
    hook = WebhookEndpoint.objects.create(url="https://h.example.com/x", contact_email="o@x.io")
    worked(client.post(f"/admin/tiers/webhookendpoint/edit/{hook.pk}/", {"disabled": "on"}))
    hook.refresh_from_db()
    assert hook.disabled_at is not None
    worked(client.get("/admin/tiers/webhookdelivery/"))

    # The resolution targets they work to (read-only for analysts).
    assert "Infinity" in worked(client.get("/admin/tiers/resolutiontarget/")).content.decode()
