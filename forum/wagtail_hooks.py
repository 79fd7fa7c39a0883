"""The Community's staff screens in the Wagtail admin (viewsets, not a second admin).

- Moderation queue: held posts, flagged posts and hidden posts, with approve / reject / hide /
  restore (reason recorded) per post and in bulk (Wagtail bulk actions).
- Moderation log: the append-only ModerationLogEntry, read-only.
- Members: trust level by hand, suspend / silence for a period.

Who may use them is forum.permissions.can_moderate, wrapped in a Wagtail permission policy;
every change goes through forum.moderation (which writes the log).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

import django_filters

from forum import moderation, moderation_members
from forum import permissions as perms
from forum.models import Flag, Member, ModerationLogEntry, Post, PostState, TrustLevel
from forum.moderation_forms import SanctionForm, TrustLevelForm
from forum.services import ForumPermissionDenied
from resourcecenter import roles


class ModeratorPolicy(BasePermissionPolicy):
    """Moderators (forum.permissions.can_moderate) may do `actions`; nobody else anything."""

    def __init__(self, model, actions=("view",)):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and bool(perms.can_moderate(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return roles.users_with_power(roles.Power.MODERATE_FORUM).none()
        return roles.users_with_power(roles.Power.MODERATE_FORUM)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


# The queue, the log and the member list are read-and-act screens for moderators only; the
# actions themselves go through forum.moderation (which checks permission and writes the log).
for _model in (Post, ModerationLogEntry, Member):
    register_permission_policy(_model, ModeratorPolicy(_model, actions=("view",)))


# --- the moderation queue ----------------------------------------------------------------------

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


for _action in (ApproveBulkAction, RejectBulkAction, HideBulkAction, RestoreBulkAction):
    hooks.register("register_bulk_action", _action)


# --- the moderation log (read-only) ------------------------------------------------------------


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


# --- members -----------------------------------------------------------------------------------


class MemberFilterSet(django_filters.FilterSet):
    trust_level = django_filters.ChoiceFilter(choices=TrustLevel.choices, label="Trust level")
    sanctioned = django_filters.BooleanFilter(label="Suspended or silenced", method="filter_s")

    class Meta:
        model = Member
        fields = ["trust_level"]

    def filter_s(self, queryset, name, value):
        from django.utils import timezone

        now = timezone.now()
        q = Q(suspended_until__gt=now) | Q(silenced_until__gt=now)
        return queryset.filter(q) if value else queryset.exclude(q)


class MemberIndexView(IndexView):
    filterset_class = MemberFilterSet
    search_fields = ["handle", "user__email", "user__display_name"]
    search_backend_name = None
    is_searchable = True
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return Member.objects.select_related("user")

    @property
    def columns(self):
        return [
            TitleColumn(
                "user",
                label="Member",
                accessor=lambda m: f"{m.user.public_name} <{m.user.email}>",
                get_url=lambda m: reverse("forum_members:manage", args=[m.pk]),
            ),
            Column("handle", label="Handle", sort_key="handle"),
            Column("trust_level", label="Trust level", accessor="get_trust_level_display"),
            Column("approved_post_count", label="Approved posts", sort_key="approved_post_count"),
            Column("standing", label="Sanctions", accessor=_standing),
            DateColumn("created_at", label="Member since", sort_key="created_at"),
        ]

    def get_list_buttons(self, instance):
        return [
            ListingButton(
                "Manage", url=reverse("forum_members:manage", args=[instance.pk]), icon_name="edit"
            )
        ]


def _standing(member: Member) -> str:
    parts = []
    if member.is_suspended():
        parts.append(f"suspended until {member.suspended_until:%Y-%m-%d %H:%M}")
    if member.is_silenced():
        parts.append(f"silenced until {member.silenced_until:%Y-%m-%d %H:%M}")
    return ", ".join(parts) or "—"


def _apply_member_form(by, user, form, *, trust: bool) -> str:
    """Apply a valid trust-level or sanction form; returns what was done, for the message."""
    data = form.cleaned_data
    if trust:
        moderation_members.set_trust_level(
            user, level=data["level"], by=by, reason=data["reason"], lock=data["lock"]
        )
        return f"Trust level set to {TrustLevel(data['level']).label}."
    service = (
        moderation_members.suspend_member
        if data["action"] == "suspend"
        else moderation_members.silence_member
    )
    service(user, by=by, days=data["days"], reason=data["reason"])
    return "Sanction lifted." if not data["days"] else "Sanction recorded."


def manage_member_view(request, pk: int):
    """Set a member's trust level, suspend or silence them (with a reason)."""
    if not perms.can_moderate(request.user):
        raise PermissionDenied
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    user = member.user
    trust_form = TrustLevelForm(
        request.POST if request.POST.get("form") == "trust" else None,
        initial={"level": member.trust_level, "lock": True},
        prefix="trust",
    )
    sanction_form = SanctionForm(
        request.POST if request.POST.get("form") == "sanction" else None,
        initial={"action": "suspend", "days": 7},
        prefix="sanction",
    )
    if request.method == "POST":
        form = trust_form if request.POST.get("form") == "trust" else sanction_form
        if form.is_valid():
            try:
                done = _apply_member_form(request.user, user, form, trust=form is trust_form)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ForumPermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{user.public_name}: {done}")
                return redirect("forum_members:manage", pk=member.pk)
    return TemplateResponse(
        request,
        "forum/moderation/admin/member.html",
        {
            "member": member,
            "member_user": user,
            "trust_form": trust_form,
            "sanction_form": sanction_form,
            "standing": _standing(member),
            "log": ModerationLogEntry.objects.filter(subject_user=user).select_related("actor")[
                :30
            ],
            "page_title": f"Member: {user.public_name}",
            "header_icon": "user",
        },
        status=400 if (trust_form.errors or sanction_form.errors) else 200,
    )


class MemberViewSet(ModelViewSet):
    model = Member
    name = "forum_members"
    url_prefix = "forum/members"
    icon = "group"
    menu_label = "Community members"
    index_view_class = MemberIndexView
    form_fields = ["notification_frequency"]
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/manage/", manage_member_view, name="manage"),
        ]


class CommunityGroup(ViewSetGroup):
    menu_label = "Community"
    menu_icon = "group"
    menu_order = 250
    items = (QueueViewSet, LogViewSet, MemberViewSet)


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return CommunityGroup()


# --- the dashboard: what is waiting ------------------------------------------------------------


class QueuePanel(Component):
    """Moderators see on the admin home how many posts wait for review (two COUNT queries)."""

    template_name = "forum/moderation/admin/queue_panel.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        held = Post.objects.filter(moderation_state=PostState.HELD).count()
        flagged = Flag.objects.filter(resolved_at__isnull=True).values("post_id").distinct().count()
        return {
            "held": held,
            "flagged": flagged,
            "queue_url": reverse("forum_queue:index"),
        }


@hooks.register("construct_homepage_panels")
def add_queue_panel(request, panels):
    if perms.can_moderate(request.user):
        panels.insert(0, QueuePanel(request))
