"""The monthly KPI e-mail: last month's case report, sent to the admins of every organisation
whose plan includes KPI reports, once per organisation and month.

Run by the sweep (`tiers_sweep`), so it goes out in the first sweep after a month ends in the
organisation's region, and a sweep that runs again (or beside another) sends nothing twice:
the `KpiReportDelivery` row inserted in the same transaction as the queued e-mail is the
claim, and its unique (organisation, month) constraint lets only one insert win.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from resourcecenter.emails import queue_templated_email
from tiers import sweeps
from tiers.mail import absolute
from tiers.models import KpiReportDelivery, Membership, Organisation, Subscription
from tiers.plans.selectors import default_plan
from tiers.reports.figures import case_report, current_month, previous_month

logger = logging.getLogger(__name__)


def kpi_organisations() -> list[Organisation]:
    """Organisations whose current plan includes KPI reports."""
    active = Subscription.objects.filter(status=Subscription.STATUS_ACTIVE)
    ids = set(active.filter(plan__kpi_reports=True).values_list("organisation_id", flat=True))
    fallback = default_plan()
    if fallback is not None and fallback.kpi_reports:
        ids |= set(
            Organisation.objects.exclude(pk__in=active.values("organisation_id")).values_list(
                "pk", flat=True
            )
        )
    return list(Organisation.objects.filter(pk__in=ids))


def recipients(organisation: Organisation) -> list[str]:
    """The organisation's admins (and its point of contact), with an address."""
    rows = Membership.objects.filter(organisation=organisation, user__is_active=True).filter(
        role=Membership.ROLE_ADMIN
    ) | Membership.objects.filter(organisation=organisation, is_point_of_contact=True)
    return sorted({email for email in rows.values_list("user__email", flat=True) if email})


@sweeps.job("KPI reports", order=70)
def send_due_kpi_reports(now=None) -> int:
    """Send last month's KPI report to each entitled organisation that has not had it."""
    now = now or timezone.now()
    sent = 0
    for organisation in kpi_organisations():
        month = previous_month(current_month(organisation, now))
        if organisation.created_at.date() >= current_month(organisation, now):
            continue  # it did not exist during that month
        if KpiReportDelivery.objects.filter(organisation=organisation, month=month).exists():
            continue
        try:
            sent += send_kpi_report(organisation, month, now)
        except IntegrityError:
            continue  # another sweep claimed it first
    return sent


def send_kpi_report(organisation: Organisation, month, now=None) -> int:
    to = recipients(organisation)
    with transaction.atomic():
        KpiReportDelivery.objects.create(
            organisation=organisation, month=month, recipients="\n".join(to)
        )
        if not to:
            logger.warning("KPI report for %s %s: no admin to send it to", organisation, month)
            return 0
        report = case_report(organisation, month, now)
        url = absolute(reverse("tiers:org_report", args=[organisation.slug]))
        queue_templated_email(
            to,
            f"{organisation.name}: support KPI report for {month:%B %Y}",
            "tiers/emails/kpi_report",
            {"report": report, "organisation": organisation, "url": f"{url}?month={month:%Y-%m}"},
        )
    return 1
