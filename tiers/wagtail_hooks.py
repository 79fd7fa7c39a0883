"""Staff screens for support tiers in the Wagtail admin.

- "Support" menu: the ticket queue (sorted by SLA due time; filters severity, state, plan,
  region, breached) with "Open a ticket for a customer" (phone / e-mail intake), inbound
  e-mail (held messages to release or discard, failed ones to read), service
  problems (proactive notifications) and their delivery log, organisations, subscriptions and
  invoices.
- "Status page" menu: the public status page's components, maintenance windows, subscribers,
  webhooks and their delivery log (tiers.incidents.status_viewsets).
- "Support settings" menu: plans and their escalation rules, severity schemes, business-hours
  calendars and holidays, escalation contacts, exclusions, and the plan restrictions on
  Resource Center pages and forum categories (the gate's data).
- "Reports" menu: the support dashboard (support leads) and the early warning of a rising
  symptom with its incident draft (everyone who works tickets), tiers.reports.admin_views.
Ticket work (replies, internal notes, severity, status, assignment, time, quotes) happens on
the ticket page, which records every change in the ticket's timeline; the queue links there.
"""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup

from tiers.incidents.status_viewsets import StatusPageGroup
from tiers.incidents.viewsets import ProblemNotificationViewSet, ServiceProblemViewSet
from tiers.plans.viewsets import (
    BusinessCalendarViewSet,
    CategoryRestrictionViewSet,
    EscalationContactViewSet,
    EscalationRuleViewSet,
    ExclusionViewSet,
    HolidayViewSet,
    InvoiceViewSet,
    OrganisationViewSet,
    PageRestrictionViewSet,
    PlanViewSet,
    SeverityLevelViewSet,
    SeveritySchemeViewSet,
    SubscriptionViewSet,
)
from tiers.reports.admin_views import (
    EarlyWarningView,
    SupportDashboardView,
    may_see_dashboard,
    may_see_early_warning,
)
from tiers.tickets.viewsets import InboundMessageViewSet, TicketEventViewSet, TicketViewSet


class SupportGroup(ViewSetGroup):
    menu_label = "Support"
    menu_icon = "help"
    menu_order = 250
    items = (
        TicketViewSet,
        InboundMessageViewSet,
        ServiceProblemViewSet,
        ProblemNotificationViewSet,
        TicketEventViewSet,
        OrganisationViewSet,
        SubscriptionViewSet,
        InvoiceViewSet,
    )


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
    return [SupportGroup(), StatusPageGroup(), SupportSettingsGroup()]


class _GuardedMenuItem(MenuItem):
    def __init__(self, *args, shown_to, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request):
        return self.shown_to(request.user)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("support/dashboard/", SupportDashboardView.as_view(), name="tiers_dashboard"),
        path("support/early-warning/", EarlyWarningView.as_view(), name="tiers_early_warning"),
    ]


@hooks.register("register_reports_menu_item")
def register_dashboard_menu_item():
    return _GuardedMenuItem(
        "Support dashboard",
        reverse("tiers_dashboard"),
        name="support-dashboard",
        icon_name="table",
        shown_to=may_see_dashboard,
    )


@hooks.register("register_reports_menu_item")
def register_early_warning_menu_item():
    return _GuardedMenuItem(
        "Early warning",
        reverse("tiers_early_warning"),
        name="early-warning",
        icon_name="warning",
        shown_to=may_see_early_warning,
    )
