"""The editors' "least helpful articles" report (Wagtail admin report view)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permissions import policy_registry

from kb.models import ArticleFeedback

LATEST_COMMENTS = 3
# Who sees the report and its menu item: anyone who may edit (or publish) some page.
EDIT_PERMISSIONS = ["change", "publish"]


def _vote_count(helpful: bool):
    return Coalesce(
        Subquery(
            ArticleFeedback.objects.filter(page=OuterRef("pk"), helpful=helpful)
            .order_by()
            .values("page")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def feedback_summary(pages):
    """Annotate a Page queryset with yes/no counts and the helpful ratio, least helpful first.

    Only pages with at least one vote remain. Ties on the ratio are broken by the number of
    "no" votes (more first), so a page with 0/10 is above one with 0/1.
    """
    return (
        pages.filter(pk__in=ArticleFeedback.objects.values("page_id"))
        .annotate(yes_count=_vote_count(True), no_count=_vote_count(False))
        .annotate(
            helpful_ratio=ExpressionWrapper(
                F("yes_count") * 1.0 / (F("yes_count") + F("no_count")),
                output_field=FloatField(),
            )
        )
        .order_by("helpful_ratio", "-no_count", "title", "pk")
    )


def latest_comments(page_ids, per_page: int = LATEST_COMMENTS) -> dict[int, list]:
    """The newest non-empty comments for each page, in one query."""
    comments: dict[int, list] = defaultdict(list)
    rows = (
        ArticleFeedback.objects.filter(page_id__in=page_ids)
        .exclude(comment="")
        .order_by("page_id", "-updated_at", "-pk")
        .values_list("page_id", "helpful", "comment")
    )
    for page_id, helpful, comment in rows:
        if len(comments[page_id]) < per_page:
            comments[page_id].append(f"{'Yes' if helpful else 'No'}: {comment}")
    return comments


class RatioColumn(Column):
    def get_value(self, instance):
        ratio = getattr(instance, "helpful_ratio", None)
        return "" if ratio is None else f"{round(ratio * 100)}%"


class CommentsColumn(Column):
    cell_template_name = "kb/admin/comments_cell.html"


class FeedbackReportView(ReportView):
    """Articles ordered least helpful first, with counts and the latest comments.

    Only pages the editor may edit are listed; the view is only for users with page-edit
    permission. Exportable as CSV/XLSX like Wagtail's own reports.
    """

    page_title = "Article feedback"
    header_icon = "comment"
    index_url_name = "kb_feedback_report"
    index_results_url_name = "kb_feedback_report_results"
    any_permission_required = EDIT_PERMISSIONS
    paginate_by = 50
    columns = [
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit"),
        Column("yes_count", label="Yes"),
        Column("no_count", label="No"),
        RatioColumn("helpful_ratio", label="Helpful"),
        CommentsColumn("comments", label="Latest comments"),
    ]
    list_export = ["title", "full_url", "yes_count", "no_count", "helpful_percent", "comments"]
    export_headings = {
        "title": "Page",
        "full_url": "URL",
        "yes_count": "Yes",
        "no_count": "No",
        "helpful_percent": "Helpful (%)",
        "comments": "Latest comments",
    }

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Page)

    def get_filename(self):
        return f"article-feedback-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, EDIT_PERMISSIONS
        )
        return feedback_summary(Page.objects.filter(Q(pk__in=editable.values("pk"))))

    def decorate_paginated_queryset(self, object_list):
        object_list = list(object_list)
        comments = latest_comments([p.pk for p in object_list])
        for item in object_list:
            item.comments = comments.get(item.pk, [])
            item.helpful_percent = round((item.helpful_ratio or 0) * 100)
        return object_list

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["comments"] = " | ".join(item.comments)
        return row
