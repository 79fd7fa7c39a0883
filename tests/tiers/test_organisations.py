"""Organisations, point of contact, invitations and self-service subscriptions."""

import datetime as dt
import importlib

from django.apps import apps
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from tiers import gate, services
from tiers.models import Invoice, InvoiceCounter, Membership, Subscription
from tiers.plans import billing
from tiers.services import TierError

from .conftest import add_member


def test_creator_is_admin_and_point_of_contact(make_org, user_factory):
    admin = user_factory()
    org = make_org(admin=admin)
    membership = org.memberships.get()
    assert membership.user == admin and membership.is_admin and membership.is_point_of_contact


def test_database_allows_only_one_point_of_contact(org_a, user_factory):
    other = add_member(org_a, user_factory())
    other.is_point_of_contact = True
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_point_of_contact_moves(org_a, org_a_admin, org_a_member):
    membership = org_a.memberships.get(user=org_a_member)
    services.set_point_of_contact(membership=membership, by=org_a_admin)
    assert list(org_a.memberships.filter(is_point_of_contact=True)) == [membership]


def test_point_of_contact_and_last_admin_cannot_be_removed(org_a, org_a_admin, org_a_member):
    admin_membership = org_a.memberships.get(user=org_a_admin)
    with pytest.raises(TierError, match="point of contact"):
        services.remove_member(membership=admin_membership, by=org_a_admin)
    with pytest.raises(TierError, match="at least one admin"):
        services.change_role(membership=admin_membership, role="member", by=org_a_admin)
    services.remove_member(membership=org_a.memberships.get(user=org_a_member), by=org_a_admin)
    assert not org_a.memberships.filter(user=org_a_member).exists()


