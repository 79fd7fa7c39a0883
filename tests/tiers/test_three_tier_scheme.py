"""The second provider's scheme loads as data and classifies severity by devices affected."""

from io import StringIO

from django.core.management import call_command

import pytest

from tiers import services
from tiers.models import Plan
from tiers.plans.seed import THREE_TIER_FILE


@pytest.fixture
def scheme(db):
    out = StringIO()
    call_command("tiers_load_plans", str(THREE_TIER_FILE), stdout=out)
    assert "3 plans" in out.getvalue()
    return out


def test_loads_idempotently(scheme):
    call_command("tiers_load_plans", str(THREE_TIER_FILE), stdout=StringIO())
    assert set(Plan.objects.values_list("code", flat=True)) == {
        "community",
        "infinity",
        "standard",
        "business",
        "enterprise",
    }
    assert Plan.objects.get(is_default=True).code == "community"


def _org_on(plan_code, make_org, user_factory):
    from tiers.models import Subscription

    admin = user_factory()
    org = make_org(name=f"{plan_code} customer", region="eu", admin=admin)
    plan = Plan.objects.get(code=plan_code)
    from django.utils import timezone

    Subscription.objects.create(
        organisation=org,
        plan=plan,
        current_period_start=timezone.now(),
        current_period_end=services.add_month(timezone.now()),
    )
    return org, admin


@pytest.mark.parametrize(
    ("devices", "expected"), [(5000, 1), (1000, 1), (999, 2), (25, 2), (24, 3), (0, 3), (None, 3)]
)
def test_business_severity_from_devices(scheme, make_org, user_factory, devices, expected):
    org, admin = _org_on("business", make_org, user_factory)
    ticket = services.open_ticket(
        organisation=org,
        requester=admin,
        subject="Data degradation",
        description="Many devices",
        devices_affected=devices,
    )
    assert ticket.case_number.startswith("BUS-")
    assert ticket.severity == expected
    assert ticket.severity_level.name in (
        "Critical incident",
        "Operational incident",
        "General issue",
    )


def test_standard_tickets_are_always_general(scheme, make_org, user_factory):
    org, admin = _org_on("standard", make_org, user_factory)
    ticket = services.open_ticket(
        organisation=org,
        requester=admin,
        subject="Everything is down",
        description="All devices",
        devices_affected=50_000,
        customer_severity=1,
    )
    assert ticket.severity == 3 and ticket.severity_level.name == "General issue"
    assert ticket.customer_severity == 1


def test_bad_file_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text('{"plans": [{"name": "no code"}]}')
    with pytest.raises(CommandError, match="not a valid plan file"):
        call_command("tiers_load_plans", str(bad))
    with pytest.raises(CommandError, match="No such file"):
        call_command("tiers_load_plans", str(tmp_path / "missing.json"))
