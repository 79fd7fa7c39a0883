"""The Community member list in the Wagtail admin: trust level by hand and suspend / silence for
a period (forum.moderation_members, which checks permission and writes the log)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

import django_filters

from forum import moderation_members
from forum import permissions as perms
from forum.models import Member, ModerationLogEntry, TrustLevel
from forum.moderation_forms import SanctionForm, TrustLevelForm
from forum.services import ForumPermissionDenied


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
