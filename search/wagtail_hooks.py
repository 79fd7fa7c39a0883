"""Admin: editable synonyms (a snippet) and the staff reports on searches."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search.models import Synonym
from search.reports import SearchQueryReportView, ZeroResultQueryReportView, may_see_reports


class SynonymViewSet(SnippetViewSet):
    """The domain synonyms (APN / access point name ...) queries are expanded with."""

    model = Synonym
    icon = "search"
    menu_label = "Search synonyms"
    menu_order = 310
    add_to_admin_menu = False
    list_display = ["terms", "notes", "updated_at"]
    search_fields = ["terms"]
    ordering = ["terms"]


register_snippet(SynonymViewSet)


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_reports(request.user)


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path("reports/searches/", SearchQueryReportView.as_view(), name="search_top_queries"),
        path(
            "reports/searches/results/",
            SearchQueryReportView.as_view(results_only=True),
            name="search_top_queries_results",
        ),
        path(
            "reports/searches/no-results/",
            ZeroResultQueryReportView.as_view(),
            name="search_zero_queries",
        ),
        path(
            "reports/searches/no-results/results/",
            ZeroResultQueryReportView.as_view(results_only=True),
            name="search_zero_queries_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_top_searches_menu_item():
    return ReportMenuItem(
        "Top searches", reverse("search_top_queries"), name="top-searches", icon_name="search"
    )


@hooks.register("register_reports_menu_item")
def register_zero_searches_menu_item():
    return ReportMenuItem(
        "Searches with no results",
        reverse("search_zero_queries"),
        name="zero-result-searches",
        icon_name="search",
    )
