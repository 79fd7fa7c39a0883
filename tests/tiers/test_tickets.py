"""Ticket lifecycle through tiers.services: numbers, acknowledgement, SLA, severity, escalation."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.exceptions import PermissionDenied

import pytest

from tiers import services
from tiers.models import ExclusionReason, Quote, Ticket, TicketTimer
from tiers.services import TierError
from tiers.tickets import sla

CHICAGO = ZoneInfo("America/Chicago")


def test_case_numbers_are_sequential_per_prefix_and_year(org_a, org_a_admin, open_ticket):
    first = open_ticket(org_a, org_a_admin)
    second = open_ticket(org_a, org_a_admin)
    year = first.created_at.year
    assert first.case_number == f"INF-{year}-000001"
    assert second.case_number == f"INF-{year}-000002"
    next_year = open_ticket(org_a, org_a_admin, now=dt.datetime(year + 1, 1, 2, 12, tzinfo=dt.UTC))
    assert next_year.case_number == f"INF-{year + 1}-000001"


def test_rolled_back_ticket_gives_its_number_back(org_a, org_a_admin, open_ticket):
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        open_ticket(org_a, org_a_admin)
        raise Boom
    ticket = open_ticket(org_a, org_a_admin)
    assert ticket.case_number.endswith("-000001")


def test_acknowledgement_is_immediate_with_case_number_and_due_time(
    org_a, org_a_admin, open_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket(org_a, org_a_admin, customer_severity=3)
    assert ticket.status == Ticket.ACKNOWLEDGED
    assert ticket.acknowledged_at is not None
    assert ticket.acknowledged_at - ticket.created_at <= dt.timedelta(minutes=5)
    ack = [m for m in mail.outbox if "Received" in m.subject]
    assert len(ack) == 1
    assert ticket.case_number in ack[0].subject
    assert "Analyst response due by" in ack[0].body
    assert ack[0].to == [org_a_admin.email]
    assert ticket.events.filter(kind="acknowledged").exists()


def test_community_org_cannot_open_tickets(community_org, open_ticket):
    admin = community_org.memberships.get().user
    with pytest.raises(TierError, match="does not include tickets"):
        open_ticket(community_org, admin)


def test_non_member_cannot_open_ticket_for_org(org_a, org_b_admin, open_ticket):
    with pytest.raises(PermissionDenied):
        open_ticket(org_a, org_b_admin)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subject": "  "}, "subject"),
        ({"description": ""}, "Describe"),
        ({"devices_affected": -1}, "negative"),
        ({"customer_severity": 7}, "severity estimate"),
        ({"category": "gardening"}, "kind of help"),
    ],
)
def test_invalid_input_is_refused_with_a_message(org_a, org_a_admin, open_ticket, kwargs, message):
    with pytest.raises(TierError, match=message):
        open_ticket(org_a, org_a_admin, **kwargs)


def test_sev3_is_measured_in_business_hours_of_the_region(org_a, org_a_admin, open_ticket):
    # Friday 2026-03-06 18:00 Chicago; 12 business hours -> Monday 18:00 CDT (after DST change).
    now = dt.datetime(2026, 3, 6, 18, 0, tzinfo=CHICAGO)
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=now)
    assert ticket.response_due_at == dt.datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)


def test_sev3_skips_us_holidays(org_a, org_a_admin, open_ticket):
    now = dt.datetime(2026, 11, 25, 14, 0, tzinfo=CHICAGO)  # day before Thanksgiving
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=now)
    assert ticket.response_due_at == dt.datetime(2026, 11, 27, 14, 0, tzinfo=CHICAGO)


def test_europe_org_uses_berlin_hours(org_b, org_b_admin, open_ticket):
    berlin = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2026, 6, 13, 11, 0, tzinfo=berlin)  # Saturday
    ticket = open_ticket(org_b, org_b_admin, customer_severity=4, now=now)
    assert ticket.response_due_at == dt.datetime(2026, 6, 15, 20, 0, tzinfo=berlin)


def test_sev1_runs_around_the_clock(org_a, org_a_admin, open_ticket):
    now = dt.datetime(2026, 3, 7, 3, 0, tzinfo=dt.UTC)  # Saturday night
    ticket = open_ticket(org_a, org_a_admin, customer_severity=1, now=now)
    assert ticket.response_due_at == now + dt.timedelta(hours=12)


def test_warning_timers_at_50_75_90_percent_and_breach(org_a, org_a_admin, open_ticket):
    now = dt.datetime(2026, 3, 7, 3, 0, tzinfo=dt.UTC)
    ticket = open_ticket(org_a, org_a_admin, customer_severity=2, now=now)
    timers = ticket.timers.filter(kind__in=["warn", "breach"], cancelled_at=None)
    assert sorted((t.kind, t.percent, t.due_at - now) for t in timers) == [
        ("breach", None, dt.timedelta(hours=12)),
        ("warn", 50, dt.timedelta(hours=6)),
        ("warn", 75, dt.timedelta(hours=9)),
        ("warn", 90, dt.timedelta(hours=10, minutes=48)),
    ]


def test_sweep_fires_warnings_and_records_breach_once(
    org_a, org_a_admin, open_ticket, staff_user, django_capture_on_commit_callbacks
):
    now = dt.datetime(2026, 3, 7, 3, 0, tzinfo=dt.UTC)
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=now)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fired = sla.fire_due_timers(now=ticket.response_due_at + dt.timedelta(minutes=1))
    assert fired == 4
    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.response_due_at
    assert ticket.events.filter(kind="sla_warning").count() == 3
    assert ticket.events.filter(kind="sla_breached").count() == 1
    subjects = [m.subject for m in mail.outbox]
    assert any("SLA 50% used" in s for s in subjects)
    assert any("SLA BREACHED" in s for s in subjects)
    # Running again fires nothing: each timer fires exactly once.
    assert sla.fire_due_timers(now=ticket.response_due_at + dt.timedelta(hours=1)) == 0


def test_first_staff_response_stops_the_clock(org_a, org_a_admin, open_ticket, staff_user):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3)
    services.add_reply(ticket=ticket, author=staff_user, body="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == Ticket.IN_PROGRESS
    assert not ticket.timers.filter(
        kind__in=["warn", "breach"], fired_at=None, cancelled_at=None
    ).exists()
    assert sla.fire_due_timers(now=ticket.created_at + dt.timedelta(days=30)) == 0
    ticket.refresh_from_db()
    assert ticket.breached_at is None


def test_internal_note_does_not_count_as_response_or_reach_customer(
    org_a, org_a_admin, open_ticket, staff_user, django_capture_on_commit_callbacks
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_reply(
            ticket=ticket, author=staff_user, body="SECRET-NOTE carrier issue", internal=True
        )
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    for message in mail.outbox:
        assert org_a_admin.email not in message.to
        assert "SECRET-NOTE" not in message.body


def test_customer_cannot_write_internal_notes(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    with pytest.raises(PermissionDenied):
        services.add_reply(ticket=ticket, author=org_a_admin, body="x", internal=True)


def test_waiting_on_customer_pauses_the_clock_and_reply_resumes_it(
    org_a, org_a_admin, open_ticket, staff_user
):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)  # Monday 09:00
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=start)
    assert ticket.response_due_at == dt.datetime(2026, 3, 3, 9, 0, tzinfo=CHICAGO)
    # 2 business hours used, then paused for a day.
    services.set_status(
        ticket=ticket, status=Ticket.WAITING, by=staff_user, now=start + dt.timedelta(hours=2)
    )
    ticket.refresh_from_db()
    assert ticket.response_due_at is None and ticket.paused_at is not None
    assert ticket.sla_consumed_seconds == 2 * 3600
    resume = dt.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)
    services.add_reply(ticket=ticket, author=org_a_admin, body="Here are the logs.", now=resume)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.IN_PROGRESS
    # 10 business hours left from Tuesday 10:00 -> Tuesday 20:00.
    assert ticket.response_due_at == dt.datetime(2026, 3, 3, 20, 0, tzinfo=CHICAGO)


def test_resolved_ticket_reopens_on_reply_within_window_only(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin)
    resolved_at = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    services.set_status(ticket=ticket, status=Ticket.RESOLVED, by=staff_user, now=resolved_at)
    services.add_reply(
        ticket=ticket,
        author=org_a_admin,
        body="Still broken",
        now=resolved_at + dt.timedelta(days=3),
    )
    ticket.refresh_from_db()
    assert ticket.status in (Ticket.IN_PROGRESS, Ticket.ACKNOWLEDGED)
    assert ticket.events.filter(kind="reopened").exists()
    services.set_status(ticket=ticket, status=Ticket.CLOSED, by=staff_user, now=resolved_at)
    with pytest.raises(TierError, match="open a new ticket"):
        services.add_reply(
            ticket=ticket,
            author=org_a_admin,
            body="Again",
            now=resolved_at + dt.timedelta(days=8),
        )


def test_severity_set_by_analyst_keeps_customer_estimate_and_moves_calendar(
    org_a, org_a_admin, open_ticket, staff_user, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    start = timezone.now()  # the escalation task fires against the real clock
    ticket = open_ticket(org_a, org_a_admin, customer_severity=4, now=start)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_severity(ticket=ticket, severity=1, by=staff_user, now=start)
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.customer_severity, ticket.severity_confirmed) == (1, 4, True)
    assert ticket.response_due_at == start + dt.timedelta(hours=12)
    # Sev 1: Director and VP Operations immediately (fired on commit), VP Engineering in 1 hour.
    escalations = ticket.timers.filter(kind=TicketTimer.KIND_ESCALATE, cancelled_at=None)
    assert sorted((t.contact.title, t.due_at - start) for t in escalations) == [
        ("Director of Operations", dt.timedelta(0)),
        ("VP Engineering", dt.timedelta(hours=1)),
        ("VP of Operations", dt.timedelta(0)),
    ]
    sent_to = {address for m in mail.outbox for address in m.to}
    assert {"director.operations@example.com", "vp.operations@example.com"} <= sent_to
    assert "vp.engineering@example.com" not in sent_to


def test_sev1_escalates_to_vp_engineering_only_if_unresolved(
    org_a, org_a_admin, open_ticket, staff_user, django_capture_on_commit_callbacks
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sla.fire_due_timers(now=ticket.created_at + dt.timedelta(minutes=61))
    assert any("vp.engineering@example.com" in m.to for m in mail.outbox)

    other = open_ticket(org_a, org_a_admin, customer_severity=1)
    services.set_status(ticket=other, status=Ticket.RESOLVED, by=staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sla.fire_due_timers(now=other.created_at + dt.timedelta(minutes=61))
    assert not any("vp.engineering@example.com" in m.to for m in mail.outbox)


def test_sev2_escalation_path_and_none_for_sev3(org_a, org_a_admin, open_ticket):
    sev2 = open_ticket(org_a, org_a_admin, customer_severity=2)
    assert sorted(
        (t.contact.title, t.due_at - sev2.created_at) for t in sev2.timers.filter(kind="escalate")
    ) == [("Director of Operations", dt.timedelta(0)), ("VP of Operations", dt.timedelta(hours=2))]
    sev3 = open_ticket(org_a, org_a_admin, customer_severity=3)
    assert not sev3.timers.filter(kind="escalate").exists()


def test_dispute_is_recorded_and_staff_notified(
    org_a, org_a_admin, open_ticket, django_capture_on_commit_callbacks
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_severity(
            ticket=ticket, by=org_a_admin, requested=2, reason="A whole market is down"
        )
    ticket.refresh_from_db()
    assert ticket.severity_disputed_at is not None
    event = ticket.events.get(kind="severity_disputed")
    assert event.data["requested"] == 2
    assert any("Severity disputed" in m.subject for m in mail.outbox)
    with pytest.raises(TierError):
        services.dispute_severity(ticket=ticket, by=org_a_admin, requested=2, reason="")


def test_customer_escalation_request_is_routed(
    org_a, org_a_admin, open_ticket, django_capture_on_commit_callbacks
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_escalation(ticket=ticket, by=org_a_admin, reason="No update in 3 hours")
    ticket.refresh_from_db()
    assert ticket.escalation_requested_at is not None
    assert "Director of Operations" in ticket.events.get(kind="escalation_requested").summary
    assert any("director.operations@example.com" in m.to for m in mail.outbox)


def test_allowance_warns_after_three_troubleshooting_cases(org_a, org_a_admin, open_ticket):
    for _ in range(3):
        assert not open_ticket(org_a, org_a_admin).over_allowance
    fourth = open_ticket(org_a, org_a_admin)
    assert fourth.over_allowance
    assert fourth.events.filter(kind="allowance_exceeded").exists()
    assert not open_ticket(org_a, org_a_admin, category="provisioning").over_allowance


def test_time_past_allowance_with_quote_rule_creates_quote(
    org_a, org_a_admin, open_ticket, staff_user, infinity
):
    infinity.overage_rule = infinity.OVERAGE_QUOTE
    infinity.save()
    ticket = open_ticket(org_a, org_a_admin, category="provisioning")
    services.log_time(ticket=ticket, analyst=staff_user, minutes=50, category="provisioning")
    assert not ticket.quotes.exists()
    services.log_time(ticket=ticket, analyst=staff_user, minutes=40, category="provisioning")
    quote = ticket.quotes.get()
    assert quote.amount == Decimal("90.00")  # 30 minutes over at 180/hour


def test_not_covered_gives_customer_a_quote_to_accept_or_decline(
    org_a, org_a_admin, org_a_member, open_ticket, staff_user, django_capture_on_commit_callbacks
):
    ticket = open_ticket(org_a, org_a_admin)
    reason = ExclusionReason.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        quote = services.mark_not_covered(
            ticket=ticket, reason=reason, amount=Decimal("450"), description="2.5 h", by=staff_user
        )
    assert any("Quote for professional services" in m.subject for m in mail.outbox)
    ticket.refresh_from_db()
    assert ticket.not_covered_reason == reason
    services.decide_quote(quote=quote, accept=False, by=org_a_admin)
    quote.refresh_from_db()
    assert quote.status == Quote.DECLINED
    with pytest.raises(TierError):
        services.decide_quote(quote=quote, accept=True, by=org_a_admin)


def test_attachments_limits(org_a, org_a_admin, open_ticket, settings):
    ok = services.Upload("modem.log", b"AT+CGATT?\nOK\n")
    png = services.Upload("screen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    ticket = open_ticket(org_a, org_a_admin, uploads=[ok, png])
    assert sorted(a.filename for a in ticket.attachments.all()) == ["modem.log", "screen.png"]
    with pytest.raises(TierError, match="not accepted"):
        open_ticket(org_a, org_a_admin, uploads=[services.Upload("run.exe", b"MZ")])
    with pytest.raises(TierError, match="does not look like"):
        open_ticket(org_a, org_a_admin, uploads=[services.Upload("fake.png", b"<html>")])
    settings.TIERS_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(TierError, match="larger than"):
        open_ticket(org_a, org_a_admin, uploads=[services.Upload("big.txt", b"x" * 11)])


def test_attachments_are_stored_outside_media_root(org_a, org_a_admin, open_ticket, settings):
    from pathlib import Path

    ticket = open_ticket(org_a, org_a_admin, uploads=[services.Upload("a.txt", b"hello")])
    path = Path(ticket.attachments.get().file.path)
    assert path.is_relative_to(Path(settings.TIERS_PRIVATE_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        ticket.attachments.get().file.url  # noqa: B018


def test_sweep_command_survives_restart(org_a, org_a_admin, open_ticket):
    """Timers live in the database: a fresh process (the command) fires what is due."""
    from django.core.management import call_command

    ticket = open_ticket(org_a, org_a_admin, customer_severity=1)
    TicketTimer.objects.filter(ticket=ticket).update(due_at=ticket.created_at)
    call_command("tiers_sweep")
    assert not TicketTimer.objects.filter(ticket=ticket, fired_at=None, cancelled_at=None).exists()


def test_acknowledgement_shows_due_time_in_requesters_zone(
    org_a, org_a_admin, open_ticket, django_capture_on_commit_callbacks
):
    org_a.memberships.filter(user=org_a_admin).update(time_zone="America/Chicago")
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(org_a, org_a_admin, customer_severity=3, now=now)
    ack = next(m for m in mail.outbox if "Received" in m.subject)
    # Monday 09:00 + 12 business hours = 11 h on Monday and 1 h on Tuesday.
    assert "Analyst response due by: Tue 03 Mar 2026 09:00 CST" in ack.body


def test_late_first_response_records_breach_even_without_sweep(
    org_a, org_a_admin, open_ticket, staff_user
):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=start)
    late = ticket.response_due_at + dt.timedelta(minutes=5)
    services.add_reply(ticket=ticket, author=staff_user, body="Sorry for the wait.", now=late)
    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.response_due_at
    on_time = open_ticket(org_a, org_a_admin, customer_severity=3, now=start)
    services.add_reply(
        ticket=on_time, author=staff_user, body="On it.", now=start + dt.timedelta(hours=1)
    )
    on_time.refresh_from_db()
    assert on_time.breached_at is None


def test_sweep_command_output_and_bad_interval(db):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("tiers_sweep", stdout=out)
    assert out.getvalue().strip() == (
        "0 timers, 0 subscriptions, 0 problem notifications, 0 status webhooks, "
        "0 holiday calendar warnings, 0 KPI reports, 0 early warning alerts, "
        "0 help events pruned"
    )
    with pytest.raises(CommandError):
        call_command("tiers_sweep", "--every", "-5")
