"""Staff screens for support tiers in the Wagtail admin.

- "Support" menu: the ticket queue (sorted by SLA due time; filters severity, state, plan,
  region, breached), organisations, subscriptions and invoices.
- "Support settings" menu: plans and their escalation rules, severity schemes, business-hours
  calendars and holidays, escalation contacts, exclusions, and the plan restrictions on
  Resource Center pages and forum categories (the gate's data).
Ticket work (replies, internal notes, severity, status, assignment, time, quotes) happens on
the ticket page, which records every change in the ticket's timeline; the queue links there.
"""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

import django_filters

from tiers.models import (
    BusinessCalendar,
    CategoryRestriction,
    EscalationContact,
    EscalationRule,
    ExclusionReason,
    Holiday,
    Invoice,
    Organisation,
    PageRestriction,
    Plan,
    SeverityLevel,
    SeverityScheme,
    Subscription,
    Ticket,
    TicketEvent,
)


class TiersViewSet(ModelViewSet):
    """Namespaced under /admin/tiers/<model>/ so names never clash with other apps' viewsets."""

    def __init__(self, *args, **kwargs):
        model_name = self.model._meta.model_name
        kwargs.setdefault("name", f"tiers_{model_name}")
        kwargs.setdefault("url_prefix", f"tiers/{model_name}")
        super().__init__(*args, **kwargs)


class CaseColumn(Column):
    """The case number, linking to the ticket page where staff work on it."""

    def get_value(self, instance):
        instance = getattr(instance, "ticket", instance)
        return format_html(
            '<a href="{}">{}</a>',
            reverse("tiers:ticket_detail", args=[instance.case_number]),
            instance.case_number,
        )


class DueColumn(Column):
    def get_value(self, instance):
        if instance.first_response_at:
            return "responded"
        if instance.paused_at:
            return "paused (waiting on customer)"
        if instance.response_due_at:
            text = f"{instance.response_due_at:%Y-%m-%d %H:%M} UTC"
            return f"{text} - BREACHED" if instance.breached_at else text
        return "-"


class TicketFilterSet(WagtailFilterSet):
    breached = django_filters.BooleanFilter(
        field_name="breached_at", lookup_expr="isnull", exclude=True, label="Breached"
    )
    open = django_filters.BooleanFilter(method="filter_open", label="Open")

    class Meta:
        model = Ticket
        fields = ["severity", "status", "plan", "region", "assigned_to"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        return queryset.exclude(status__in=Ticket.OPEN_STATUSES)


class TicketQueueView(IndexView):
    default_ordering = "response_due_at"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("organisation", "plan", "assigned_to", "requester")
        )

    def order_queryset(self, queryset):
        ordering = self.ordering or "response_due_at"
        if ordering.lstrip("-") == "response_due_at":
            due = F("response_due_at")
            key = (
                due.desc(nulls_last=True) if ordering.startswith("-") else due.asc(nulls_last=True)
            )
            return queryset.order_by(key, "created_at")
        return super().order_queryset(queryset)


class TicketEditView(EditView):
    """Reassignment from the admin goes through the service, so the timeline records it."""

    def save_instance(self):
        from tiers import services

        ticket = Ticket.objects.get(pk=self.form.instance.pk)
        return services.assign(
            ticket=ticket, analyst=self.form.cleaned_data.get("assigned_to"), by=self.request.user
        )


class TicketViewSet(TiersViewSet):
    model = Ticket
    icon = "help"
    menu_label = "Ticket queue"
    index_view_class = TicketQueueView
    edit_view_class = TicketEditView
    filterset_class = TicketFilterSet
    list_display = [
        CaseColumn("case_number", label="Case", sort_key="case_number"),
        "subject",
        "organisation",
        "severity",
        "status",
        DueColumn("response_due_at", label="Response due", sort_key="response_due_at"),
        "assigned_to",
        "region",
    ]
    search_fields = ["case_number", "subject", "organisation__name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    # Staff change tickets on the ticket page (which records the timeline); the admin form
    # only allows reassignment.
    form_fields = ["assigned_to"]


class TicketEventIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("ticket", "actor")


class TicketEventViewSet(TiersViewSet):
    """Every ticket's timeline, searchable by case number (read-only)."""

    model = TicketEvent
    icon = "history"
    menu_label = "Ticket timelines"
    list_display = [
        CaseColumn("ticket", label="Case", accessor="ticket"),
        "created_at",
        "kind",
        "summary",
        "actor",
        "public",
    ]
    list_filter = ["kind", "public"]
    search_fields = ["ticket__case_number", "summary"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["summary"]
    index_view_class = TicketEventIndexView


class OrganisationViewSet(TiersViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "region", "created_at"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "slug", "region", "members_see_all_tickets", "deployed_devices"]
    inspect_view_enabled = True


class SubscriptionViewSet(TiersViewSet):
    model = Subscription
    icon = "tag"
    list_display = ["organisation", "plan", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["plan", "status"]
    form_fields = ["status", "current_period_end", "cancel_at_period_end"]
    copy_view_enabled = False


class InvoiceViewSet(TiersViewSet):
    model = Invoice
    icon = "doc-full"
    list_display = ["number", "organisation", "amount", "currency", "issued_at", "paid_at"]
    form_fields = ["paid_at"]
    copy_view_enabled = False


class SupportGroup(ViewSetGroup):
    menu_label = "Support"
    menu_icon = "help"
    menu_order = 250
    items = (
        TicketViewSet,
        TicketEventViewSet,
        OrganisationViewSet,
        SubscriptionViewSet,
        InvoiceViewSet,
    )


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
    list_display = ["category"]
    panels = [FieldPanel("category"), FieldPanel("plans", widget=forms.CheckboxSelectMultiple)]


class SupportSettingsGroup(ViewSetGroup):
    menu_label = "Support settings"
    menu_icon = "cogs"
    menu_order = 260
    items = (
        PlanViewSet,
        EscalationRuleViewSet,
        EscalationContactViewSet,
        SeveritySchemeViewSet,
        SeverityLevelViewSet,
        BusinessCalendarViewSet,
        HolidayViewSet,
        ExclusionViewSet,
        PageRestrictionViewSet,
        CategoryRestrictionViewSet,
    )


@hooks.register("register_admin_viewset")
def register_support_viewsets():
    return [SupportGroup(), SupportSettingsGroup()]
