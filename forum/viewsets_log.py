"""The Community moderation log in the Wagtail admin: the append-only ModerationLogEntry,
read-only, filterable by action and date."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from forum.models import ModerationLogEntry


class LogFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(label="Action", lookup_expr="iexact")
    created_at = django_filters.DateFromToRangeFilter(label="When")

    class Meta:
        model = ModerationLogEntry
        fields = ["action", "created_at"]


class LogIndexView(IndexView):
    filterset_class = LogFilterSet
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return ModerationLogEntry.objects.select_related("actor", "subject_user")

    @property
    def columns(self):
        return [
            TitleColumn(
                "created_at",
                label="When",
                accessor=lambda e: e.created_at.strftime("%Y-%m-%d %H:%M"),
                get_url=lambda e: reverse("forum_log:inspect", args=[e.pk]),
                sort_key="created_at",
            ),
            Column(
                "actor",
                label="Who",
                accessor=lambda e: e.actor.public_name if e.actor else "System (automatic)",
            ),
            Column("action", label="Action", sort_key="action"),
            Column("target_repr", label="On"),
            Column("reason", label="Why", accessor=lambda e: Truncator(e.reason).chars(80)),
        ]

    def get_list_buttons(self, instance):
        return []


class LogViewSet(ModelViewSet):
    model = ModerationLogEntry
    name = "forum_log"
    url_prefix = "forum/log"
    icon = "history"
    menu_label = "Moderation log"
    index_view_class = LogIndexView
    form_fields = ["reason"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "created_at",
        "actor",
        "action",
        "target_repr",
        "thread",
        "post",
        "subject_user",
        "reason",
        "before",
        "after",
    ]
    list_per_page = 50
