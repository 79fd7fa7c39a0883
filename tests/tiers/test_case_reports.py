"""Case reports: the figures equal counts made directly from the tickets; who may see them;
the month picker; the CSV export; the charts' accessible text."""

import csv
import io
import statistics
from collections import Counter

from django.contrib.auth.models import Group

import pytest

from resourcecenter.roles import LEADS_GROUP
from tests.tiers.reports_data import backdate, last_month, make_month
from tiers.models import Plan, Ticket
from tiers.reports import charts
from tiers.reports.figures import case_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_tickets(org_a, org_a_admin, org_b, org_b_admin, open_ticket):
    backdate(org_a)
    backdate(org_b)
    start, end = last_month(org_a)
    mine = make_month(open_ticket, org_a, org_a_admin, start, count=9, seed=1)
    # Noise the report must leave out: another organisation's month, and A's other months.
    b_start, _ = last_month(org_b)
    make_month(open_ticket, org_b, org_b_admin, b_start, count=5, seed=2)
    make_month(open_ticket, org_a, org_a_admin, end, count=2, seed=3)
    return start, mine


def expected(tickets):
    return {
        "total": len(tickets),
        "severity": Counter(t.severity for t in tickets),
        "category": Counter(t.category for t in tickets),
        "state": Counter(t.status for t in tickets),
        "within": sum(1 for t in tickets if t.first_response_at and not t.breached_at),
        "missed": sum(1 for t in tickets if t.breached_at),
        "pending": sum(1 for t in tickets if not t.first_response_at and not t.breached_at),
        "median": int(
            statistics.median(
                (t.first_response_at - t.created_at).total_seconds() // 60
                for t in tickets
                if t.first_response_at
            )
        ),
        "resolved": sum(1 for t in tickets if t.resolved_at),
        "cases": sum(1 for t in tickets if t.category == "troubleshooting"),
        "minutes": sum(
            e.minutes
            for t in tickets
            for e in t.time_entries.all()
            if e.category == "troubleshooting"
        ),
    }


def test_the_figures_equal_the_tickets_of_the_month(org_a, month_of_tickets):
    start, tickets = month_of_tickets
    want = expected(tickets)
    report = case_report(org_a, start.date())
    assert report.total == want["total"] == 9
    assert {int(b.key): b.value for b in report.by_severity if b.value} == want["severity"]
    assert {b.key: b.value for b in report.by_category if b.value} == want["category"]
    assert {b.key: b.value for b in report.by_state if b.value} == want["state"]
    # Every level of the plan's scheme is listed, even with no tickets.
    assert [b.key for b in report.by_severity] == ["1", "2", "3", "4"]
    fr = report.first_response
    assert (fr.within, fr.missed, fr.pending) == (want["within"], want["missed"], want["pending"])
    assert fr.median_minutes == want["median"]
    assert fr.percent == round(100 * want["within"] / (want["within"] + want["missed"]))
    assert report.resolution.reached == want["resolved"]
    assert report.resolution.pending == want["total"] - want["resolved"]
    assert report.allowance.troubleshooting_cases.used == want["cases"]
    assert report.allowance.troubleshooting_hours.minutes == want["minutes"]
    assert report.acknowledgement.total == want["total"]


