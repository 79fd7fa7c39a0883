"""A user in organisations on different severity schemes: the ticket form offers each
organisation its own plan's levels and refuses a level the chosen organisation's plan lacks."""

import re
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest

from tiers import services
from tiers.models import Plan, Subscription, Ticket
from tiers.plans.seed import THREE_TIER_FILE


@pytest.fixture
def business_org(db, make_org, org_a_admin, org_a):
    """org_a (Infinity, severity 1-4) and, for the same admin, an org on Business (1-3)."""
    call_command("tiers_load_plans", str(THREE_TIER_FILE), stdout=StringIO())
    org = make_org(name="Zeta Metering", region="eu", admin=org_a_admin)
    Subscription.objects.create(
        organisation=org,
        plan=Plan.objects.get(code="business"),
        current_period_start=timezone.now(),
        current_period_end=services.add_month(timezone.now()),
    )
    return org


def data(organisation, severity, **extra):
    values = {
        "organisation": organisation.pk,
        "subject": "Meters offline in Hamburg",
        "category": "troubleshooting",
        "description": "No traffic since 03:00.",
        "customer_severity": str(severity),
    }
    values.update(extra)
    return values


def test_form_offers_each_organisations_levels(client, org_a, org_a_admin, business_org):
    client.force_login(org_a_admin)
    html = client.get("/support/tickets/new/").content.decode()
    groups = re.findall(r'data-tiers-severity-for="([^"]+)"', html)
    assert sorted(groups) == sorted([str(org_a.pk), str(business_org.pk)])
    assert "Severity 1 - service down" in html and "Severity 4 - question or request" in html
    assert "Critical incident" in html and "Operational incident" in html
    assert "General issue" in html
    assert "for Org A (Severity 1-4 by service impact)" in html
    assert "for Zeta Metering" in html
    # Radio ids are unique although both schemes have a level 1.
    ids = re.findall(r'id="(id_customer_severity_[^"]+)"', html)
    assert len(ids) == len(set(ids)) == 7


def test_level_not_in_the_chosen_organisations_plan_is_refused(
    client, org_a, org_a_admin, business_org
):
    client.force_login(org_a_admin)
    response = client.post("/support/tickets/new/", data(business_org, 4))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Severity 4 is not a level of the plan of Zeta Metering (Business)" in html
    assert "1 (Critical incident); 2 (Operational incident); 3 (General issue)" in html
    assert "Meters offline in Hamburg" in html  # nothing typed is lost
    assert not Ticket.objects.exists()


def test_each_organisation_gets_its_own_scheme(client, org_a, org_a_admin, business_org):
    client.force_login(org_a_admin)
    response = client.post("/support/tickets/new/", data(business_org, 2, devices_affected="30"))
    assert response.status_code == 302
    business_ticket = Ticket.objects.get()
    assert business_ticket.case_number.startswith("BUS-")
    assert business_ticket.customer_severity == 2 and business_ticket.severity == 2
    assert business_ticket.severity_level.name == "Operational incident"
    response = client.post("/support/tickets/new/", data(org_a, 4))
    assert response.status_code == 302
    infinity_ticket = Ticket.objects.exclude(pk=business_ticket.pk).get()
    assert infinity_ticket.case_number.startswith("INF-") and infinity_ticket.severity == 4


def test_redisplay_checks_the_choice_only_in_the_chosen_organisations_group(
    client, org_a, org_a_admin, business_org
):
    client.force_login(org_a_admin)
    html = client.post("/support/tickets/new/", data(business_org, 2, subject="")).content.decode()
    checked = re.findall(r'id="(id_customer_severity_[^"]+)" checked', html)
    scheme = business_org.subscriptions.get().plan.severity_scheme_id
    assert checked == [f"id_customer_severity_{scheme}_2"]


def test_single_scheme_form_is_unchanged(client, org_a, org_a_admin):
    client.force_login(org_a_admin)
    html = client.get("/support/tickets/new/").content.decode()
    assert html.count("data-tiers-severity-for=") == 1
    assert "<legend>Your estimate of the severity</legend>" in html
