"""Models of the tiers app, one module per domain; imported here so app_label, migrations and
`tiers.models.X` stay as they are.

Plans as data (the default and three-tier schemes are seeds, not constants) live in
`tiers.plans.models`, tickets in `tiers.tickets.models`, service problems in
`tiers.incidents.models`.
"""

from tiers.incidents.models import (
    Component,
    IncidentComponent,
    MaintenanceWindow,
    ProblemNotification,
    ProblemUpdate,
    ServiceProblem,
    StatusSubscriber,
    WebhookDelivery,
    WebhookEndpoint,
)
from tiers.plans.calendar_models import CALENDAR_24X7, BusinessCalendar, Holiday
from tiers.plans.models import (
    REGION_CHOICES,
    REGION_EU,
    REGION_US,
    CategoryRestriction,
    EscalationContact,
    EscalationRule,
    ExclusionReason,
    Invitation,
    Invoice,
    InvoiceCounter,
    Membership,
    Organisation,
    PageRestriction,
    Plan,
    SeverityLevel,
    SeverityScheme,
    Subscription,
)
from tiers.plans.targets import ResolutionTarget
from tiers.reports.models import EarlyWarningAlert, EarlyWarningMute, KpiReportDelivery
from tiers.tickets.models import (
    CaseCounter,
    InboundMessage,
    NetworkTrace,
    Quote,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketTimer,
    TimeEntry,
    attachment_path,
)
from tiers.tickets.work_models import Macro, SatisfactionRating, TicketCC

__all__ = [
    "Macro",
    "SatisfactionRating",
    "TicketCC",
    "CALENDAR_24X7",
    "REGION_CHOICES",
    "REGION_EU",
    "REGION_US",
    "BusinessCalendar",
    "CaseCounter",
    "CategoryRestriction",
    "Component",
    "EscalationContact",
    "EscalationRule",
    "ExclusionReason",
    "Holiday",
    "IncidentComponent",
    "Invitation",
    "InboundMessage",
    "Invoice",
    "InvoiceCounter",
    "KpiReportDelivery",
    "EarlyWarningAlert",
    "EarlyWarningMute",
    "MaintenanceWindow",
    "Membership",
    "NetworkTrace",
    "Organisation",
    "PageRestriction",
    "Plan",
    "ProblemNotification",
    "ProblemUpdate",
    "Quote",
    "ResolutionTarget",
    "ServiceProblem",
    "SeverityLevel",
    "SeverityScheme",
    "StatusSubscriber",
    "Subscription",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
    "TicketMessage",
    "TicketTimer",
    "TimeEntry",
    "WebhookDelivery",
    "WebhookEndpoint",
]

# Migration 0001 names the upload path `tiers.models._attachment_path`: keep that name working.
_attachment_path = attachment_path
