"""Load plans, severity schemes, calendars and escalation contacts from a JSON data file.

The same loader seeds the default Community/Infinity data (data migration 0002) and loads other
schemes such as `tiers/fixtures/three_tier_scheme.json` (`manage.py tiers_load_plans FILE`).
It is idempotent: rows are matched by their codes (e-mail for contacts, text for exclusions) and
updated in place, so re-loading a file never duplicates anything.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from tiers.plans.calendars import seed_holidays, seed_years

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEFAULT_PLANS_FILE = FIXTURES / "default_plans.json"
THREE_TIER_FILE = FIXTURES / "three_tier_scheme.json"

PLAN_FIELDS = {
    "name": str,
    "tagline": str,
    "is_default": bool,
    "purchasable": bool,
    "sort_order": int,
    "price_per_month": Decimal,
    "currency": str,
    "may_open_tickets": bool,
    "case_prefix": str,
    "channel_web": bool,
    "channel_email": bool,
    "channel_phone": bool,
    "phone_number": str,
    "phone_severities": str,
    "fixed_severity": int,
    "ack_target_minutes": int,
    "response_target_hours": Decimal,
    "around_the_clock_severities": str,
    "troubleshooting_hours": Decimal,
    "troubleshooting_cases": int,
    "provisioning_hours": Decimal,
    "overage_rule": str,
    "overage_hourly_rate": Decimal,
    "proactive_notification_minutes": int,
    "proactive_notification_max_severity": int,
    "case_reports": bool,
    "kpi_reports": bool,
    "postmortem_impacts": str,
    "network_traces": bool,
    "reopen_window_days": int,
    "features": str,
}


def _default_get_model(app_label: str, model_name: str):
    from django.apps import apps

    return apps.get_model(app_label, model_name)


def load_file(path: str | Path, get_model=_default_get_model) -> dict[str, int]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return load_data(data, get_model)


def load_data(data: dict, get_model=_default_get_model) -> dict[str, int]:
    """Create or update everything in `data`; returns counts per kind."""
    # In dependency order: plans name schemes and escalation contacts.
    return {
        "calendars": _load_calendars(data.get("calendars", []), get_model),
        "schemes": _load_schemes(data.get("schemes", []), get_model),
        "contacts": _load_contacts(data.get("escalation_contacts", []), get_model),
        "exclusions": _load_exclusions(data.get("exclusions", []), get_model),
        "plans": _load_plans(data.get("plans", []), get_model),
    }


def _load_calendars(items: list, get_model) -> int:
    calendar_model = get_model("tiers", "BusinessCalendar")
    holiday_model = get_model("tiers", "Holiday")
    for item in items:
        calendar, _ = calendar_model.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "timezone": item.get("timezone", "UTC"),
                "open_time": dt.time.fromisoformat(item.get("open_time", "08:00")),
                "close_time": dt.time.fromisoformat(item.get("close_time", "20:00")),
                "weekdays": item.get("weekdays", "0,1,2,3,4"),
                "always_open": item.get("always_open", False),
            },
        )
        for holiday in item.get("holidays", []):
            holiday_model.objects.update_or_create(
                calendar=calendar,
                date=dt.date.fromisoformat(holiday["date"]),
                defaults={"name": holiday["name"]},
            )
        if item.get("holiday_source"):
            # This year and the next three from the `holidays` package; rows already there
            # (listed above or edited by staff) are kept as they are.
            seed_holidays(calendar, item["holiday_source"], seed_years(), holiday_model)
    return len(items)


def _load_schemes(items: list, get_model) -> int:
    scheme_model = get_model("tiers", "SeverityScheme")
    level_model = get_model("tiers", "SeverityLevel")
    for item in items:
        scheme, _ = scheme_model.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"]}
        )
        for level in item["levels"]:
            level_model.objects.update_or_create(
                scheme=scheme,
                number=level["number"],
                defaults={
                    "name": level["name"],
                    "definition": level["definition"],
                    "min_devices_affected": level.get("min_devices_affected"),
                },
            )
    return len(items)


def _load_contacts(items: list, get_model) -> int:
    contact_model = get_model("tiers", "EscalationContact")
    for item in items:
        contact_model.objects.update_or_create(
            email=item["email"], defaults={"name": item["name"], "title": item["title"]}
        )
    return len(items)


def _load_exclusions(texts: list, get_model) -> int:
    exclusion_model = get_model("tiers", "ExclusionReason")
    for position, text in enumerate(texts):
        exclusion_model.objects.get_or_create(text=text, defaults={"sort_order": position})
    return len(texts)


def _load_plans(items: list, get_model) -> int:
    scheme_model = get_model("tiers", "SeverityScheme")
    plan_model = get_model("tiers", "Plan")
    for item in items:
        defaults = {}
        # An early data migration loads this file with the plan model of its time: fields
        # added later are filled by their own migrations.
        known = {field.name for field in plan_model._meta.get_fields()}
        for name, kind in PLAN_FIELDS.items():
            if name in item and item[name] is not None and name in known:
                defaults[name] = kind(item[name])
        if item.get("severity_scheme"):
            defaults["severity_scheme"] = scheme_model.objects.get(code=item["severity_scheme"])
        if defaults.get("is_default"):
            plan_model.objects.filter(is_default=True).exclude(code=item["code"]).update(
                is_default=False
            )
        plan, _ = plan_model.objects.update_or_create(code=item["code"], defaults=defaults)
        if "escalation_rules" in item:
            _replace_escalation_rules(plan, item["escalation_rules"], get_model)
        if "resolution_targets" in item:
            _load_resolution_targets(plan, item["resolution_targets"], get_model)
    return len(items)


def _replace_escalation_rules(plan, rules: list, get_model) -> None:
    rule_model = get_model("tiers", "EscalationRule")
    contact_model = get_model("tiers", "EscalationContact")
    rule_model.objects.filter(plan=plan).delete()
    for rule in rules:
        rule_model.objects.create(
            plan=plan,
            severity=rule["severity"],
            contact=contact_model.objects.get(email=rule["contact"]),
            after_minutes=rule["after_minutes"],
        )


def _load_resolution_targets(plan, targets: list[dict], get_model) -> None:
    """Per-severity resolution targets; skipped while migrating to a state before the model
    existed (data migration 0002 runs this loader; a later migration adds the model)."""
    try:
        target_model = get_model("tiers", "ResolutionTarget")
    except LookupError:
        return
    for target in targets:
        target_model.objects.update_or_create(
            plan=plan, severity=target["severity"], defaults={"hours": Decimal(target["hours"])}
        )
