"""Staff screens for service problems (recorded and updated through the services, so
customers are notified) and the read-only log of problem e-mails.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Count, F, Q
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from tiers.errors import TierError
from tiers.incidents import attainment
from tiers.incidents.models import ProblemNotification, ServiceProblem
from tiers.incidents.postmortems import save_postmortem
from tiers.incidents.services import record_problem, update_problem
from tiers.incidents.status_viewsets import IncidentImpactFormMixin
from tiers.plans.models import (
    SeverityLevel,
)
from tiers.plans.viewsets import TiersViewSet


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
            help_text="Plans e-mail problems at or above their severity (e.g. 1 and 2).",
        )


class ServiceProblemForm(SeverityChoiceMixin, IncidentImpactFormMixin, WagtailAdminModelForm):
    """Record a problem; the first update customers receive is its description."""

    class Meta:
        model = ServiceProblem
        fields = [
            "title",
            "description",
            "severity",
            "region",
            "organisations",
            "started_at",
            "devices_affected",
            "service_unavailable",
            "is_public",
        ]
        widgets = {"organisations": forms.SelectMultiple(attrs={"size": 8})}

    def clean_started_at(self):
        value = self.cleaned_data.get("started_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("The problem cannot start in the future.")
        return value


class ServiceProblemUpdateForm(SeverityChoiceMixin, IncidentImpactFormMixin, WagtailAdminModelForm):
    """Change the problem and tell its customers what changed (the update text is sent)."""

    update = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Update for customers",
        help_text="Sent by e-mail to everyone told about this problem and to the cases "
        "attached to it, and shown on their support pages. Set the status to Resolved to send "
        "the resolution. Leave it empty to change only the postmortem.",
    )
    publish_postmortem = forms.BooleanField(
        required=False,
        label="Postmortem published",
        help_text="Readers follow their plan's postmortem entitlement; publish once resolved.",
    )

    field_order = ["update", "status", "severity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_postmortem"].initial = bool(self.instance.postmortem_published_at)
        self.keeps_postmortem = self.is_bound and not (
            str(self.data.get("postmortem-count", "")).isdigit()
        )
        if self.keeps_postmortem:
            # A post without the postmortem editor's fields (a script, an old form) keeps the
            # stored text instead of failing inside the block widget.
            self.data = self.data.copy()
            self.data["postmortem-count"] = "0"

    def clean(self):
        data = super().clean()
        if self.keeps_postmortem:
            data["postmortem"] = self.instance.postmortem
        postmortem_only = {"postmortem", "publish_postmortem"}
        incident_changed = set(self.changed_data) - postmortem_only
        if not (data.get("update") or "").strip() and (incident_changed or not self.changed_data):
            self.add_error(
                "update",
                "This field is required. Write the update customers will receive "
                "(only a postmortem change needs none).",
            )
        if data.get("publish_postmortem") and not self.instance.postmortem_published_at:
            if data.get("status") != ServiceProblem.RESOLVED:
                self.add_error("publish_postmortem", "Publish it once the incident is resolved.")
            elif not data.get("postmortem"):
                self.add_error("postmortem", "Write the postmortem before publishing it.")
        return data

    class Meta:
        model = ServiceProblem
        fields = [
            "status",
            "severity",
            "title",
            "description",
            "region",
            "organisations",
            "devices_affected",
            "service_unavailable",
            "is_public",
            "postmortem",
        ]
        widgets = {"organisations": forms.SelectMultiple(attrs={"size": 8})}


class ProblemCreateView(CreateView):
    submit_button_label = "Record and notify customers"

    def save_instance(self):
        data = self.form.cleaned_data
        return record_problem(
            by=self.request.user,
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            region=data["region"],
            organisations=data["organisations"],
            started_at=data["started_at"],
            impact=data["impact_class"] or None,
            devices_affected=data["devices_affected"],
            service_unavailable=data["service_unavailable"],
            components=self.form.component_states(),
            is_public=data["is_public"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)


class ProblemEditView(EditView):
    submit_button_label = "Save and send the update"

    def save_instance(self):
        data = self.form.cleaned_data
        problem = ServiceProblem.objects.get(pk=self.object.pk)
        if data["update"].strip():
            self._post_update(problem, data)
        save_postmortem(
            problem=problem,
            by=self.request.user,
            postmortem=data["postmortem"],
            publish=data["publish_postmortem"],
        )
        problem.refresh_from_db()
        return problem

    def _post_update(self, problem, data):
        update_problem(
            problem=problem,
            by=self.request.user,
            body=data["update"],
            status=data["status"],
            severity=data["severity"],
            title=data["title"],
            description=data["description"],
            region=data["region"],
            organisations=data["organisations"],
            impact=data["impact_class"] or None,
            devices_affected=data["devices_affected"],
            service_unavailable=data["service_unavailable"],
            components=self.form.component_states(),
            is_public=data["is_public"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except TierError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = str(exc)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problem_updates"] = self.object.updates.select_related("created_by").order_by(
            "-created_at", "-id"
        )
        context["attainment"] = attainment.notice_attainment(
            attainment.notices(problem=self.object)
        )
        context["linked_tickets"] = self.object.linked_tickets.select_related("organisation")[:50]
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
                    filter=Q(**{f"{notification}status__in": ProblemNotification.NOT_SENT_YET}),
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
        "impact",
        "status",
        "region",
        "is_public",
        "started_at",
        DeliveryColumn("deliveries", label="E-mails"),
    ]
    list_filter = ["status", "severity", "impact", "region", "is_public"]
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
        "declared_at",
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
