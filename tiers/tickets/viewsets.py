"""Staff screens for tickets: the queue (sorted by SLA due time), phone / e-mail intake and
the timeline. Ticket work itself happens on the ticket page, which records every change.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView

import django_filters

from resourcecenter.redirects import safe_next_url
from resourcecenter.roles import Power, is_support_staff, users_with_power
from tiers import forms as tier_forms
from tiers.errors import TierError
from tiers.forms import StaffIntakeForm
from tiers.plans.models import (
    Organisation,
)
from tiers.plans.viewsets import TiersViewSet
from tiers.selectors import plan_for, plans_by_org
from tiers.tickets.conversation import add_reply
from tiers.tickets.handling import assign
from tiers.tickets.macro_viewsets import SatisfactionColumn
from tiers.tickets.models import Ticket, TicketEvent
from tiers.tickets.opening import open_ticket
from tiers.tickets.queue import (
    SAVED_VIEWS,
    WAITING_ON_CUSTOMER,
    in_queue_order,
    queue_counts,
    saved_view,
)
from tiers.tickets.selectors import (
    recent_acknowledgement_attainment,
    recent_resolution_attainment,
)


class CaseColumn(Column):
    """The case number, linking to the ticket page where staff work on it."""

    def get_value(self, instance):
        instance = getattr(instance, "ticket", instance)
        return format_html(
            '<a href="{}">{}</a>',
            reverse("tiers:ticket_detail", args=[instance.case_number]),
            instance.case_number,
        )


class SelectColumn(Column):
    """A checkbox per ticket for the bulk-assign form above the listing (HTML `form=`)."""

    cell_template_name = "tiers/admin/queue_select_cell.html"

    def get_value(self, instance):
        return instance.pk


class DueColumn(Column):
    """The first-response clock in words, in the viewer's time zone."""

    def get_value(self, instance):
        if instance.first_response_at:
            return "responded"
        if instance.paused_at:
            return "paused (waiting on customer)"
        if not instance.response_due_at:
            return "-"
        due = timezone.localtime(instance.response_due_at)
        text = f"{due:%Y-%m-%d %H:%M %Z}"
        if instance.breached_at:
            return f"BREACHED - was due {text}"
        if instance.status in Ticket.OPEN_STATUSES and instance.response_due_at < timezone.now():
            return f"OVERDUE - due {text}"
        return text


class EstimateColumn(Column):
    """The estimated resolution the customer was given, in the viewer's time zone."""

    def get_value(self, instance):
        if not instance.estimated_resolution_at:
            return "-"
        text = f"{timezone.localtime(instance.estimated_resolution_at):%Y-%m-%d %H:%M %Z}"
        if instance.estimated_resolution_met is not None:
            return f"{'met' if instance.estimated_resolution_met else 'MISSED'} - {text}"
        if instance.is_open and instance.estimated_resolution_at < timezone.now():
            return f"PASSED - {text}"
        return text


class TicketFilterSet(WagtailFilterSet):
    view = django_filters.ChoiceFilter(
        choices=[(v.slug, v.label) for v in SAVED_VIEWS],
        method="filter_view",
        label="Saved view",
        empty_label="All tickets",
    )
    breached = django_filters.BooleanFilter(
        field_name="breached_at", lookup_expr="isnull", exclude=True, label="Breached"
    )
    waiting = django_filters.BooleanFilter(method="filter_waiting", label="Waiting on customer")
    open = django_filters.BooleanFilter(method="filter_open", label="Open")

    class Meta:
        model = Ticket
        fields = [
            "severity",
            "status",
            "plan",
            "region",
            "organisation",
            "assigned_to",
            "channel",
        ]

    def filter_view(self, queryset, name, value):
        if not value:
            return queryset
        return saved_view(queryset, value, getattr(self.request, "user", None))

    def filter_waiting(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(WAITING_ON_CUSTOMER) if value else queryset.exclude(WAITING_ON_CUSTOMER)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=Ticket.OPEN_STATUSES)
        return queryset.exclude(status__in=Ticket.OPEN_STATUSES)


