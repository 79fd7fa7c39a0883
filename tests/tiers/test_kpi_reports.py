"""The monthly KPI e-mail: sent by the sweep to entitled organisations' admins, once per
organisation and month, with the same figures as the case report."""

from collections import Counter

import pytest

from tests.tiers.reports_data import backdate, last_month, make_month
from tiers.models import KpiReportDelivery, Plan, Ticket
from tiers.reports import kpi
from tiers.sweeps import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi_plan(infinity):
    Plan.objects.filter(pk=infinity.pk).update(kpi_reports=True)
    infinity.refresh_from_db()
    return infinity


def _kpi_mail(mailoutbox, organisation):
    return [m for m in mailoutbox if "KPI report" in m.subject and organisation.name in m.subject]


def test_entitled_organisations_get_last_months_figures_once(
    kpi_plan,
    org_a,
    org_a_admin,
    org_a_member,
    org_b,
    open_ticket,
    mailoutbox,
    community_org,
    django_capture_on_commit_callbacks,
):
    backdate(org_a)
    backdate(community_org)
    start, _ = last_month(org_a)
    tickets = make_month(open_ticket, org_a, org_a_admin, start, count=7, seed=5)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep()
    assert counts["KPI reports"] == 1  # org B is too new: it did not exist last month
    mails = _kpi_mail(mailoutbox, org_a)
    assert len(mails) == 1
    assert mails[0].to == [org_a_admin.email]  # admins only, not plain members
    body = mails[0].body
    assert f"Tickets opened: {len(tickets)}" in body
    for category, count in Counter(t.category for t in tickets).items():
        assert f"{dict(Ticket.CATEGORY_CHOICES)[category]}: {count}" in body
    within = sum(1 for t in tickets if t.first_response_at and not t.breached_at)
    assert f"within target: {within}" in body
    assert f"/support/organisations/{org_a.slug}/reports/?month={start:%Y-%m}" in body
    assert not _kpi_mail(mailoutbox, community_org)  # its plan has no KPI reports

    # Sweeping again (or a second worker) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep()["KPI reports"] == 0
        assert kpi.send_due_kpi_reports() == 0
    assert len(_kpi_mail(mailoutbox, org_a)) == 1
    assert KpiReportDelivery.objects.filter(organisation=org_a).count() == 1
    assert KpiReportDelivery.objects.get(organisation=org_a).month == start.date()


def test_a_claim_taken_by_another_sweep_sends_nothing(kpi_plan, org_a, mailoutbox):
    backdate(org_a)
    start, _ = last_month(org_a)
    KpiReportDelivery.objects.create(organisation=org_a, month=start.date())
    mailoutbox.clear()
    assert kpi.send_due_kpi_reports() == 0
    assert not _kpi_mail(mailoutbox, org_a)
    # Racing past the check: the unique claim refuses the second insert.
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        kpi.send_kpi_report(org_a, start.date())


def test_plans_without_kpi_reports_get_no_mail(infinity, org_a, mailoutbox):
    backdate(org_a)
    assert not infinity.kpi_reports
    mailoutbox.clear()
    assert kpi.send_due_kpi_reports() == 0
    assert not _kpi_mail(mailoutbox, org_a)
