"""Staff reports: what people search for, and what they search for without finding anything
(the content that is missing). Wagtail admin report views, exportable like Wagtail's own."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.utils import timezone

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from resourcecenter.roles import guardian_for
from search.models import SearchQueryLog

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def may_see_reports(user) -> bool:
    """Editors (the content people look for and miss) and support leads (reports are theirs
    in the role table); analysts work tickets, not reports."""
    guardian = guardian_for(user)
    return guardian.is_support_lead or guardian.is_editor


def query_summary(days: int, *, zero_only: bool):
    since = timezone.now() - datetime.timedelta(days=days)
    rows = SearchQueryLog.objects.filter(created_at__gte=since)
    rows = rows.values("query").annotate(
        searches=Count("id"),
        zero_results=Count("id", filter=Q(results=0)),
        last_searched=Max("created_at"),
        max_results=Max("results"),
    )
    if zero_only:
        rows = rows.filter(max_results=0)
    return rows.order_by("-searches", "query")


class SearchQueryReportView(ReportView):
    page_title = "Top searches"
    header_icon = "search"
    index_url_name = "search_top_queries"
    index_results_url_name = "search_top_queries_results"
    zero_only = False
    paginate_by = 50
    columns = [
        Column("query", label="Query"),
        Column("searches", label="Searches"),
        Column("zero_results", label="With no results"),
        Column("last_searched", label="Last searched"),
    ]
    list_export = ["query", "searches", "zero_results", "last_searched"]
    export_headings = {
        "query": "Query",
        "searches": "Searches",
        "zero_results": "With no results",
        "last_searched": "Last searched",
    }

    def dispatch(self, request, *args, **kwargs):
        if not may_see_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def user_has_permission(self, permission):  # pragma: no cover - replaced by dispatch
        return may_see_reports(self.request.user)

    @property
    def days(self) -> int:
        return PERIODS.get(self.request.GET.get("days", "30"), 30)

    def get_page_subtitle(self):
        return f"last {self.days} days"

    def get_filename(self):
        kind = "zero-result" if self.zero_only else "top"
        return f"{kind}-searches-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        return query_summary(self.days, zero_only=self.zero_only)


class ZeroResultQueryReportView(SearchQueryReportView):
    page_title = "Searches with no results"
    index_url_name = "search_zero_queries"
    index_results_url_name = "search_zero_queries_results"
    zero_only = True
