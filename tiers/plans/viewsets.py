"""Staff screens for organisations, subscriptions and invoices, and the "Support settings":
plans and their escalation rules, severity schemes, calendars, exclusions and the plan
restrictions on pages and categories (the gate's data).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateInput

from tiers.errors import TierError
from tiers.plans.calendar_models import BusinessCalendar, Holiday
from tiers.plans.models import (
    CategoryRestriction,
    EscalationContact,
    EscalationRule,
    ExclusionReason,
    Invoice,
    Organisation,
    PageRestriction,
    Plan,
    SeverityLevel,
    SeverityScheme,
    Subscription,
)
from tiers.plans.subscriptions import assign_plan
from tiers.plans.targets import ResolutionTarget


class TiersViewSet(ModelViewSet):
    """Namespaced under /admin/tiers/<model>/ so names never clash with other apps' viewsets."""

    def __init__(self, *args, **kwargs):
        model_name = self.model._meta.model_name
        kwargs.setdefault("name", f"tiers_{model_name}")
        kwargs.setdefault("url_prefix", f"tiers/{model_name}")
        super().__init__(*args, **kwargs)


class OrganisationViewSet(TiersViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "region", "created_at"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "slug", "region", "members_see_all_tickets", "deployed_devices"]
    inspect_view_enabled = True


class AssignPlanForm(WagtailAdminModelForm):
    """A sales-assisted plan: any plan, a start date, a term, an agreed price, notes."""

    starts_on = forms.DateField(label="Start date", initial=dt.date.today, widget=AdminDateInput())

    class Meta:
        model = Subscription
        fields = ["organisation", "plan", "term_months", "price_override", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_months"].initial = 12
        self.order_fields(
            ["organisation", "plan", "starts_on", "term_months", "price_override", "notes"]
        )


class AssignPlanView(CreateView):
    """New subscription = a support lead assigns a plan (tiers.plans.subscriptions.assign_plan);
    the organisation's current subscription ends."""

    page_title = "Assign a plan"
    submit_button_label = "Assign the plan"

    def save_instance(self):
        data = self.form.cleaned_data
        return assign_plan(
            organisation=data["organisation"],
            plan=data["plan"],
            by=self.request.user,
            starts_at=timezone.make_aware(dt.datetime.combine(data["starts_on"], dt.time())),
            term_months=data["term_months"],
            price_override=data["price_override"],
            notes=data["notes"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)


class SubscriptionViewSet(TiersViewSet):
    model = Subscription
    icon = "tag"
    add_view_class = AssignPlanView
    list_display = [
        "organisation",
        "plan",
        "status",
        "sales_assisted",
        "current_period_end",
        "cancel_at_period_end",
    ]
    list_filter = ["plan", "status", "sales_assisted"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        if for_update:
            return forms.modelform_factory(
                Subscription,
                form=WagtailAdminModelForm,
                fields=["status", "current_period_end", "cancel_at_period_end", "notes"],
            )
        return AssignPlanForm


class InvoiceViewSet(TiersViewSet):
    model = Invoice
    icon = "doc-full"
    list_display = ["number", "organisation", "amount", "currency", "issued_at", "paid_at"]
    form_fields = ["paid_at"]
    copy_view_enabled = False


class PlanViewSet(TiersViewSet):
    model = Plan
    icon = "list-ul"
    list_display = ["name", "code", "price_per_month", "may_open_tickets", "is_default"]
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
                FieldPanel("tagline"),
                FieldRowPanel(
                    [FieldPanel("is_default"), FieldPanel("purchasable"), FieldPanel("sort_order")]
                ),
                FieldRowPanel([FieldPanel("price_per_month"), FieldPanel("currency")]),
                FieldPanel("features"),
            ],
            heading="Plan",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("may_open_tickets"), FieldPanel("case_prefix")]),
                FieldRowPanel(
                    [
                        FieldPanel("channel_web"),
                        FieldPanel("channel_email"),
                        FieldPanel("channel_phone"),
                    ]
                ),
                FieldRowPanel([FieldPanel("phone_number"), FieldPanel("phone_severities")]),
                FieldRowPanel([FieldPanel("severity_scheme"), FieldPanel("fixed_severity")]),
            ],
            heading="Tickets and channels",
        ),
        MultiFieldPanel(
            [
                FieldPanel("ack_target_minutes"),
                FieldPanel("response_target_hours"),
                FieldPanel("around_the_clock_severities"),
                FieldPanel("reopen_window_days"),
            ],
            heading="Targets and calendars",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("troubleshooting_hours"), FieldPanel("troubleshooting_cases")]
                ),
                FieldPanel("provisioning_hours"),
                FieldRowPanel([FieldPanel("overage_rule"), FieldPanel("overage_hourly_rate")]),
            ],
            heading="Monthly allowances",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("proactive_notification_minutes"),
                        FieldPanel("proactive_notification_max_severity"),
                    ]
                ),
                FieldPanel("case_reports"),
                FieldPanel("kpi_reports"),
            ],
            heading="Notifications and reports",
        ),
    ]


