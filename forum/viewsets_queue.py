"""The Community moderation queue in the Wagtail admin: held, flagged and hidden posts, one
post's review page with approve / reject / hide / restore (reason recorded), and the same actions
in bulk (Wagtail bulk actions, registered in forum.wagtail_hooks). Every change goes through
forum.moderation, which checks permission and writes the log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator

from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

import django_filters

from forum import moderation
from forum import permissions as perms
from forum.models import Flag, ModerationLogEntry, Post, PostState, TrustLevel
from forum.services import ForumPermissionDenied

QUEUE_STATES = [
    ("held", "Held for approval"),
    ("flagged", "Flagged (open flags)"),
    ("hidden", "Hidden"),
    ("rejected", "Rejected"),
]


def open_flags_q():
    return Exists(Flag.objects.filter(post=OuterRef("pk"), resolved_at__isnull=True))


class QueueFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="Show",
        choices=QUEUE_STATES,
        method="filter_state",
        empty_label="Everything to review",
    )
    reason = django_filters.ChoiceFilter(
        label="Flag reason",
        choices=Flag._meta.get_field("reason").choices,
        method="filter_reason",
    )

    class Meta:
        model = Post
        fields = []

    def filter_state(self, queryset, name, value):
        if value == "flagged":
            return queryset.filter(has_open_flags=True)
        return queryset.filter(moderation_state=value)

    def filter_reason(self, queryset, name, value):
        return queryset.filter(flags__reason=value, flags__resolved_at__isnull=True).distinct()


class ExcerptColumn(TitleColumn):
    def get_value(self, instance):
        return Truncator(instance.body_markdown).chars(90)


class QueueIndexView(IndexView):
    template_name = "forum/moderation/admin/queue_index.html"
    results_template_name = "wagtailadmin/generic/index_results.html"
    filterset_class = QueueFilterSet
    default_ordering = "created_at"
    page_title = "Moderation queue"

    def get_base_queryset(self):
        return (
            Post.objects.select_related("thread__category", "author__forum_member")
            .annotate(
                has_open_flags=open_flags_q(),
                open_flag_count=Count("flags", filter=Q(flags__resolved_at__isnull=True)),
            )
            .filter(
                Q(moderation_state__in=[PostState.HELD, PostState.HIDDEN]) | Q(has_open_flags=True)
            )
        )

    @property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="forumpost"),
            ExcerptColumn(
                "excerpt",
                label="Post",
                get_url=lambda p: reverse("forum_queue:review", args=[p.pk]),
                get_title_id=lambda p: f"forumpost_{p.pk}_title",
            ),
            Column("thread", label="Thread", accessor=lambda p: p.thread.title),
            Column(
                "author",
                label="Author",
                accessor=lambda p: (
                    f"{p.author.public_name} ({_trust(p.author)})" if p.author else "—"
                ),
            ),
            Column("state", label="State", accessor="get_moderation_state_display"),
            Column("open_flag_count", label="Open flags", sort_key="open_flag_count"),
            DateColumn("created_at", label="Written", sort_key="created_at"),
        ]

    def get_list_buttons(self, instance):
        return [
            ListingButton(
                "Review", url=reverse("forum_queue:review", args=[instance.pk]), icon_name="view"
            ),
            ListingButton("View on site", url=instance.get_absolute_url(), icon_name="link"),
        ]


def _trust(user) -> str:
    member = getattr(user, "forum_member", None) if user else None
    return member.get_trust_level_display() if member else TrustLevel.NEW.label


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approve", "Approve (publish, or dismiss the flags)"),
            ("reject", "Reject (held posts)"),
            ("hide", "Hide (published posts)"),
            ("restore", "Restore (hidden, rejected or deleted posts)"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=moderation.REASON_MAX,
        help_text="Required for reject, hide and restore; recorded in the moderation log.",
    )


SERVICES = {
    "approve": moderation.approve_posts,
    "reject": moderation.reject_posts,
    "hide": moderation.hide_posts,
    "restore": moderation.restore_posts,
}


def review_view(request, pk: int):
    """One post in context: its text, thread, author standing, flags and an action form."""
    if not perms.can_moderate(request.user):
        raise PermissionDenied
    post = get_object_or_404(
        Post.objects.select_related("thread__category", "author__forum_member"), pk=pk
    )
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        try:
            changed = SERVICES[action]([post], by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        except ForumPermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, f"Post #{post.number}: {action} done.")
            else:
                messages.warning(
                    request, f"Nothing to {action}: the post is {post.moderation_state}."
                )
            return redirect("forum_queue:index")
    return TemplateResponse(
        request,
        "forum/moderation/admin/review.html",
        {
            "post": post,
            "thread": post.thread,
            "flags": post.flags.select_related("reporter", "resolved_by").order_by("-created_at"),
            "form": form,
            "log": ModerationLogEntry.objects.filter(post=post).select_related("actor")[:20],
            "page_title": f"Review post #{post.number}",
            "header_icon": "warning",
        },
    )


class QueueViewSet(ModelViewSet):
    model = Post
    name = "forum_queue"
    url_prefix = "forum/queue"
    icon = "warning"
    menu_label = "Moderation queue"
    menu_order = 100
    add_to_admin_menu = False
    index_view_class = QueueIndexView
    form_fields = ["body_markdown"]
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/review/", review_view, name="review"),
        ]


# --- bulk actions on the queue -----------------------------------------------------------------


class BulkReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=moderation.REASON_MAX,
        help_text="Recorded in the moderation log.",
    )


class RequiredReasonForm(BulkReasonForm):
    reason = forms.CharField(
        min_length=3,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=moderation.REASON_MAX,
        help_text="Required; recorded in the moderation log and told to the author.",
    )


class PostBulkAction(BulkAction):
    models = [Post]
    template_name = "forum/moderation/admin/bulk_confirm.html"
    form_class = BulkReasonForm
    service = None

    def check_perm(self, obj):
        return bool(perms.can_moderate(self.request.user))

    def get_execution_context(self):
        return {
            "by": self.request.user,
            "reason": self.cleaned_form.cleaned_data["reason"],
            "service": type(self).service,
        }

    @classmethod
    def execute_action(cls, objects, by=None, reason="", service=None, **kwargs):
        changed = service(list(objects), by=by, reason=reason)
        return len(changed), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{self.display_name}: {num_parent_objects} post(s) changed."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        return context


class ApproveBulkAction(PostBulkAction):
    display_name = "Approve"
    action_type = "forum_approve"
    aria_label = "Approve the selected posts"
    action_priority = 10
    service = staticmethod(moderation.approve_posts)


class RejectBulkAction(PostBulkAction):
    display_name = "Reject"
    action_type = "forum_reject"
    aria_label = "Reject the selected posts"
    action_priority = 20
    form_class = RequiredReasonForm
    classes = {"serious"}
    service = staticmethod(moderation.reject_posts)


class HideBulkAction(PostBulkAction):
    display_name = "Hide"
    action_type = "forum_hide"
    aria_label = "Hide the selected posts"
    action_priority = 30
    form_class = RequiredReasonForm
    service = staticmethod(moderation.hide_posts)


class RestoreBulkAction(PostBulkAction):
    display_name = "Restore"
    action_type = "forum_restore"
    aria_label = "Restore the selected posts"
    action_priority = 40
    form_class = RequiredReasonForm
    service = staticmethod(moderation.restore_posts)
