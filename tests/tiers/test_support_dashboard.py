"""The staff dashboard: its figures equal counts made directly from the objects; deflection
follows its definition; only support leads see it; its query count is bounded."""

import datetime as dt
from collections import Counter

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from resourcecenter import journeys
from resourcecenter.models import HelpEvent
from resourcecenter.roles import ANALYSTS_GROUP, EDITORS_GROUP, LEADS_GROUP
from search.models import SearchQueryLog
from tiers.models import ServiceProblem, Ticket
from tiers.reports import dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(user_factory):
    user = user_factory(email="lead@example.com", display_name="Lee Lead")
    user.groups.add(Group.objects.get_or_create(name=LEADS_GROUP)[0])
    return user


@pytest.fixture
def tickets(org_a, org_a_admin, org_b, org_b_admin, open_ticket):
    """Tickets of two regions, several severities and ages, answered, breached or waiting."""
    now = timezone.now()
    made = []
    for index in range(14):
        org, user = (org_a, org_a_admin) if index % 2 else (org_b, org_b_admin)
        ticket = open_ticket(org, user, subject=f"Case {index}")
        opened = now - dt.timedelta(hours=5 + index * 17)
        changes = {
            "created_at": opened,
            "severity": 1 + index % 4,
            "status": [Ticket.NEW, Ticket.IN_PROGRESS, Ticket.WAITING, Ticket.RESOLVED][index % 4],
        }
        if index % 3 == 0:
            changes["first_response_at"] = opened + dt.timedelta(hours=1)
        if index % 5 == 1:
            changes["breached_at"] = opened + dt.timedelta(hours=2)
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        ticket.refresh_from_db()
        made.append(ticket)
    return made


def test_backlog_attainment_and_breaches_equal_the_tickets(tickets):
    now = timezone.now()
    open_ = [t for t in tickets if t.status in Ticket.OPEN_STATUSES]
    rows = {row.severity: row for row in dashboard.backlog(now)}
    assert {s: r.total for s, r in rows.items()} == Counter(t.severity for t in open_)
    for severity, row in rows.items():
        ages = [now - t.created_at for t in open_ if t.severity == severity]
        assert row.buckets[0] == sum(1 for a in ages if a < dt.timedelta(days=1))
        assert row.buckets[3] == sum(1 for a in ages if a >= dt.timedelta(days=7))

    start = now - dt.timedelta(days=7)
    recent = [t for t in tickets if t.created_at >= start]
    attainment = {(a.severity, a.region): a for a in dashboard.sla_attainment(start, now)}
    assert {k: a.opened for k, a in attainment.items()} == Counter(
        (t.severity, t.region) for t in recent
    )
    for (severity, region), a in attainment.items():
        group = [t for t in recent if (t.severity, t.region) == (severity, region)]
        assert a.within == sum(1 for t in group if t.first_response_at and not t.breached_at)
        assert a.missed == sum(1 for t in group if t.breached_at)

    count, latest = dashboard.breaches(start, now)
    assert count == sum(1 for t in tickets if t.breached_at and t.breached_at >= start)
    assert [t.pk for t in latest] == [
        t.pk for t in sorted(tickets, key=lambda t: t.breached_at or start, reverse=True)
    ][:count]


def test_resolution_attainment_equals_the_tickets(client, lead, tickets):
    # Targets on most tickets (not every fourth); met, missed or not resolved yet.
    for index, ticket in enumerate(tickets):
        changes = {"resolution_target_seconds": 0 if index % 4 == 3 else 8 * 3600}
        if ticket.status == Ticket.RESOLVED or index % 3 == 1:
            changes["resolution_met"] = index % 2 == 0
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        ticket.refresh_from_db()
    now = timezone.now()
    start = now - dt.timedelta(days=7)
    measured = [t for t in tickets if t.created_at >= start and t.resolution_target_seconds]
    rows = {(a.severity, a.region): a for a in dashboard.resolution_attainment(start, now)}
    assert {k: a.opened for k, a in rows.items()} == Counter(
        (t.severity, t.region) for t in measured
    )
    assert sum(a.missed for a in rows.values()) > 0 and sum(a.within for a in rows.values()) > 0
    for key, a in rows.items():
        group = [t for t in measured if (t.severity, t.region) == key]
        within = sum(1 for t in group if t.resolution_met is True)
        missed = sum(1 for t in group if t.resolution_met is False)
        assert (a.within, a.missed, a.pending) == (within, missed, len(group) - within - missed)
    # The page shows them beside the first-response attainment.
    client.force_login(lead)
    html = client.get("/admin/support/dashboard/?days=7").content.decode()
    assert "Resolution against target, by severity and region" in html
    for a in rows.values():
        percent = f"{a.percent}%" if a.percent is not None else "–"
        cells = (
            f'<th scope="row">Severity {a.severity}</th><td>{a.region_label}</td>'
            f"<td>{a.opened}</td><td>{a.within}</td><td>{a.missed}</td><td>{a.pending}</td>"
            f"<td>{percent}</td>"
        )
        assert cells in html.split('id="resolution-heading"')[1].split("</section>")[0]


