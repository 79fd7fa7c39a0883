"""Staff screens in the Wagtail admin: the support dashboard (support leads: reports are
theirs in the role table) and the early warning (everyone who works tickets, since they may
declare incidents)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from resourcecenter import journeys
from resourcecenter.roles import guardian_for
from tiers.errors import TierError
from tiers.incidents.services import record_problem
from tiers.models import REGION_CHOICES
from tiers.reports import dashboard, early_warning, warning_alerts


def may_see_dashboard(user) -> bool:
    return guardian_for(user).is_support_lead


def may_see_early_warning(user) -> bool:
    return guardian_for(user).is_support_staff


class SupportDashboardView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Support dashboard"
    header_icon = "table"
    template_name = "tiers/admin/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"last {self.days} days"

    @property
    def days(self) -> int:
        return dashboard.PERIODS.get(self.request.GET.get("days", "30"), 30)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        start = now - dt.timedelta(days=self.days)
        count, latest = dashboard.breaches(start, now)
        context.update(
            days=self.days,
            periods=sorted(dashboard.PERIODS.values()),
            age_labels=[label for label, _low, _high in dashboard.AGE_BUCKETS],
            backlog=dashboard.backlog(now),
            attainment=dashboard.sla_attainment(start, now),
            resolution=dashboard.resolution_attainment(start, now),
            breach_count=count,
            breaches=latest,
            incidents=dashboard.incidents(start, now),
            notice_months=dashboard.notice_attainment_by_month(now),
            notice_months_count=dashboard.NOTICE_MONTHS,
            deflection=dashboard.deflection(start, now, now),
            session_gap=int(journeys.SESSION_GAP.total_seconds() // 60),
            zero_queries=dashboard.zero_result_queries(self.days),
            suggestions=early_warning.recent_suggestions(),
        )
        return context


class DeclareForm(forms.Form):
    key = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    description = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.TypedChoiceField(
        choices=[(n, f"Severity {n}") for n in (1, 2, 3, 4)], coerce=int
    )
    region = forms.ChoiceField(choices=[("", "Every region"), *REGION_CHOICES], required=False)


class EarlyWarningView(WagtailAdminTemplateMixin, TemplateView):
    """Suggested incidents with their evidence; declaring one is a single POST."""

    page_title = "Early warning"
    header_icon = "warning"
    template_name = "tiers/admin/early_warning.html"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_early_warning(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, forms_by_key=None, **kwargs):
        context = super().get_context_data(**kwargs)
        forms_by_key = forms_by_key or {}
        found = early_warning.recent_suggestions()
        context["suggestions"] = [
            (s, forms_by_key.get(s.key) or DeclareForm(initial=_initial(s), auto_id=f"id_s{n}_%s"))
            for n, s in enumerate(found)
        ]
        context["is_lead"] = may_see_dashboard(self.request.user)
        context["wants_alerts"] = warning_alerts.wants_alerts(self.request.user)
        context["recent_hours"] = int(early_warning.RECENT.total_seconds() // 3600)
        context["baseline_days"] = early_warning.BASELINE.days
        return context

    def post(self, request, *args, **kwargs):
        if "alerts" in request.POST:
            return self._switch_alerts(request)
        form = DeclareForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the incident draft: " + _errors(form))
            return self.render_to_response(
                self.get_context_data(forms_by_key={request.POST.get("key", ""): form}),
                status=400,
            )
        data = form.cleaned_data
        if data["key"] not in {s.key for s in early_warning.suggestions()}:
            messages.warning(request, "That suggestion is no longer current; nothing declared.")
            return redirect("tiers_early_warning")
        try:
            incident = record_problem(
                by=request.user,
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                region=data["region"],
            )
        except (TierError, PermissionDenied) as exc:
            messages.error(request, str(exc) or "You may not declare incidents.")
            return redirect("tiers_early_warning")
        messages.success(request, f"Incident declared: {incident.title}")
        return redirect(reverse("tiers_serviceproblem:edit", args=[incident.pk]))

    def _switch_alerts(self, request):
        on = request.POST["alerts"] == "on"
        warning_alerts.set_alerts(request.user, on=on)  # PermissionDenied for non-leads
        if on:
            messages.success(request, "You will be e-mailed when a new symptom is suggested.")
        else:
            messages.success(request, "Early-warning e-mails are off for you.")
        return redirect("tiers_early_warning")


def _initial(suggestion) -> dict:
    return {
        "key": suggestion.key,
        "title": suggestion.title,
        "description": suggestion.description,
        "severity": suggestion.severity,
        "region": suggestion.region,
    }


def _errors(form) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
