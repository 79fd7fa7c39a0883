"""tiers.demo loads both plans, three organisations and tickets in every state, idempotently."""

import datetime as dt
from io import StringIO

from django.core.management.color import no_style
from django.utils import timezone

from resourcecenter import demo as site_demo
from resourcecenter.models import HelpEvent
from tiers import demo
from tiers.models import Organisation, ProblemNotification, ServiceProblem, Ticket
from tiers.reports import dashboard


def test_demo_loads_every_state_and_is_idempotent(db):
    site_demo.load(StringIO(), no_style())
    from forum import demo as forum_demo

    forum_demo.load(StringIO(), no_style())
    out = StringIO()
    demo.load(out, no_style())
    assert "3 organisations" in out.getvalue()
    plans = {o.slug: o for o in Organisation.objects.all()}
    assert set(plans) >= {"northwind-telematics", "rheinland-smart-metering", "sprout-sensors"}
    assert {o.region for o in Organisation.objects.filter(subscriptions__status="active")} == {
        "us",
        "eu",
    }
    states = set(Ticket.objects.values_list("status", flat=True))
    assert states == {s for s, _ in Ticket.STATUS_CHOICES}
    assert Ticket.objects.filter(breached_at__isnull=False).exists()
    assert Ticket.objects.filter(thread__isnull=False).exists()
    phone = Ticket.objects.get(channel="phone")
    assert phone.opened_by.email == "staff@example.com"
    assert phone.requester.email == "ben.kowalski@example.com"
    assert ServiceProblem.objects.filter(status="monitoring", region="eu").exists()
    assert ServiceProblem.objects.filter(status="resolved").exists()
    # The Infinity contacts were told, Community's were not; nothing is left unsent.
    told = set(ProblemNotification.objects.values_list("user__email", flat=True))
    assert {"member@example.com", "klara.schmidt@example.com"} <= told
    assert "chen.li@example.com" not in told
    assert not ProblemNotification.objects.filter(status="pending").exists()
    assert not any(n.is_late for n in ProblemNotification.objects.all())
    # The status page's year of history: public incidents in each of the last 12 months.
    history = ServiceProblem.objects.filter(created_by__isnull=True, is_public=True)
    months = {p.started_at.strftime("%Y-%m") for p in history}
    assert len(months) >= 12 and history.count() >= 25
    # Help sessions: the dashboard's deflection panel has figures, with and without tickets.
    now = timezone.now()
    deflection = dashboard.deflection(now - dt.timedelta(days=30), now, now)
    assert deflection.sessions >= 30 and deflection.with_ticket >= 1
    assert deflection.without_ticket > deflection.with_ticket
    assert deflection.searches >= deflection.sessions  # every demo session starts with a search
    help_events = HelpEvent.objects.count()
    count = Ticket.objects.count()
    notifications = ProblemNotification.objects.count()
    problems = ServiceProblem.objects.count()
    demo.load(StringIO(), no_style())
    assert Ticket.objects.count() == count
    assert Organisation.objects.count() == 3
    assert ServiceProblem.objects.filter(created_by__email="staff@example.com").count() == 2
    assert ServiceProblem.objects.count() == problems
    assert ProblemNotification.objects.count() == notifications
    assert HelpEvent.objects.count() == help_events
