"""Staff screens for the status page in the Wagtail admin ("Status page" menu): components,
maintenance windows (scheduled and changed through the services, so followers are told),
subscribers, webhooks and the webhook delivery log. Incidents themselves are the service
problems' screens (declared and updated through the services).

Who may do what is one policy (`SupportStaffPolicy`) answering through
`resourcecenter.roles` (the power to work tickets): support analysts and leads manage
components and maintenance and may remove a subscriber or disable a webhook on request; the
delivery log is read-only (for superusers too); deleting components (and with them their
history), maintenance windows and webhooks is for superusers.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from resourcecenter import roles
from tiers.errors import TierError
from tiers.incidents import services
from tiers.incidents.models import (
    Component,
    MaintenanceWindow,
    ServiceProblem,
    StatusSubscriber,
    WebhookDelivery,
    WebhookEndpoint,
)
from tiers.plans.viewsets import TiersViewSet


class SupportStaffPolicy(ModelPermissionPolicy):
    """Support staff may take `actions` on the model; superusers `admin_actions` (by default
    also delete; never add where staff may not, since the rows come from the public forms)."""

    def __init__(self, model, actions=("view", "add", "change"), admin_actions=None):
        super().__init__(model)
        self.actions = set(actions)
        self.admin_actions = set(admin_actions or (*actions, "delete"))

    def user_has_permission(self, user, action):
        if getattr(user, "is_superuser", False) and user.is_active:
            return action in self.admin_actions
        return action in self.actions and roles.is_support_staff(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if set(actions) & self.actions:
            return roles.users_with_power(roles.Power.WORK_TICKETS)
        if set(actions) & self.admin_actions:
            return get_user_model().objects.filter(is_active=True, is_superuser=True)
        return get_user_model().objects.none()


register_permission_policy(Component, SupportStaffPolicy(Component))
register_permission_policy(MaintenanceWindow, SupportStaffPolicy(MaintenanceWindow))
register_permission_policy(
    StatusSubscriber, SupportStaffPolicy(StatusSubscriber, actions=("view", "delete"))
)
register_permission_policy(
    WebhookEndpoint, SupportStaffPolicy(WebhookEndpoint, actions=("view", "change"))
)
# The delivery log is written by the sender only, for superusers too.
register_permission_policy(
    WebhookDelivery,
    SupportStaffPolicy(WebhookDelivery, actions=("view",), admin_actions=("view",)),
)


class StatusViewSet(TiersViewSet):
    copy_view_enabled = False
    search_backend_name = None


class ComponentViewSet(StatusViewSet):
    model = Component
    icon = "tasks"
    menu_label = "Components"
    list_display = ["name", "group", "region", "network_partner", "sort_order", "is_public"]
    list_filter = ["group", "is_public"]
    search_fields = ["name", "region", "network_partner"]
    form_fields = [
        "name",
        "slug",
        "description",
        "group",
        "region",
        "network_partner",
        "sort_order",
        "is_public",
    ]


class MaintenanceForm(WagtailAdminModelForm):
    cancel = forms.BooleanField(
        required=False, label="Cancel this maintenance (subscribers are told)"
    )

    class Meta:
        model = MaintenanceWindow
        fields = ["title", "description", "components", "starts_at", "ends_at", "is_public"]
        widgets = {"components": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk or self.instance.cancelled_at:
            del self.fields["cancel"]


class _ServiceErrorsMixin:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)


class MaintenanceCreateView(_ServiceErrorsMixin, CreateView):
    submit_button_label = "Schedule and announce"

    def save_instance(self):
        data = self.form.cleaned_data
        return services.schedule_maintenance(
            by=self.request.user,
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            components=data["components"],
            is_public=data["is_public"],
        )


class MaintenanceEditView(_ServiceErrorsMixin, EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.change_maintenance(
            window=MaintenanceWindow.objects.get(pk=self.object.pk),
            by=self.request.user,
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            components=data["components"],
            is_public=data["is_public"],
            cancel=data.get("cancel", False),
        )


class MaintenanceViewSet(StatusViewSet):
    model = MaintenanceWindow
    icon = "date"
    menu_label = "Maintenance"
    add_view_class = MaintenanceCreateView
    edit_view_class = MaintenanceEditView
    list_display = ["title", "starts_at", "ends_at", "get_state_display", "is_public"]
    search_fields = ["title"]

    def get_form_class(self, for_update=False):
        return MaintenanceForm


class SubscriberViewSet(StatusViewSet):
    model = StatusSubscriber
    icon = "mail"
    menu_label = "Subscribers"
    list_display = ["email", "confirmed_at", "created_at"]
    list_filter = ["components"]
    search_fields = ["email"]
    inspect_view_enabled = True
    form_fields = []


class WebhookForm(WagtailAdminModelForm):
    disabled = forms.BooleanField(required=False, label="Disabled (nothing is delivered)")

    class Meta:
        model = WebhookEndpoint
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disabled"].initial = self.instance.disabled_at is not None

    def save(self, commit=True):
        wanted = self.cleaned_data["disabled"]
        if wanted and self.instance.disabled_at is None:
            self.instance.disabled_at = timezone.now()
        elif not wanted:
            self.instance.disabled_at = None
        return super().save(commit)


class WebhookViewSet(StatusViewSet):
    model = WebhookEndpoint
    icon = "link"
    menu_label = "Webhooks"
    list_display = ["url", "contact_email", "confirmed_at", "disabled_at"]
    search_fields = ["url", "contact_email"]
    inspect_view_enabled = True
    inspect_view_fields = ["url", "contact_email", "confirmed_at", "disabled_at", "created_at"]

    def get_form_class(self, for_update=False):
        return WebhookForm


class DeliveryViewSet(StatusViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = "Webhook deliveries"
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["endpoint__url", "event"]
    inspect_view_enabled = True
    form_fields = []


class StatusPageGroup(ViewSetGroup):
    menu_label = "Status page"
    menu_icon = "site"
    menu_order = 255
    items = (
        ComponentViewSet,
        MaintenanceViewSet,
        SubscriberViewSet,
        WebhookViewSet,
        DeliveryViewSet,
    )


class IncidentImpactFormMixin(forms.Form):
    """The status-page fields of the incident forms: impact (blank: derived from the devices
    affected and availability), public or not, and the affected components by state."""

    major = forms.ModelMultipleChoiceField(
        queryset=Component.objects.all(),
        required=False,
        label="Components in major outage",
        widget=forms.CheckboxSelectMultiple,
    )
    partial = forms.ModelMultipleChoiceField(
        queryset=Component.objects.all(),
        required=False,
        label="Components in partial outage",
        widget=forms.CheckboxSelectMultiple,
    )
    degraded = forms.ModelMultipleChoiceField(
        queryset=Component.objects.all(),
        required=False,
        label="Components with degraded performance",
        widget=forms.CheckboxSelectMultiple,
    )
    impact_class = forms.ChoiceField(
        choices=[
            ("", "Derive from devices affected and availability"),
            *ServiceProblem.IMPACT_CHOICES,
        ],
        required=False,
        label="Impact class",
    )
    STATE_FIELDS = {
        "major": Component.MAJOR,
        "partial": Component.PARTIAL,
        "degraded": Component.DEGRADED,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for link in self.instance.component_links.all():
                name = {v: k for k, v in self.STATE_FIELDS.items()}[link.state]
                self.fields[name].initial = [*(self.fields[name].initial or []), link.component_id]
            self.fields["impact_class"].initial = self.instance.impact

    def clean(self):
        data = super().clean()
        seen = {}
        for name in self.STATE_FIELDS:
            for component in data.get(name) or []:
                if component.pk in seen:
                    self.add_error(name, f"{component} is already listed under another state.")
                seen[component.pk] = name
        return data

    def component_states(self) -> dict:
        return {
            component: state
            for name, state in self.STATE_FIELDS.items()
            for component in self.cleaned_data.get(name) or []
        }