class TicketQueueView(IndexView):
    """The queue analysts work from: due first (tiers.tickets.queue), filters, saved views and
    a bulk-assign form. Its queries do not grow with the number of tickets."""

    default_ordering = "response_due_at"
    add_item_label = "Open a ticket for a customer"
    results_template_name = "tiers/admin/ticket_queue_results.html"

    def get_page_subtitle(self):
        # The 5-minute acknowledgement target, measured on when the e-mails really left, and
        # the resolutions against their targets and estimates.
        return (
            f"{recent_acknowledgement_attainment(days=30).describe('30 days')} "
            f"{recent_resolution_attainment(days=30).describe('30 days')}"
        )

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("organisation", "plan", "assigned_to", "requester", "satisfaction")
        )

    def order_queryset(self, queryset):
        ordering = self.ordering or "response_due_at"
        if ordering == "response_due_at":
            return in_queue_order(queryset)
        if ordering == "-response_due_at":
            due = F("response_due_at")
            return queryset.order_by(due.desc(nulls_last=True), "created_at")
        return super().order_queryset(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            saved_views=SAVED_VIEWS,
            current_view=self.request.GET.get("view", ""),
            counts=queue_counts(self.request.user),
            assignees=users_with_power(Power.WORK_TICKETS).order_by("display_name"),
            bulk_assign_url=reverse(self.index_url_name.replace(":index", ":bulk_assign")),
        )
        return context


class TicketBulkAssignView(View):
    """Assign (or unassign) the selected tickets at once; each change goes through `assign`,
    so every ticket's timeline records it."""

    http_method_names = ["post"]
    index_url_name: str = ""

    def post(self, request):
        if not is_support_staff(request.user):
            raise PermissionDenied
        back = safe_next_url(request, reverse(self.index_url_name))
        ids = [int(pk) for pk in request.POST.getlist("ticket") if pk.isdigit()]
        raw = request.POST.get("assignee", "")
        analyst = None
        if raw.isdigit():
            analyst = users_with_power(Power.WORK_TICKETS).filter(pk=int(raw)).first()
            if analyst is None:
                messages.error(request, "Choose someone who works tickets.")
                return HttpResponseRedirect(back)
        elif raw != "nobody":
            messages.error(request, "Choose whom to assign the tickets to.")
            return HttpResponseRedirect(back)
        if not ids:
            messages.error(request, "Select the tickets to assign.")
            return HttpResponseRedirect(back)
        changed = 0
        with transaction.atomic():
            for ticket in Ticket.objects.filter(pk__in=ids).select_for_update():
                if ticket.assigned_to_id != (analyst.pk if analyst else None):
                    assign(ticket=ticket, analyst=analyst, by=request.user)
                    changed += 1
        who = analyst.public_name if analyst else "nobody"
        messages.success(request, f"{changed} ticket(s) assigned to {who}.")
        return HttpResponseRedirect(back)


class TicketMenuItemMixin:
    """The queue's menu item shows the open tickets and how many are breached or about to be."""

    def render_component(self, request):
        component = super().render_component(request)
        counts = queue_counts(request.user)
        label = f"Ticket queue ({counts.open} open"
        if counts.breached or counts.breaching:
            label += f", {counts.breached} breached, {counts.breaching} due within 2 h"
        component.label = label + ")"
        return component


class TicketEditView(EditView):
    """Reassignment from the admin goes through the service, so the timeline records it."""

    def save_instance(self):
        ticket = Ticket.objects.get(pk=self.form.instance.pk)
        return assign(
            ticket=ticket, analyst=self.form.cleaned_data.get("assigned_to"), by=self.request.user
        )


class TicketIntakeView(CreateView):
    """Staff open a ticket on a customer's behalf (phone or e-mail intake).

    Step 1 picks the organisation (a GET form, so nothing typed is at stake); step 2 is the
    customer form for that organisation - its members as requesters, its plan's channels and
    severity levels - plus an internal note. The ticket is opened by `open_ticket`
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
        return plan_for(self.organisation) if self.organisation else None

    @cached_property
    def levels(self):
        if self.plan is None or not self.plan.severity_scheme_id:
            return []
        return list(self.plan.severity_scheme.levels.all())

    def get_form_class(self):
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
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except TierError as exc:
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
        data = self.form.cleaned_data
        ticket = open_ticket(
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
            add_reply(ticket=ticket, author=self.request.user, body=note, internal=True)
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
    list_per_page = 50
    list_display = [
        SelectColumn("select", label=""),
        CaseColumn("case_number", label="Case", sort_key="case_number"),
        "subject",
        "organisation",
        "severity",
        "status",
        "channel",
        DueColumn("response_due_at", label="Response due", sort_key="response_due_at"),
        EstimateColumn("estimated_resolution_at", label="Estimated resolution"),
        "assigned_to",
        "plan",
        "region",
        SatisfactionColumn("satisfaction", label="Rating"),
    ]
    search_fields = ["case_number", "subject", "organisation__name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    # Staff change tickets on the ticket page (which records the timeline); the admin form
    # only allows reassignment.
    form_fields = ["assigned_to"]

    @property
    def menu_item_class(self):
        return type("TicketQueueMenuItem", (TicketMenuItemMixin, super().menu_item_class), {})

    @property
    def bulk_assign_view(self):
        return TicketBulkAssignView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("bulk-assign/", self.bulk_assign_view, name="bulk_assign")
        ]


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
