"""The analysts' ticket queue in the Wagtail admin (issue 13): due first, filters, saved views,
bulk assign, counts in the menu, bounded queries; the front-end link leads to it."""

import datetime as dt

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from resourcecenter.roles import ANALYSTS_GROUP, EDITORS_GROUP
from tiers.models import Ticket, TicketEvent

QUEUE = "/admin/tiers/ticket/"


def _role(user_factory, email, group):
    user = user_factory(email=email, display_name=email.split("@")[0].title())
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(user_factory):
    return _role(user_factory, "dana@example.com", ANALYSTS_GROUP)


@pytest.fixture
def other_analyst(user_factory):
    return _role(user_factory, "sam@example.com", ANALYSTS_GROUP)


@pytest.fixture
def tickets(org_a, org_a_admin, org_b, org_b_admin, open_ticket):
    """Five tickets whose due times are set by hand, so the expected order is plain."""
    now = timezone.now()
    made = {}
    specs = {
        "later": (org_a, org_a_admin, {"response_due_at": now + dt.timedelta(hours=9)}),
        "soon": (org_b, org_b_admin, {"response_due_at": now + dt.timedelta(minutes=50)}),
        "breached": (
            org_a,
            org_a_admin,
            {"response_due_at": now - dt.timedelta(hours=3), "breached_at": now},
        ),
        "answered": (org_b, org_b_admin, {"first_response_at": now, "status": "in_progress"}),
        "closed": (org_a, org_a_admin, {"status": "closed", "closed_at": now}),
    }
    for key, (org, requester, fields) in specs.items():
        ticket = open_ticket(org, requester, subject=f"Ticket {key}")
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
        ticket.refresh_from_db()
        made[key] = ticket
    return made


def _order(html, tickets):
    return sorted(tickets, key=lambda key: html.index(tickets[key].case_number))


def test_overdue_and_soonest_due_come_first(client, analyst, tickets):
    client.force_login(analyst)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert _order(html, tickets) == ["breached", "soon", "later", "answered", "closed"]
    assert "BREACHED" in html


def test_filters(client, analyst, tickets, org_b):
    t = tickets
    client.force_login(analyst)

    def shown(**params):
        html = client.get(QUEUE, params).content.decode()
        return {key for key, ticket in t.items() if ticket.case_number in html}

    assert shown(organisation=org_b.pk) == {"soon", "answered"}
    assert shown(region="eu") == {"soon", "answered"}
    assert shown(breached="true") == {"breached"}
    assert shown(status="closed") == {"closed"}
    assert shown(plan=t["soon"].plan_id) == set(t)
    Ticket.objects.filter(pk=t["later"].pk).update(status="waiting", paused_at=timezone.now())
    assert shown(waiting="true") == {"later"}
    Ticket.objects.filter(pk=t["soon"].pk).update(assigned_to=analyst)
    assert shown(assigned_to=analyst.pk) == {"soon"}


def test_saved_views(client, analyst, other_analyst, tickets):
    t = tickets
    Ticket.objects.filter(pk=t["later"].pk).update(assigned_to=analyst)
    Ticket.objects.filter(pk=t["answered"].pk).update(assigned_to=other_analyst)
    client.force_login(analyst)

    def shown(view):
        html = client.get(QUEUE, {"view": view}).content.decode()
        return {key for key, ticket in t.items() if ticket.case_number in html}

    assert shown("mine") == {"later"}
    assert shown("unassigned") == {"soon", "breached"}  # the closed one is not in the queue
    assert shown("breaching") == {"soon"}  # due in 50 min; the breached one already is


def test_bulk_assign_records_each_ticket(client, analyst, other_analyst, tickets):
    client.force_login(analyst)
    chosen = [tickets["soon"], tickets["later"]]
    response = client.post(
        QUEUE + "bulk-assign/",
        {"ticket": [t.pk for t in chosen], "assignee": other_analyst.pk, "next": QUEUE},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    for ticket in chosen:
        ticket.refresh_from_db()
        assert ticket.assigned_to == other_analyst
        assert TicketEvent.objects.filter(ticket=ticket, kind="assigned", actor=analyst).exists()
    assert tickets["breached"].assigned_to is None
    client.post(QUEUE + "bulk-assign/", {"ticket": [chosen[0].pk], "assignee": "nobody"})
    chosen[0].refresh_from_db()
    assert chosen[0].assigned_to is None


def test_bulk_assign_refuses_non_workers(client, user_factory, analyst, tickets):
    editor = _role(user_factory, "eli@example.com", EDITORS_GROUP)
    client.force_login(editor)
    response = client.post(
        QUEUE + "bulk-assign/", {"ticket": [tickets["soon"].pk], "assignee": analyst.pk}
    )
    assert response.status_code in (302, 403)
    assert "/admin/tiers/ticket" not in response.headers.get("Location", "")
    tickets["soon"].refresh_from_db()
    assert tickets["soon"].assigned_to is None
    client.force_login(analyst)
    client.post(QUEUE + "bulk-assign/", {"ticket": [tickets["soon"].pk], "assignee": editor.pk})
    tickets["soon"].refresh_from_db()
    assert tickets["soon"].assigned_to is None  # an editor does not work tickets


def test_menu_shows_counts(client, analyst, tickets):
    client.force_login(analyst)
    html = client.get("/admin/").content.decode()
    # later, soon, breached, answered are open; one breached; one due within two hours.
    assert "Ticket queue (4 open, 1 breached, 1 due within 2 h)" in html


def test_queue_queries_do_not_grow_with_tickets(client, analyst, org_a, org_a_admin, open_ticket):
    client.force_login(analyst)
    open_ticket(org_a, org_a_admin, subject="first")
    client.get(QUEUE)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    for n in range(25):
        open_ticket(org_a, org_a_admin, subject=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(QUEUE, {"view": "unassigned"}).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)
    assert len(few.captured_queries) < 40


def test_front_end_staff_queue_is_the_admin_queue(client, analyst, org_a_admin, org_a):
    client.force_login(analyst)
    response = client.get("/support/tickets/")
    assert response.status_code == 302 and response["Location"] == QUEUE
    client.force_login(org_a_admin)
    assert client.get("/support/tickets/").status_code == 200  # customers keep their list
