"""Lifecycle edge cases: reopening before a first response, pausing with a warning due,
lowering the severity, and the overage rules."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tiers import services
from tiers.models import Ticket, TicketEvent, TicketTimer
from tiers.tickets import sla

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)


def _pending(ticket, *kinds):
    return ticket.timers.filter(kind__in=kinds, fired_at=None, cancelled_at=None)


@pytest.mark.parametrize("by_customer", [True, False])
def test_reopening_a_case_resolved_before_the_first_response_replans_its_timers(
    org_a, org_a_admin, open_ticket, staff_user, by_customer
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=2, now=MONDAY_9)
    sla.fire_due_timers(now=MONDAY_9 + dt.timedelta(minutes=1))  # the Director is told
    services.set_status(
        ticket=ticket, status=Ticket.RESOLVED, by=staff_user, now=MONDAY_9 + dt.timedelta(hours=1)
    )
    assert not _pending(ticket, TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH).exists()
    reopened = MONDAY_9 + dt.timedelta(days=1)
    if by_customer:
        services.add_reply(ticket=ticket, author=org_a_admin, body="Still broken.", now=reopened)
    else:
        services.set_status(ticket=ticket, status=Ticket.IN_PROGRESS, by=staff_user, now=reopened)
    ticket.refresh_from_db()
    assert ticket.is_open and ticket.first_response_at is None
    timers = _pending(ticket, TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH)
    assert {t.kind for t in timers} == {TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH}
    assert all(t.due_at > reopened for t in timers)
    # The hour used before resolving still counts: 24x7 target minus one hour.
    target = dt.timedelta(seconds=ticket.response_target_seconds)
    assert ticket.response_due_at == reopened + target - dt.timedelta(hours=1)
    # The escalation not yet sent before resolving is planned again from the reopening.
    escalations = _pending(ticket, TicketTimer.KIND_ESCALATE)
    assert [t.contact.email for t in escalations] == ["vp.operations@example.com"]
    sla.fire_due_timers(now=ticket.response_due_at + dt.timedelta(seconds=1))
    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.response_due_at
    assert ticket.events.filter(kind="sla_warning").count() == 3
    assert ticket.events.filter(kind="escalated", data__contact="vp.operations@example.com")


def test_a_warning_due_but_not_yet_swept_is_kept_when_the_ticket_waits(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=MONDAY_9)
    half = ticket.timers.get(kind=TicketTimer.KIND_WARN, percent=50).due_at
    services.set_status(
        ticket=ticket, status=Ticket.WAITING, by=staff_user, now=half + dt.timedelta(minutes=5)
    )
    warning = TicketEvent.objects.get(ticket=ticket, kind="sla_warning")
    assert warning.data["percent"] == 50
    assert ticket.timers.get(kind=TicketTimer.KIND_WARN, percent=50).fired_at is not None
    assert not _pending(ticket, TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH).exists()


def test_lowering_severity_does_not_escalate_again_to_those_already_told(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=1, now=MONDAY_9)
    sla.fire_due_timers(now=MONDAY_9 + dt.timedelta(minutes=1))
    told = {"director.operations@example.com", "vp.operations@example.com"}
    assert told <= set(
        ticket.events.filter(kind="escalated").values_list("data__contact", flat=True)
    )
    lowered = MONDAY_9 + dt.timedelta(minutes=30)
    before = ticket.events.filter(kind="escalated").count()
    services.set_severity(ticket=ticket, severity=2, by=staff_user, now=lowered)
    sla.fire_due_timers(now=lowered + dt.timedelta(days=1))
    assert ticket.events.filter(kind="escalated").count() == before


def test_raising_severity_still_escalates(org_a, org_a_admin, open_ticket, staff_user):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=2, now=MONDAY_9)
    sla.fire_due_timers(now=MONDAY_9 + dt.timedelta(minutes=1))
    raised = MONDAY_9 + dt.timedelta(minutes=30)
    services.set_severity(ticket=ticket, severity=1, by=staff_user, now=raised)
    sla.fire_due_timers(now=raised + dt.timedelta(minutes=1))
    contacts = list(ticket.events.filter(kind="escalated").values_list("data__contact", flat=True))
    assert contacts.count("director.operations@example.com") == 2
    assert "vp.operations@example.com" in contacts


def test_overage_quote_is_computed_from_exact_minutes(
    org_a, org_a_admin, open_ticket, staff_user, infinity
):
    infinity.overage_rule = infinity.OVERAGE_QUOTE
    infinity.overage_hourly_rate = Decimal("185.00")
    infinity.save()
    ticket = open_ticket(org_a, org_a_admin, category="provisioning")
    services.log_time(ticket=ticket, analyst=staff_user, minutes=70, category="provisioning")
    quote = ticket.quotes.get()
    # 10 minutes over at 185/hour = 30.8333... -> 30.83 (not 0.17 h x 185 = 31.45).
    assert quote.amount == Decimal("30.83")
    assert "10 min" in quote.description


def test_quote_rule_quotes_a_case_beyond_the_monthly_case_limit(
    org_a, org_a_admin, open_ticket, infinity
):
    infinity.overage_rule = infinity.OVERAGE_QUOTE
    infinity.save()
    for _ in range(3):
        assert not open_ticket(org_a, org_a_admin).quotes.exists()
    fourth = open_ticket(org_a, org_a_admin)
    quote = fourth.quotes.get()
    assert quote.amount == infinity.overage_hourly_rate  # one hour of professional services
    assert quote.status == quote.PENDING and quote.created_by is None
    assert "case" in quote.reason
    # Provisioning has its own (hours) allowance: no case quote for it.
    assert not open_ticket(org_a, org_a_admin, category="provisioning").quotes.exists()


def test_allowance_months_follow_the_region_time_zone(org_a, org_a_admin, open_ticket, staff_user):
    from tiers.models import TimeEntry
    from tiers.selectors import allowance_usage

    ticket = open_ticket(org_a, org_a_admin, category="provisioning", now=MONDAY_9)
    # 1 March 03:00 UTC is still 28 February, 21:00, in Chicago: February's work.
    late_february = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)
    TimeEntry.objects.create(
        ticket=ticket,
        analyst=staff_user,
        minutes=45,
        category="provisioning",
        logged_at=late_february,
    )
    march = allowance_usage(org_a, ticket.plan, MONDAY_9)
    assert march.month_start == dt.datetime(2026, 3, 1, tzinfo=CHICAGO)
    assert march.provisioning_hours.minutes == 0
    february = allowance_usage(org_a, ticket.plan, late_february)
    assert february.provisioning_hours.minutes == 45


def test_due_times_in_e_mails_use_the_region_time_zone(
    org_a, org_a_admin, open_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=MONDAY_9)
    due = ticket.response_due_at.astimezone(CHICAGO)
    expected = f"{due:%a %d %b %Y %H:%M} CST"
    staff_mail = next(m for m in mailoutbox if "New ticket" in m.subject)
    acknowledgement = next(m for m in mailoutbox if "Received" in m.subject)
    assert expected in staff_mail.body and expected in acknowledgement.body
    assert " UTC" not in staff_mail.body


def test_the_acknowledgement_records_when_it_was_really_sent(
    org_a, org_a_admin, open_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    from tiers.tickets.selectors import acknowledgement_attainment

    with django_capture_on_commit_callbacks(execute=False) as queued:
        ticket = open_ticket(org_a, org_a_admin, now=MONDAY_9)
    ticket.refresh_from_db()
    assert ticket.acknowledgement_sent_at is None  # queued, not sent
    assert not any("Received" in m.subject for m in mailoutbox)
    for callback in queued:
        callback()
    ticket.refresh_from_db()
    assert any("Received" in m.subject for m in mailoutbox)
    assert ticket.acknowledgement_sent_at is not None
    # Sent now, long after MONDAY_9: the 5-minute target was missed for this one.
    on_time = open_ticket(org_a, org_a_admin)
    Ticket.objects.filter(pk=on_time.pk).update(
        acknowledgement_sent_at=on_time.created_at + dt.timedelta(minutes=2)
    )
    report = acknowledgement_attainment(Ticket.objects.all())
    assert (report.total, report.on_time, report.late, report.unsent) == (2, 1, 1, 0)
    assert report.percent == 50


def test_staff_see_the_acknowledgement_attainment_on_the_queue(
    client, superuser, org_a, org_a_admin, open_ticket
):
    ticket = open_ticket(org_a, org_a_admin)
    Ticket.objects.filter(pk=ticket.pk).update(
        acknowledgement_sent_at=ticket.created_at + dt.timedelta(minutes=1)
    )
    client.force_login(superuser)
    html = client.get("/admin/tiers/ticket/").content.decode()
    assert "Acknowledgements within target (30 days): 1 of 1 (100%)" in html