def test_the_admin_sees_the_report_with_charts_and_bounded_queries(
    client, org_a, org_a_admin, month_of_tickets, django_assert_max_num_queries
):
    start, tickets = month_of_tickets
    want = expected(tickets)
    client.force_login(org_a_admin)
    with django_assert_max_num_queries(20):
        response = client.get(f"/support/organisations/{org_a.slug}/reports/?month={start:%Y-%m}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{want['total']} tickets opened" in html
    assert html.count('role="img"') == 3
    for category, count in want["category"].items():
        label = dict(Ticket.CATEGORY_CHOICES)[category]
        assert f"{label}: {count}" in html  # the chart's accessible text
    # The organisation page links to it.
    assert (
        f"/support/organisations/{org_a.slug}/reports/"
        in client.get(f"/support/organisations/{org_a.slug}/").content.decode()
    )


def test_the_csv_export_carries_the_same_figures(client, org_a, org_a_admin, month_of_tickets):
    start, tickets = month_of_tickets
    want = expected(tickets)
    client.force_login(org_a_admin)
    response = client.get(
        f"/support/organisations/{org_a.slug}/reports/export.csv?month={start:%Y-%m}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Section", "Item", "Value"]
    table = {(section, item): value for section, item, value in rows[1:]}
    assert table[("Tickets", "Opened")] == str(want["total"])
    assert table[("First response", "Within target")] == str(want["within"])
    assert table[("First response", "Missed")] == str(want["missed"])
    for category, count in want["category"].items():
        assert table[("By category", dict(Ticket.CATEGORY_CHOICES)[category])] == str(count)
    assert sum(int(v) for (s, _), v in table.items() if s == "By state") == want["total"]


def test_members_see_it_only_when_they_see_all_tickets_and_never_another_org(
    client, org_a, org_a_member, org_b_admin, month_of_tickets, user_factory
):
    url = f"/support/organisations/{org_a.slug}/reports/"
    client.force_login(org_a_member)
    assert client.get(url).status_code == 200
    org_a.members_see_all_tickets = False
    org_a.save()
    assert client.get(url).status_code == 404
    assert client.get(url + "export.csv").status_code == 404
    client.force_login(org_b_admin)
    assert client.get(url).status_code == 404
    assert client.get(url + "export.csv").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    lead = user_factory(email="lead@example.com")
    lead.groups.add(Group.objects.get_or_create(name=LEADS_GROUP)[0])
    client.force_login(lead)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("month", ["abc", "2026-13", "1999-01", "9999-12", "2026-1", "x" * 500])
def test_a_bad_month_is_a_clear_error_not_a_500(client, org_a, org_a_admin, month):
    client.force_login(org_a_admin)
    response = client.get(f"/support/organisations/{org_a.slug}/reports/", {"month": month})
    assert response.status_code == 400
    assert "month" in response.content.decode().lower()
    assert (
        client.get(
            f"/support/organisations/{org_a.slug}/reports/export.csv", {"month": month}
        ).status_code
        == 404
    )


def test_plans_without_case_reports_show_no_figures(client, community_org):
    admin = community_org.memberships.get().user
    client.force_login(admin)
    html = client.get(f"/support/organisations/{community_org.slug}/reports/").content.decode()
    assert "Case reports come with plans that include them" in html
    assert 'role="img"' not in html
    assert (
        client.get(f"/support/organisations/{community_org.slug}/reports/export.csv").status_code
        == 404
    )
    assert (
        "reports-heading"
        not in client.get(f"/support/organisations/{community_org.slug}/").content.decode()
    )


def test_the_entitlement_is_plan_data(infinity, community):
    assert infinity.case_reports and not community.case_reports
    Plan.objects.filter(pk=infinity.pk).update(case_reports=False)
    infinity.refresh_from_db()
    assert not infinity.case_reports


def test_the_chart_escapes_labels_and_reads_out_every_figure():
    from tiers.reports.figures import Bar

    svg = charts.bar_chart("Tickets", [Bar("a", "<b>x</b>", 3), Bar("b", "Other", 0)])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'aria-label="Tickets. &lt;b&gt;x&lt;/b&gt;: 3; Other: 0."' in svg


def test_resolution_and_satisfaction_equal_what_was_recorded(org_a, month_of_tickets):
    from tiers.tickets.work_models import SatisfactionRating

    start, tickets = month_of_tickets
    resolved = [t for t in tickets if t.resolved_at]
    assert len(resolved) >= 2  # the month's tickets include resolved ones to measure
    met = resolved[::2]
    Ticket.objects.filter(pk__in=[t.pk for t in met]).update(resolution_met=True)
    Ticket.objects.filter(pk__in=[t.pk for t in resolved[1::2]]).update(resolution_met=False)
    ratings = {resolved[0].pk: 5, resolved[1].pk: 2}
    for ticket in resolved:
        SatisfactionRating.objects.create(ticket=ticket, rating=ratings.get(ticket.pk))

    report = case_report(org_a, start.date())
    assert (report.resolution.within, report.resolution.missed) == (
        len(met),
        len(resolved) - len(met),
    )
    assert report.resolution.target_label == "per severity"  # Infinity carries targets
    assert report.satisfaction == {
        "Surveys sent": len(resolved),
        "Rated": 2,
        "Average rating (1-5)": f"{(5 + 2) / 2:.1f}",
    }
    assert ("Satisfaction", "Rated", "2") in report.rows()
