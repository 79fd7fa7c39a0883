"""The organisation's case report page and its CSV export. Thin: who may see it, which month,
then the figures from `tiers.reports.figures`."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from tiers import permissions
from tiers.plans.models import Organisation
from tiers.reports import charts
from tiers.reports.figures import case_report, months_offered, parse_month


def _organisation(request, slug) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    # Another organisation's report is "not found", exactly like one that does not exist.
    if not permissions.can_view_case_report(request.user, organisation):
        raise Http404
    return organisation


def _month(request, organisation):
    """The month asked for, or this month with the reason when the request names no valid
    month the organisation has (a month is "2026-11")."""
    offered = months_offered(organisation)
    value = request.GET.get("month", "").strip()
    if not value:
        return offered[0], offered, ""
    try:
        month = parse_month(value)
    except ValueError:
        return offered[0], offered, "Choose a month from the list (for example 2026-11)."
    if month not in offered:
        return offered[0], offered, "Reports cover the last twelve months; showing this month."
    return month, offered, ""


@login_required
def org_report(request, slug):
    organisation = _organisation(request, slug)
    month, offered, error = _month(request, organisation)
    report = case_report(organisation, month)
    context = {"organisation": organisation, "report": report, "months": offered, "error": error}
    if report.plan and report.plan.case_reports:
        context["charts"] = [
            (title, charts.bar_chart(title, bars), bars)
            for title, bars in (
                ("Tickets by severity", report.by_severity),
                ("Tickets by category", report.by_category),
                ("Tickets by state", report.by_state),
            )
        ]
    return render(request, "tiers/reports/case_report.html", context, status=400 if error else 200)


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with these as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def org_report_csv(request, slug):
    organisation = _organisation(request, slug)
    month, _, error = _month(request, organisation)
    report = case_report(organisation, month)
    if error or not (report.plan and report.plan.case_reports):
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="case-report-{organisation.slug}-{month:%Y-%m}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["Section", "Item", "Value"])
    for row in report.rows():
        writer.writerow([_cell(cell) for cell in row])
    return response