class EscalationRuleViewSet(TiersViewSet):
    model = EscalationRule
    icon = "warning"
    list_display = ["plan", "severity", "contact", "after_minutes"]
    list_filter = ["plan", "severity"]
    form_fields = ["plan", "severity", "contact", "after_minutes"]


class ResolutionTargetViewSet(TiersViewSet):
    """Per plan and severity: resolve within so many hours (tiers.plans.targets)."""

    model = ResolutionTarget
    icon = "time"
    menu_label = "Resolution targets"
    list_display = ["plan", "severity", "hours"]
    list_filter = ["plan", "severity"]
    form_fields = ["plan", "severity", "hours"]


class EscalationContactViewSet(TiersViewSet):
    model = EscalationContact
    icon = "user"
    list_display = ["title", "name", "email", "active"]
    form_fields = ["name", "title", "email", "active"]


class SeveritySchemeViewSet(TiersViewSet):
    model = SeverityScheme
    icon = "order"
    list_display = ["name", "code"]
    form_fields = ["name", "code"]


class SeverityLevelViewSet(TiersViewSet):
    model = SeverityLevel
    icon = "order"
    list_display = ["scheme", "number", "name", "min_devices_affected"]
    list_filter = ["scheme"]
    form_fields = ["scheme", "number", "name", "definition", "min_devices_affected"]


class BusinessCalendarViewSet(TiersViewSet):
    model = BusinessCalendar
    icon = "date"
    list_display = ["name", "code", "timezone", "open_time", "close_time", "always_open"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("timezone"),
        FieldRowPanel([FieldPanel("open_time"), FieldPanel("close_time")]),
        FieldPanel("weekdays"),
        FieldPanel("always_open"),
    ]


class HolidayViewSet(TiersViewSet):
    model = Holiday
    icon = "date"
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]
    form_fields = ["calendar", "date", "name"]


class ExclusionViewSet(TiersViewSet):
    model = ExclusionReason
    icon = "cross"
    list_display = ["text", "active", "sort_order"]
    form_fields = ["text", "active", "sort_order"]


class PageRestrictionViewSet(TiersViewSet):
    model = PageRestriction
    icon = "lock"
    menu_label = "Page plan restrictions"
    list_display = ["page", "teaser"]
    panels = [
        PageChooserPanel("page"),
        FieldPanel("plans", widget=forms.CheckboxSelectMultiple),
        FieldPanel("teaser"),
    ]


class CategoryRestrictionViewSet(TiersViewSet):
    model = CategoryRestriction
    icon = "lock"
    menu_label = "Category plan restrictions"
    list_display = ["category", "teaser"]
    panels = [
        FieldPanel("category"),
        FieldPanel("plans", widget=forms.CheckboxSelectMultiple),
        FieldPanel("teaser"),
    ]