def test_incidents_count_the_tickets_opened_while_they_were_open(tickets, staff_user):
    from tiers.incidents.services import record_problem

    now = timezone.now()
    europe = record_problem(
        by=staff_user,
        title="Data outage Europe",
        description="x",
        severity=2,
        region="eu",
        started_at=now - dt.timedelta(days=3),
    )
    everywhere = record_problem(
        by=staff_user,
        title="API errors",
        description="x",
        severity=3,
        started_at=now - dt.timedelta(days=2),
    )
    ServiceProblem.objects.filter(pk=everywhere.pk).update(
        status=ServiceProblem.RESOLVED, resolved_at=now - dt.timedelta(days=1)
    )
    everywhere.refresh_from_db()
    found = {i.pk: i.ticket_volume for i in dashboard.incidents(now - dt.timedelta(days=30), now)}
    assert found[europe.pk] == sum(
        1 for t in tickets if t.region == "eu" and t.created_at >= europe.started_at
    )
    assert found[everywhere.pk] == sum(
        1 for t in tickets if everywhere.started_at <= t.created_at <= everywhere.resolved_at
    )
    # Cases customers attached to an incident are counted apart.
    attached = [t for t in tickets if t.region == "eu"][:2]
    Ticket.objects.filter(pk__in=[t.pk for t in attached]).update(incident=europe)
    counted = {i.pk: i.attached for i in dashboard.incidents(now - dt.timedelta(days=30), now)}
    assert attached and (counted[europe.pk], counted[everywhere.pk]) == (len(attached), 0)


def test_deflection_follows_its_definition(org_a, org_a_admin, org_a_member, user_factory):
    now = timezone.now()
    t0 = now - dt.timedelta(days=2)
    reader = user_factory(email="reader@example.com")

    def event(user, minutes, kind=HelpEvent.SEARCH):
        HelpEvent.objects.create(
            visitor=journeys.visitor_key(user.pk),
            kind=kind,
            created_at=t0 + dt.timedelta(minutes=minutes),
        )

    def ticket(user, minutes):
        from tiers import services

        made = services.open_ticket(
            organisation=org_a, requester=user, subject="S", description="D"
        )
        Ticket.objects.filter(pk=made.pk).update(created_at=t0 + dt.timedelta(minutes=minutes))

    # The reader: a search and an article 10 minutes apart, no ticket -> one deflected session.
    event(reader, 0)
    event(reader, 10, HelpEvent.ARTICLE)
    # The admin: searches, then a ticket 20 minutes later -> a session with a ticket.
    event(org_a_admin, 0)
    ticket(org_a_admin, 20)
    # The member: an article, then another 50 minutes later (two sessions); the ticket at 55
    # falls in the second only.
    event(org_a_member, 0, HelpEvent.ARTICLE)
    event(org_a_member, 50, HelpEvent.ARTICLE)
    ticket(org_a_member, 55)
    # Not yet ended: a search five minutes ago.
    HelpEvent.objects.create(
        visitor=journeys.visitor_key(reader.pk),
        kind=HelpEvent.SEARCH,
        created_at=now - dt.timedelta(minutes=5),
    )
    figures = dashboard.deflection(now - dt.timedelta(days=7), now, now)
    assert (figures.sessions, figures.with_ticket, figures.without_ticket) == (4, 2, 2)
    assert (figures.searches, figures.articles) == (2, 3)
    assert figures.percent == 50


def test_signed_in_searches_and_page_views_are_logged_without_the_user(client, member, home_page):
    from kb.models import ArticlePage

    article = home_page.add_child(instance=ArticlePage(title="Activate a SIM", slug="sim"))
    article.save_revision().publish()
    client.get("/search/", {"q": "activate"})
    client.get(article.url)
    assert not HelpEvent.objects.exists()  # anonymous visitors are not counted
    client.force_login(member)
    client.get("/search/", {"q": "activate"})
    client.get("/search/", {"q": "activate", "page": 2})  # the same search, paged: once
    assert client.get(article.url).status_code == 200
    events = list(HelpEvent.objects.values_list("visitor", "kind"))
    key = journeys.visitor_key(member.pk)
    assert sorted(events) == [(key, HelpEvent.ARTICLE), (key, HelpEvent.SEARCH)]
    assert str(member.pk) != key and member.email not in key


def test_the_lead_sees_the_dashboard_with_bounded_queries(
    client, lead, tickets, django_assert_max_num_queries
):
    SearchQueryLog.objects.create(query="esim profile", results=0)
    SearchQueryLog.objects.create(query="esim profile", results=0)
    SearchQueryLog.objects.create(query="apn", results=4)
    client.force_login(lead)
    with django_assert_max_num_queries(30):
        response = client.get("/admin/support/dashboard/?days=30")
    assert response.status_code == 200
    html = response.content.decode()
    breached = sum(1 for t in tickets if t.breached_at)
    assert f"Breaches: {breached}" in html
    assert "esim profile" in html and ">apn<" not in html
    assert client.get("/admin/support/dashboard/?days=oops").status_code == 200


