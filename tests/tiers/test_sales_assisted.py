"""Sales-assisted plans: a support lead assigns any plan in the admin's "New subscription"."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

import pytest

from resourcecenter.roles import ANALYSTS_GROUP, LEADS_GROUP
from tiers.models import Invoice, Plan, Subscription
from tiers.plans.selectors import plan_for
from tiers.plans.subscriptions import assign_plan, renew_subscriptions


@pytest.fixture
def lead(user_factory):
    user = user_factory(email="lead@example.com", display_name="Lee Lead")
    user.groups.add(Group.objects.get(name=LEADS_GROUP))
    return user


@pytest.fixture
def analyst(user_factory):
    user = user_factory(email="analyst@example.com", display_name="Dana Analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return user


@pytest.fixture
def enterprise(infinity):
    """A plan nobody can buy online (the kind sales agree on)."""
    return Plan.objects.create(
        name="Enterprise", code="enterprise", purchasable=False, price_per_month=Decimal(900)
    )


def test_new_subscription_form_has_organisation_and_plan(client, lead):
    client.force_login(lead)
    response = client.get("/admin/tiers/subscription/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("organisation", "plan", "starts_on", "term_months", "price_override", "notes"):
        assert f'name="{field}"' in html, field


def test_lead_assigns_a_sales_plan_in_the_admin(client, lead, org_a, enterprise, infinity):
    client.force_login(lead)
    response = client.post(
        "/admin/tiers/subscription/new/",
        {
            "organisation": org_a.pk,
            "plan": enterprise.pk,
            "starts_on": "2026-01-01",
            "term_months": 12,
            "price_override": "750.00",
            "notes": "Signed by Acme procurement.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    active = Subscription.objects.get(organisation=org_a, status="active")
    assert active.plan == enterprise and active.sales_assisted and active.term_months == 12
    assert active.current_period_end.date() == dt.date(2027, 1, 1)
    assert active.notes == "Signed by Acme procurement."
    # The self-service Infinity subscription it replaces has ended.
    assert Subscription.objects.get(organisation=org_a, plan=infinity).status == "ended"
    assert plan_for(org_a) == enterprise
    invoice = Invoice.objects.filter(subscription=active).get()
    assert invoice.amount == Decimal("9000.00")  # 12 months at the agreed 750


def test_sales_plan_renews_by_term_and_not_online(lead, org_a, enterprise):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    subscription = assign_plan(
        organisation=org_a, plan=enterprise, by=lead, starts_at=start, term_months=6
    )
    renew_subscriptions(now=dt.datetime(2025, 7, 2, tzinfo=dt.UTC))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert subscription.current_period_end == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not enterprise.purchasable  # still not for sale on the plans page


@pytest.mark.parametrize("who", ["analyst", "org_a_admin"])
def test_only_a_lead_assigns_plans(request, who, org_a, enterprise, client):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        assign_plan(organisation=org_a, plan=enterprise, by=user)
    client.force_login(user)
    response = client.get("/admin/tiers/subscription/new/")
    assert response.status_code in (302, 403)
    assert not response.headers.get("Location", "").startswith("/admin/tiers/subscription/new")


def test_assign_plan_refuses_a_bad_term(lead, org_a, enterprise):
    from tiers.errors import TierError

    with pytest.raises(TierError):
        assign_plan(organisation=org_a, plan=enterprise, by=lead, term_months=0)


def test_lead_sells_a_plan_end_to_end(client, lead, org_a, org_a_admin, infinity, open_ticket):
    """As the lead (not the superuser): a non-purchasable plan with its own resolution target,
    assigned to an organisation from the admin at an agreed price; the organisation's admin
    sees it and the next ticket works to that plan's targets."""
    from tiers.models import ResolutionTarget

    client.force_login(lead)
    scheme = infinity.severity_scheme
    premium = Plan.objects.create(
        name="Premium", code="premium", purchasable=False, price_per_month=Decimal(1500),
        may_open_tickets=True, case_prefix="PRM", channel_web=True, severity_scheme=scheme,
        response_target_hours=Decimal(2), around_the_clock_severities="1,2,3,4",
    )  # fmt: skip
    response = client.post(
        "/admin/tiers/resolutiontarget/new/", {"plan": premium.pk, "severity": 3, "hours": "6"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ResolutionTarget.objects.get(plan=premium).hours == Decimal(6)
    response = client.post(
        "/admin/tiers/subscription/new/",
        {"organisation": org_a.pk, "plan": premium.pk, "starts_on": "2026-02-01",
         "term_months": 24, "price_override": "1200.00", "notes": "Two-year deal."},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    subscription = Subscription.objects.get(organisation=org_a, status="active")
    assert (subscription.plan, subscription.price_override) == (premium, Decimal("1200.00"))
    assert subscription.current_period_end.date() == dt.date(2028, 2, 1)
    assert subscription.notes == "Two-year deal."
    # The organisation's admin sees the plan; the next ticket has its prefix and target.
    client.force_login(org_a_admin)
    page = client.get(f"/support/organisations/{org_a.slug}/").content.decode()
    assert "Premium" in page
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3)
    assert ticket.case_number.startswith("PRM-") and ticket.plan == premium
    assert ticket.resolution_target_seconds == 6 * 3600
