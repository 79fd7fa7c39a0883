"""Business calendars' holidays: seeded from the `holidays` package, watched before they end."""

import datetime as dt

from django.contrib.auth.models import Group
from django.core.checks import run_checks
from django.core.management import call_command

from resourcecenter.roles import LEADS_GROUP
from tiers.models import BusinessCalendar, Holiday
from tiers.plans import calendars


def test_the_seed_has_eu_2027_ascension_and_whit_monday_and_three_years_ahead(db):
    eu = BusinessCalendar.objects.get(code="eu")
    days = set(eu.holidays.values_list("date", flat=True))
    assert {dt.date(2027, 5, 6), dt.date(2027, 5, 17)} <= days  # Ascension, Whit Monday
    this_year = dt.date.today().year
    for calendar in BusinessCalendar.objects.filter(code__in=["us", "eu"]):
        assert calendars.coverage_end(calendar) >= dt.date(this_year + 3, 12, 31)
    us = BusinessCalendar.objects.get(code="us")
    # Only the holidays the US desk observes (no Columbus Day).
    assert not us.holidays.filter(date=dt.date(2027, 10, 11)).exists()
    assert us.holidays.filter(date=dt.date(2028, 11, 23), name="Thanksgiving Day").exists()


def test_seeding_keeps_staff_edits(db):
    eu = BusinessCalendar.objects.get(code="eu")
    Holiday.objects.filter(calendar=eu, date=dt.date(2027, 5, 6)).update(name="Himmelfahrt")
    call_command("tiers_seed_holidays")
    assert eu.holidays.get(date=dt.date(2027, 5, 6)).name == "Himmelfahrt"


def test_leads_are_warned_once_sixty_days_before_a_calendar_runs_out(
    db, user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    lead = user_factory(email="lead@example.com")
    lead.groups.add(Group.objects.get_or_create(name=LEADS_GROUP)[0])
    us = BusinessCalendar.objects.get(code="us")
    end = calendars.coverage_end(us)
    Holiday.objects.filter(calendar__code="eu").delete()  # one calendar to watch
    early = dt.datetime.combine(end - dt.timedelta(days=61), dt.time(12), tzinfo=dt.UTC)
    assert calendars.warn_calendars_running_out(early) == 0
    assert not calendars.check_calendars_running_out(databases=["default"])
    soon = early + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert calendars.warn_calendars_running_out(soon) == 1
        assert calendars.warn_calendars_running_out(soon + dt.timedelta(days=1)) == 0
    mails = [m for m in mailoutbox if "holidays end" in m.subject]
    assert len(mails) == 1 and mails[0].to == ["lead@example.com"]
    us.refresh_from_db()
    assert us.holidays_warned_for == end


def test_a_system_check_warns_while_a_calendar_runs_out(db):
    # Both regions' holidays end with last year: they have run out.
    last_year = dt.date.today().year - 1
    Holiday.objects.all().delete()
    for calendar in BusinessCalendar.objects.filter(code__in=["us", "eu"]):
        Holiday.objects.create(calendar=calendar, date=dt.date(last_year, 12, 25), name="Xmas")
    warnings = [w for w in run_checks(databases=["default"]) if w.id.startswith("tiers.")]
    assert {w.id for w in warnings} == {"tiers.W001"}
    assert {w.obj.code for w in warnings} == {"us", "eu"}


def test_the_calendar_check_only_runs_when_asked_for_the_database(db, django_assert_num_queries):
    # Every management command runs the checks; `import_docs --check` must not touch the database.
    with django_assert_num_queries(0):
        assert not [w for w in run_checks() if w.id == "tiers.W001"]
