"""Staff screens for support tiers in the Wagtail admin.

- "Support" menu: the ticket queue (sorted by SLA due time; filters severity, state, plan,
  region, breached) with "Open a ticket for a customer" (phone / e-mail intake), service
  problems (proactive notifications) and their delivery log, organisations, subscriptions and
  invoices.
- "Support settings" menu: plans and their escalation rules, severity schemes, business-hours
  calendars and holidays, escalation contacts, exclusions, and the plan restrictions on
  Resource Center pages and forum categories (the gate's data).
Ticket work (replies, internal notes, severity, status, assignment, time, quotes) happens on
the ticket page, which records every change in the ticket's timeline; the queue links there.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

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
    ProblemNotification,
    ServiceProblem,
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
        fields = ["severity", "status", "plan", "region", "channel", "assigned_to"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        return queryset.exclude(status__in=Ticket.OPEN_STATUSES)


class TicketQueueView(IndexView):
    default_ordering = "response_due_at"
    add_item_label = "Open a ticket for a customer"

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


class TicketIntakeView(CreateView):
    """Staff open a ticket on a customer's behalf (phone or e-mail intake).

    Step 1 picks the organisation (a GET form, so nothing typed is at stake); step 2 is the
    customer form for that organisation - its members as requesters, its plan's channels and
    severity levels - plus an internal note. The ticket is opened by `services.open_ticket`
    with `opened_by`, exactly as if the customer had opened it; rule violations are shown on
    the form with everything typed kept.
    """

    template_name = "tiers/admin/ticket_intake.html"
    page_title = "Open a ticket for a customer"
    page_subtitle = "Open a ticket for a customer"
    submit_button_label = "Open ticket"
    submit_button_active_label = "Opening…"
    success_message = None

    def dispatch(self, request, *args, **kwargs):
        from resourcecenter.roles import is_support_staff

        if request.user.is_authenticated and not is_support_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def organisation(self) -> Organisation | None:
        raw = self.request.POST.get("organisation") or self.request.GET.get("organisation")
        if not raw or not str(raw).isdigit():
            return None
        return Organisation.objects.filter(pk=int(raw)).first()

    @cached_property
    def plan(self):
        from tiers.selectors import plan_for

        return plan_for(self.organisation) if self.organisation else None

    @cached_property
    def levels(self):
        if self.plan is None or not self.plan.severity_scheme_id:
            return []
        return list(self.plan.severity_scheme.levels.all())

    def get_form_class(self):
        from tiers.forms import StaffIntakeForm

        return StaffIntakeForm

    def get_form_kwargs(self):
        kwargs = {"organisation": self.organisation, "plan": self.plan, "levels": self.levels}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        else:
            kwargs["initial"] = {"channel": "phone"}
        return kwargs

    def get_form(self, form_class=None):
        if self.organisation is None:
            return None
        return super().get_form(form_class)

    def post(self, request, *args, **kwargs):
        self.object = None
        if self.organisation is None:
            messages.error(request, "Choose the customer's organisation first.")
            return HttpResponseRedirect(request.path)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from django.db import transaction

        from tiers import services

        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except services.TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = "The ticket could not be opened."
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Case {self.object.case_number} is open for {self.object.requester.public_name} "
            f"({self.organisation}); the acknowledgement was e-mailed to them.",
        )
        return HttpResponseRedirect(self.get_success_url())

    def save_instance(self):
        from tiers import forms as tier_forms
        from tiers import services

        data = self.form.cleaned_data
        ticket = services.open_ticket(
            organisation=self.organisation,
            requester=data["requester"],
            subject=data["subject"],
            description=data["description"],
            devices_affected=data["devices_affected"],
            incident_at=data["incident_at"],
            conditions=data["conditions"],
            customer_severity=data["customer_severity"],
            category=data["category"],
            channel=data["channel"],
            uploads=tier_forms.uploads_from(data["attachments"]),
            opened_by=self.request.user,
        )
        note = (data.get("internal_note") or "").strip()
        if note:
            services.add_reply(ticket=ticket, author=self.request.user, body=note, internal=True)
        return ticket

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Ticket queue"},
            {"url": "", "label": self.page_title},
        ]

    @property
    def has_unsaved_changes(self):
        return bool(getattr(self, "form", None) and self.form.is_bound)

    def get_context_data(self, **kwargs):
        from tiers.selectors import plans_by_org

        if self.organisation is None:
            self.form = None
            organisations = list(Organisation.objects.order_by("name"))
            plans = plans_by_org([org.pk for org in organisations])
            kwargs["organisation_choices"] = [(org, plans.get(org.pk)) for org in organisations]
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation,
            plan=self.plan,
            levels=self.levels,
            entitled=bool(self.plan and self.plan.may_open_tickets),
            form_is_multipart=True,
        )
        return context


class TicketViewSet(TiersViewSet):
    model = Ticket
    icon = "help"
    menu_label = "Ticket queue"
    index_view_class = TicketQueueView
    add_view_class = TicketIntakeView
    edit_view_class = TicketEditView
    filterset_class = TicketFilterSet
    list_display = [
        CaseColumn("case_number", label="Case", sort_key="case_number"),
        "subject",
        "organisation",
        "severity",
        "status",
        "channel",
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


def _severity_choices() -> list[tuple[int, str]]:
    """Each severity number with what it is called in every scheme (1 = most severe)."""
    names: dict[int, list[str]] = {}
    for level in SeverityLevel.objects.order_by("number", "scheme_id"):
        names.setdefault(level.number, []).append(level.name)
    if not names:
        return [(n, str(n)) for n in range(1, 5)]
    return [(number, f"{number}: {' / '.join(labels)}") for number, labels in names.items()]


class SeverityChoiceMixin:
    """A severity select labelled with the schemes' own names; plans compare by number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"] = forms.TypedChoiceField(
            coerce=int,
            choices=_severity_choices(),
            initial=self.instance.severity if self.instance.pk else None,
            help_text="Plans e-mail problems at or above their severity (Infinity: 1 and 2).",
        )


