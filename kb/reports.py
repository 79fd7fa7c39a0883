"""Editors' reports in the Wagtail admin: the least helpful articles, and pages due for review."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets import AdminDateInput
from wagtail.models import Page
from wagtail.permissions import policy_registry

import django_filters

from kb.models import (
    LISTING_KIND_LABELS,
    REVIEW_INTERVAL,
    ArticleFeedback,
    ArticlePage,
    CodeSamplePage,
    ResourceIndexPage,
    VideoPage,
)

LATEST_COMMENTS = 3
# Who sees the report and its menu item: anyone who may edit (or publish) some page.
EDIT_PERMISSIONS = ["change", "publish"]


def _votes(since: datetime.date | None = None):
    votes = ArticleFeedback.objects.all()
    if since is not None:
        votes = votes.filter(updated_at__date__gte=since)
    return votes


def _vote_count(helpful: bool, since: datetime.date | None = None):
    return Coalesce(
        Subquery(
            _votes(since)
            .filter(page=OuterRef("pk"), helpful=helpful)
            .order_by()
            .values("page")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def feedback_summary(pages, since: datetime.date | None = None):
    """Annotate a Page queryset with yes/no counts and the helpful ratio, least helpful first.

    Only pages with at least one vote remain (since `since`, when given: votes cast or changed
    on or after that day). Ties on the ratio are broken by the number of "no" votes (more
    first), so a page with 0/10 is above one with 0/1.
    """
    return (
        pages.filter(pk__in=_votes(since).values("page_id"))
        .annotate(yes_count=_vote_count(True, since), no_count=_vote_count(False, since))
        .annotate(
            helpful_ratio=ExpressionWrapper(
                F("yes_count") * 1.0 / (F("yes_count") + F("no_count")),
                output_field=FloatField(),
            )
        )
        .order_by("helpful_ratio", "-no_count", "title", "pk")
    )


def latest_comments(
    page_ids, per_page: int = LATEST_COMMENTS, since: datetime.date | None = None
) -> dict[int, list]:
    """The newest non-empty comments for each page, in one query."""
    comments: dict[int, list] = defaultdict(list)
    rows = (
        _votes(since)
        .filter(page_id__in=page_ids)
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


class FeedbackReportFilterSet(WagtailFilterSet):
    """Narrow the feedback report to recent votes (e.g. since a page was fixed) or a section."""

    since = django_filters.DateFilter(
        label="Votes since",
        method="filter_since",
        widget=AdminDateInput,
        help_text="Only count votes cast or changed on or after this day.",
    )
    section = django_filters.ModelChoiceFilter(
        label="Section",
        queryset=ResourceIndexPage.objects.order_by("path"),
        method="filter_section",
        empty_label="All sections",
    )

    class Meta:
        model = Page
        fields: list[str] = []

    def filter_since(self, queryset, name, value):
        return queryset  # applied to the vote counts in FeedbackReportView.get_queryset

    def filter_section(self, queryset, name, value):
        return queryset.descendant_of(value) if value else queryset


class FeedbackReportView(ReportView):
    """Articles ordered least helpful first, with counts and the latest comments.

    Only pages the editor may edit are listed; the view is only for users with page-edit
    permission. Exportable as CSV/XLSX like Wagtail's own reports.
    """

    page_title = "Article feedback"
    header_icon = "comment"
    filterset_class = FeedbackReportFilterSet
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
        pages = Page.objects.filter(Q(pk__in=editable.values("pk")))
        return feedback_summary(pages, since=self.since)

    @cached_property
    def since(self) -> datetime.date | None:
        filters = self.filters
        if filters is not None and filters.is_valid():
            return filters.form.cleaned_data.get("since")
        return None

    def decorate_paginated_queryset(self, object_list):
        object_list = list(object_list)
        comments = latest_comments([p.pk for p in object_list], since=self.since)
        for item in object_list:
            item.comments = comments.get(item.pk, [])
            item.helpful_percent = round((item.helpful_ratio or 0) * 100)
        return object_list

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["comments"] = " | ".join(item.comments)
        return row


# --- Pages due for review ----------------------------------------------------------------------

REVIEW_SOON = datetime.timedelta(days=30)  # "due soon": reviewed 11 to 12 months ago


def review_queue(pages, today: datetime.date | None = None):
    """Content pages whose "last reviewed" date is missing, overdue or due within a month.

    Annotates `reviewed_on` (the date, or None) and `review_due` (the date the next review is
    due, None when never reviewed); never-reviewed pages first, then the longest overdue.
    One query whatever the number of pages.
    """
    today = today or timezone.localdate()
    due_soon_cutoff = today - REVIEW_INTERVAL + REVIEW_SOON
    return (
        pages.type(ArticlePage, CodeSamplePage, VideoPage)
        .annotate(
            reviewed_on=Coalesce(
                "articlepage__last_reviewed",
                "codesamplepage__last_reviewed",
                "videopage__last_reviewed",
            ),
            kind_code=Coalesce("articlepage__kind", Value("")),
        )
        .filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lte=due_soon_cutoff))
        .order_by(F("reviewed_on").asc(nulls_first=True), "title", "pk")
    )


class ReviewDateColumn(Column):
    def get_value(self, instance):
        return instance.reviewed_on.isoformat() if instance.reviewed_on else "Never"


class ReviewStatusColumn(Column):
    def get_value(self, instance):
        return instance.review_status


class ReviewActionColumn(Column):
    """A "Mark reviewed today" button (POST, with the CSRF token) for each page."""

    cell_template_name = "kb/admin/review_action_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        from django.middleware.csrf import get_token

        context = super().get_cell_context_data(instance, parent_context)
        request = context.get("request")
        context["csrf_token"] = get_token(request) if request is not None else ""
        context["next"] = request.get_full_path() if request is not None else ""
        return context


class ReviewReportView(ReportView):
    """Pages to review: never reviewed, over a year since the last review, or due within a
    month. Editors open the page from here and set "Last reviewed" when they have checked it.

    Only pages the editor may edit are listed; exportable as CSV/XLSX.
    """

    page_title = "Pages due for review"
    header_icon = "time"
    index_url_name = "kb_review_report"
    index_results_url_name = "kb_review_report_results"
    any_permission_required = EDIT_PERMISSIONS
    paginate_by = 50
    columns = [
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit"),
        Column("kind_label", label="Kind"),
        ReviewDateColumn("reviewed_on", label="Last reviewed"),
        ReviewStatusColumn("review_status", label="Status"),
        ReviewActionColumn("review_action", label="Reviewed?"),
    ]
    list_export = ["title", "full_url", "kind_label", "reviewed_on", "review_status"]
    export_headings = {
        "title": "Page",
        "full_url": "URL",
        "kind_label": "Kind",
        "reviewed_on": "Last reviewed",
        "review_status": "Status",
    }

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Page)

    def get_filename(self):
        return f"pages-due-for-review-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, EDIT_PERMISSIONS
        )
        return review_queue(Page.objects.filter(pk__in=editable.values("pk")))

    def decorate_paginated_queryset(self, object_list):
        object_list = list(object_list)
        today = timezone.localdate()
        kinds_by_model = {CodeSamplePage: "code_sample", VideoPage: "video"}
        for item in object_list:
            model = ContentType.objects.get_for_id(item.content_type_id).model_class()
            code = item.kind_code or kinds_by_model.get(model, "guide")
            item.kind_label = LISTING_KIND_LABELS.get(code, "Article")
            if item.reviewed_on is None:
                item.review_status = "Never reviewed"
            else:
                due = item.reviewed_on + REVIEW_INTERVAL
                days = (due - today).days
                item.review_status = (
                    f"Overdue by {-days} day{'s' if days != -1 else ''}"
                    if days < 0
                    else f"Due in {days} day{'s' if days != 1 else ''}"
                )
        return object_list
