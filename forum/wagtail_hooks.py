"""The Community's staff screens in the Wagtail admin (viewsets, not a second admin): this module
registers them; the screens are in forum.viewsets_queue, forum.viewsets_log and
forum.viewsets_members.

- Moderation queue: held posts, flagged posts and hidden posts, with approve / reject / hide /
  restore (reason recorded) per post and in bulk (Wagtail bulk actions).
- Moderation log: the append-only ModerationLogEntry, read-only.
- Members: trust level by hand, suspend / silence for a period.

Who may use them is forum.permissions.can_moderate, wrapped in a Wagtail permission policy;
every change goes through forum.moderation (which writes the log).
"""

from __future__ import annotations

from django.urls import reverse

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from forum import permissions as perms
from forum.models import Flag, Member, ModerationLogEntry, Post, PostState
from forum.viewsets_log import LogViewSet
from forum.viewsets_members import MemberViewSet
from forum.viewsets_queue import (
    ApproveBulkAction,
    HideBulkAction,
    QueueViewSet,
    RejectBulkAction,
    RestoreBulkAction,
)
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
# actions themselves go through forum.moderation* (which check permission and write the log).
for _model in (Post, ModerationLogEntry, Member):
    register_permission_policy(_model, ModeratorPolicy(_model, actions=("view",)))


# The queue's bulk actions (forum.viewsets_queue).
for _action in (ApproveBulkAction, RejectBulkAction, HideBulkAction, RestoreBulkAction):
    hooks.register("register_bulk_action", _action)


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
