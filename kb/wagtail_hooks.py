"""Admin registration of the Resource Center: product areas and the feedback report."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from kb import page_context, richtext, views
from kb.models import ProductArea
from kb.reports import EDIT_PERMISSIONS, FeedbackReportView, ReviewReportView
from resourcecenter.models import HOME_PAGE_CONTEXT_HOOK


class ProductAreaViewSet(SnippetViewSet):
    """Editors manage the product areas that listings and search filter by."""

    model = ProductArea
    icon = "tag"
    menu_label = "Product areas"
    menu_order = 300
    add_to_admin_menu = False
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    ordering = ["name"]


register_snippet(ProductAreaViewSet)


class FeedbackReportMenuItem(MenuItem):
    def is_shown(self, request):
        return policy_registry.get_by_type(Page).user_has_any_permission(
            request.user, EDIT_PERMISSIONS
        )


@hooks.register("register_admin_urls")
def register_feedback_report_urls():
    return [
        path(
            "reports/article-feedback/",
            FeedbackReportView.as_view(),
            name="kb_feedback_report",
        ),
        path(
            "reports/article-feedback/results/",
            FeedbackReportView.as_view(results_only=True),
            name="kb_feedback_report_results",
        ),
        path("reports/review-due/", ReviewReportView.as_view(), name="kb_review_report"),
        path(
            "kb/mark-reviewed/<int:page_id>/",
            views.mark_reviewed_view,
            name="kb_mark_reviewed",
        ),
        path(
            "reports/review-due/results/",
            ReviewReportView.as_view(results_only=True),
            name="kb_review_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return FeedbackReportMenuItem(
        "Pages due for review",
        reverse("kb_review_report"),
        name="pages-due-for-review",
        icon_name="time",
        order=660,
    )


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item():
    return FeedbackReportMenuItem(
        "Article feedback",
        reverse("kb_feedback_report"),
        name="article-feedback",
        icon_name="comment",
        order=650,
    )


@hooks.register("register_rich_text_features", order=100)
def register_anchored_page_links(features):
    """Page links may point at a heading (after Wagtail's own link feature, which it replaces)."""
    richtext.register(features)


@hooks.register(HOME_PAGE_CONTEXT_HOOK)
def home_page_listings(page, request):
    """The home page's sections and what is new (the core's HomePage lists nothing itself)."""
    return page_context.home_page_context(page, request)