class ServiceProblemForm(SeverityChoiceMixin, WagtailAdminModelForm):
    """Record a problem; the first update customers receive is its description."""

    class Meta:
        model = ServiceProblem
        fields = ["title", "description", "severity", "region", "organisations", "started_at"]
        widgets = {"organisations": forms.SelectMultiple(attrs={"size": 8})}

    def clean_started_at(self):
        value = self.cleaned_data.get("started_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("The problem cannot start in the future.")
        return value


class ServiceProblemUpdateForm(SeverityChoiceMixin, WagtailAdminModelForm):
    """Change the problem and tell its customers what changed (the update text is sent)."""

    update = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Update for customers",
        help_text="Sent by e-mail to everyone told about this problem, and shown on their "
        "support pages. Set the status to Resolved to send the resolution.",
    )

    field_order = ["update", "status", "severity"]

    class Meta:
        model = ServiceProblem
        fields = ["status", "severity", "title", "description", "region", "organisations"]
        widgets = {"organisations": forms.SelectMultiple(attrs={"size": 8})}


class ProblemCreateView(CreateView):
    submit_button_label = "Record and notify customers"

    def save_instance(self):
        from tiers import services

        data = self.form.cleaned_data
        return services.record_problem(
            by=self.request.user,
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            region=data["region"],
            organisations=data["organisations"],
            started_at=data["started_at"],
        )

    def form_valid(self, form):
        from tiers import services

        try:
            return super().form_valid(form)
        except services.TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)


class ProblemEditView(EditView):
    submit_button_label = "Save and send the update"

    def save_instance(self):
        from tiers import services

        data = self.form.cleaned_data
        problem = ServiceProblem.objects.get(pk=self.object.pk)
        services.update_problem(
            problem=problem,
            by=self.request.user,
            body=data["update"],
            status=data["status"],
            severity=data["severity"],
            title=data["title"],
            description=data["description"],
            region=data["region"],
            organisations=data["organisations"],
        )
        problem.refresh_from_db()
        return problem

    def form_valid(self, form):
        from tiers import services

        try:
            return super().form_valid(form)
        except services.TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problem_updates"] = self.object.updates.select_related("created_by").order_by(
            "-created_at", "-id"
        )
        return context


class DeliveryColumn(Column):
    """Sent / pending / late e-mails of a problem (counted in the index query)."""

    def get_value(self, instance):
        text = f"{instance.sent_count} sent"
        if instance.pending_count:
            text += f", {instance.pending_count} pending"
        if instance.late_count:
            text += f", {instance.late_count} late"
        return text


class ProblemIndexView(IndexView):
    def get_base_queryset(self):
        notification = "updates__notifications__"
        return (
            super()
            .get_base_queryset()
            .annotate(
                sent_count=Count(
                    "updates__notifications",
                    filter=Q(**{f"{notification}status": ProblemNotification.SENT}),
                ),
                pending_count=Count(
                    "updates__notifications",
                    filter=Q(**{f"{notification}status": ProblemNotification.PENDING}),
                ),
                late_count=Count(
                    "updates__notifications",
                    filter=Q(
                        **{
                            f"{notification}status": ProblemNotification.SENT,
                            f"{notification}sent_at__gt": F(f"{notification}deadline_at"),
                        }
                    ),
                ),
            )
        )


class ServiceProblemViewSet(TiersViewSet):
    """Service problems: recording one e-mails the entitled customers it affects."""

    model = ServiceProblem
    icon = "warning"
    menu_label = "Service problems"
    add_view_class = ProblemCreateView
    edit_view_class = ProblemEditView
    index_view_class = ProblemIndexView
    edit_template_name = "tiers/admin/problem_edit.html"
    list_display = [
        "title",
        "severity",
        "status",
        "region",
        "started_at",
        DeliveryColumn("deliveries", label="E-mails"),
    ]
    list_filter = ["status", "severity", "region"]
    search_fields = ["title"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return ServiceProblemUpdateForm if for_update else ServiceProblemForm


class LateColumn(Column):
    def get_value(self, instance):
        if instance.status == ProblemNotification.PENDING:
            overdue = instance.deadline_at < timezone.now()
            return "OVERDUE" if overdue else "-"
        return "LATE" if instance.is_late else "on time"


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The delivery log is written by the sender only: nobody adds, edits or deletes rows."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# Registered for the model (not through the viewset, which Wagtail 9 stops supporting), so
# every admin view of the delivery log uses it.
register_permission_policy(ProblemNotification, ReadOnlyPolicy(ProblemNotification))


class ProblemNotificationIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("update__problem", "user")


class ProblemNotificationViewSet(TiersViewSet):
    """Who was e-mailed about which problem update, when, and whether within the window."""

    model = ProblemNotification
    icon = "mail"
    menu_label = "Problem e-mails"
    index_view_class = ProblemNotificationIndexView
    list_display = [
        "update",
        "user",
        "email",
        "status",
        "deadline_at",
        "sent_at",
        LateColumn("late", label="Window"),
    ]
    list_filter = ["status", "update__problem"]
    search_fields = ["user__email", "update__problem__title"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["note"]


class SupportGroup(ViewSetGroup):
    menu_label = "Support"
    menu_icon = "help"
    menu_order = 250
    items = (
        TicketViewSet,
        ServiceProblemViewSet,
        ProblemNotificationViewSet,
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