@pytest.mark.parametrize("group", [ANALYSTS_GROUP, EDITORS_GROUP, None])
def test_others_do_not_see_the_dashboard(client, user_factory, group):
    user = user_factory(email="someone@example.com")
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    client.force_login(user)
    response = client.get("/admin/support/dashboard/")
    assert response.status_code in (302, 403)
    assert b"Backlog" not in response.content


def test_old_help_events_are_pruned_by_the_sweep():
    from tiers.sweeps import sweep

    now = timezone.now()
    for days in (10, 399, 401, 800):
        HelpEvent.objects.create(
            visitor="v", kind=HelpEvent.SEARCH, created_at=now - dt.timedelta(days=days)
        )
    assert sweep()["help events pruned"] == 2
    assert HelpEvent.objects.count() == 2


@pytest.fixture
def notices(staff_user, user_factory, org_a):
    """Proactive notices over four months: on time, late, overdue, pending, skipped, and one
    declared before the dashboard's twelve months."""
    from tiers.incidents import services
    from tiers.incidents.models import ProblemNotification

    now = timezone.now()
    problem = services.record_problem(
        by=staff_user, title="Outage", description="Down.", severity=2
    )
    update = problem.updates.get()
    ProblemNotification.objects.all().delete()
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # (months back, minutes from declared to sent or None, status)
    plan = [
        (0, 4, "sent"), (0, 31, "sent"), (0, None, "pending"),
        (1, 12, "sent"), (1, 29, "sent"), (1, 75, "sent"), (1, None, "skipped"),
        (1, None, "pending"),  # never sent, long past its deadline: late
        (3, 2, "sent"),
        (13, 3, "sent"),  # outside the last twelve months
    ]  # fmt: skip
    made = []
    for index, (back, minutes, status) in enumerate(plan):
        start = (this_month - dt.timedelta(days=28 * back + (1 if back else 0))).replace(day=1)
        declared = start + dt.timedelta(hours=1 + index) if back else now - dt.timedelta(minutes=5)
        if back == 0 and status == "sent":
            declared = now - dt.timedelta(minutes=minutes + 1)
        made.append(
            ProblemNotification.objects.create(
                update=update,
                user=user_factory(email=f"contact{index}@example.com"),
                declared_at=declared,
                deadline_at=declared + dt.timedelta(minutes=30),
                status=status,
                sent_at=declared + dt.timedelta(minutes=minutes) if minutes else None,
            )
        )
    return made


def test_notice_attainment_by_month_equals_the_notices(notices):
    now = timezone.now()
    oldest = (now.year * 12 + now.month - 12) // 12, (now.year * 12 + now.month - 12) % 12 + 1
    by_month: dict[dt.date, list] = {}
    for notice in notices:
        month = notice.declared_at.astimezone(dt.UTC).date().replace(day=1)
        if month >= dt.date(*oldest, 1):
            by_month.setdefault(month, []).append(notice)
    rows = dashboard.notice_attainment_by_month(now)
    assert [row.month for row in rows] == sorted(by_month, reverse=True)
    assert len(rows) == 3  # the notice of 13 months ago is not counted
    for row in rows:
        mine = by_month[row.month]
        sent = [n for n in mine if n.status == "sent"]
        on_time = [n for n in sent if n.sent_at <= n.deadline_at]
        late = [n for n in sent if n.sent_at > n.deadline_at] + [
            n for n in mine if n.status == "pending" and n.deadline_at < now
        ]
        assert (row.sent, row.on_time, row.late + row.overdue) == (
            len(sent),
            len(on_time),
            len(late),
        )
        assert row.percent == round(100 * len(on_time) / (len(on_time) + len(late)), 1)
        worst = max((n.sent_at - n.declared_at).total_seconds() for n in sent)
        assert row.slowest_minutes == round(worst / 60, 1)
    last_month = rows[1]
    assert (last_month.sent, last_month.on_time, last_month.percent) == (3, 2, 50.0)
    assert last_month.slowest_minutes == 75.0


def test_the_dashboard_shows_notice_attainment_per_month(
    client, lead, notices, django_assert_max_num_queries
):
    client.force_login(lead)
    with django_assert_max_num_queries(30):
        html = client.get("/admin/support/dashboard/").content.decode()
    assert "Proactive notices against the promise" in html
    for row in dashboard.notice_attainment_by_month(timezone.now()):
        cells = (
            f'<th scope="row">{row.month:%B %Y}</th><td>{row.sent}</td><td>{row.on_time}</td>'
            f"<td>{row.late + row.overdue}</td><td>{row.percent}%</td>"
            f"<td>{row.slowest_minutes} min</td>"
        )
        assert cells in html