def test_members_cannot_manage(org_a, org_a_member, org_a_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.invite_member(
            organisation=org_a, email="x@example.com", role="member", by=org_a_member
        )


def test_invitation_flow(
    client, org_a, org_a_admin, user_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            organisation=org_a, email="New.Person@example.com", role="member", by=org_a_admin
        )
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.com"]
    url = next(w for w in message.body.split() if "/support/invitations/" in w)
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    # Someone else cannot use it.
    intruder = user_factory(email="intruder@example.com")
    client.force_login(intruder)
    client.post(path)
    assert not org_a.memberships.filter(user=intruder).exists()
    invitee = user_factory(email="new.person@example.com")
    client.force_login(invitee)
    response = client.post(path)
    assert response.status_code == 302
    assert org_a.memberships.filter(user=invitee, role="member").exists()
    # Used once only.
    with pytest.raises(TierError, match="already been used"):
        services.accept_invitation(token=path.rstrip("/").rsplit("/", 1)[1], user=invitee)


def test_invitation_tampered_or_expired(client, org_a, org_a_admin, user_factory):
    invitation = services.invite_member(
        organisation=org_a, email="late@example.com", role="member", by=org_a_admin
    )
    token = services.invitation_token(invitation)
    assert client.get(f"/support/invitations/{token}x/").status_code == 400
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    with pytest.raises(TierError, match="expired"):
        services.accept_invitation(token=token, user=user_factory(email="late@example.com"))
    forged = signing.dumps({"id": invitation.pk, "email": "late@example.com"}, salt="other")
    with pytest.raises(TierError, match="not valid"):
        services.invitation_from_token(forged)


def test_buy_infinity_from_account_page(
    client, community_org, infinity, django_capture_on_commit_callbacks
):
    admin = community_org.memberships.get().user
    client.force_login(admin)
    page = client.get(community_org.get_absolute_url()).content.decode()
    assert f"/support/organisations/{community_org.slug}/subscribe/infinity/" in page
    confirm = client.get(f"/support/organisations/{community_org.slug}/subscribe/infinity/")
    assert b"renewing on" in confirm.content
    assert not gate.can_open_tickets(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/support/organisations/{community_org.slug}/subscribe/infinity/")
    subscription = Subscription.objects.get(organisation=community_org)
    assert subscription.plan == infinity and subscription.status == "active"
    assert subscription.current_period_end > subscription.current_period_start
    invoice = Invoice.objects.get(subscription=subscription)
    assert invoice.amount == infinity.price_per_month
    admin = type(admin).objects.get(pk=admin.pk)  # fresh request user
    assert gate.can_open_tickets(admin)
    assert "infinity" in gate.audiences_for(admin)
    with pytest.raises(TierError, match="already on"):
        services.subscribe(organisation=community_org, plan=infinity, by=admin)


def test_member_cannot_buy(client, org_a, org_a_member, community_org, infinity, user_factory):
    member = user_factory()
    add_member(community_org, member)
    client.force_login(member)
    assert (
        client.post(f"/support/organisations/{community_org.slug}/subscribe/infinity/").status_code
        == 403
    )
    assert not Subscription.objects.filter(organisation=community_org).exists()


def test_cancel_at_period_end_then_sweep_ends_it(org_a, org_a_admin):
    subscription = org_a.subscriptions.get()
    services.cancel_subscription(subscription=subscription, by=org_a_admin)
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.renews_at is None
    assert (
        services.renew_subscriptions(now=subscription.current_period_end - dt.timedelta(hours=1))
        == 0
    )
    services.renew_subscriptions(now=subscription.current_period_end + dt.timedelta(minutes=1))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.STATUS_CANCELLED
    fresh = type(org_a_admin).objects.get(pk=org_a_admin.pk)
    assert not gate.can_open_tickets(fresh)


def test_renewal_raises_next_invoice(org_a):
    subscription = org_a.subscriptions.get()
    end = subscription.current_period_end
    services.renew_subscriptions(now=end + dt.timedelta(minutes=1))
    subscription.refresh_from_db()
    assert subscription.current_period_start == end
    assert subscription.invoices.count() == 2


def test_add_month_clamps_day():
    moment = dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC)
    assert services.add_month(moment) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert services.add_month(dt.datetime(2026, 12, 15, tzinfo=dt.UTC)).year == 2027


def test_org_admin_sees_allowance_usage(
    client, org_a, org_a_admin, org_a_member, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin)
    services.log_time(ticket=ticket, analyst=staff_user, minutes=30, category="troubleshooting")
    client.force_login(org_a_admin)
    html = client.get(org_a.get_absolute_url()).content.decode()
    assert "This month&#x27;s allowance" in html or "This month's allowance" in html
    assert "0.5 hours" in html  # the site's one number style (resourcecenter wording)
    client.force_login(org_a_member)
    html = client.get(org_a.get_absolute_url()).content.decode()
    assert "usage-heading" not in html


def test_outsiders_cannot_see_org(client, org_a, org_b_member):
    client.force_login(org_b_member)
    assert client.get(org_a.get_absolute_url()).status_code == 404


def test_create_organisation_form(client, user_factory):
    user = user_factory()
    client.force_login(user)
    response = client.post("/support/organisations/new/", {"name": "Nimbus Fleet", "region": "eu"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.organisation.region == "eu" and membership.is_point_of_contact
    bad = client.post("/support/organisations/new/", {"name": "", "region": "mars"})
    assert bad.status_code == 200 and b"errorlist" in bad.content


def test_org_page_queries_are_bounded(
    client, org_a, org_a_admin, user_factory, django_assert_max_num_queries
):
    for i in range(12):
        add_member(org_a, user_factory(email=f"crowd{i}@example.com"))
        services.invite_member(
            organisation=org_a, email=f"invitee{i}@example.com", role="member", by=org_a_admin
        )
    client.force_login(org_a_admin)
    with django_assert_max_num_queries(25):
        response = client.get(org_a.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/support/plans/").status_code == 200


def test_invoice_counter_migration_starts_after_numbers_already_issued(org_a):
    migration = importlib.import_module("tiers.migrations.0017_invoice_counter")
    subscription = org_a.subscriptions.get()
    InvoiceCounter.objects.all().delete()
    Invoice.objects.all().delete()
    for number in ("INV-2025-000007", "INV-2026-000041", "INV-2026-000003", "LEGACY-1"):
        Invoice.objects.create(
            organisation=org_a, subscription=subscription, number=number, description="x", amount=1
        )
    migration.start_after_existing_invoices(apps, None)
    assert dict(InvoiceCounter.objects.values_list("year", "last_number")) == {2025: 7, 2026: 41}
    with transaction.atomic():
        assert billing.next_invoice_number(2026) == 42
        assert billing.next_invoice_number(2027) == 1
