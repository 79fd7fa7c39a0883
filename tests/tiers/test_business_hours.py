"""The business-hours calculator: hand-checked cases and properties."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tiers.plans.business_hours import (
    TWENTY_FOUR_SEVEN,
    Calendar,
    add_business_hours,
    add_business_time,
    business_time_between,
    is_open,
)

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
US = Calendar(timezone="America/Chicago")
EU = Calendar(timezone="Europe/Berlin")
US_HOLIDAYS = Calendar(
    timezone="America/Chicago",
    holidays=frozenset({dt.date(2026, 11, 26), dt.date(2026, 12, 25)}),
)


def local(tz, *args):
    return dt.datetime(*args, tzinfo=tz)


def test_within_one_day():
    start = local(CHICAGO, 2026, 3, 2, 9, 0)  # Monday
    assert add_business_hours(start, 3, US) == local(CHICAGO, 2026, 3, 2, 12, 0)


def test_rolls_over_to_next_morning():
    start = local(CHICAGO, 2026, 3, 2, 18, 0)  # Monday 18:00, 2h left today
    assert add_business_hours(start, 12, US) == local(CHICAGO, 2026, 3, 3, 18, 0)


def test_friday_evening_lands_on_monday():
    start = local(CHICAGO, 2026, 3, 6, 19, 0)  # Friday 19:00: 1h left
    assert add_business_hours(start, 12, US) == local(CHICAGO, 2026, 3, 9, 19, 0)


def test_weekend_start_begins_monday_morning():
    start = local(BERLIN, 2026, 6, 13, 11, 0)  # Saturday
    assert add_business_hours(start, 12, EU) == local(BERLIN, 2026, 6, 15, 20, 0)


def test_before_opening_starts_at_opening():
    start = local(BERLIN, 2026, 6, 15, 6, 30)
    assert add_business_hours(start, 1, EU) == local(BERLIN, 2026, 6, 15, 9, 0)


def test_at_closing_time_exactly():
    start = local(CHICAGO, 2026, 3, 2, 20, 0)
    assert add_business_hours(start, 1, US) == local(CHICAGO, 2026, 3, 3, 9, 0)


def test_holiday_is_skipped():
    # Wednesday before Thanksgiving 14:00: 6h left Wed, Thu is a holiday, 6h more on Friday.
    start = local(CHICAGO, 2026, 11, 25, 14, 0)
    assert add_business_hours(start, 12, US_HOLIDAYS) == local(CHICAGO, 2026, 11, 27, 14, 0)


def test_holiday_then_weekend():
    start = local(CHICAGO, 2026, 12, 24, 19, 0)  # Thu; Fri 25th holiday; weekend
    assert add_business_hours(start, 2, US_HOLIDAYS) == local(CHICAGO, 2026, 12, 28, 9, 0)


def test_us_spring_forward_weekend():
    # DST starts Sunday 8 March 2026 in the US. Friday 6 March 18:00 CST + 12h:
    # 2h Friday, 10h Monday (CDT) -> Monday 18:00 CDT, i.e. 23:00 UTC not 00:00 UTC.
    start = local(CHICAGO, 2026, 3, 6, 18, 0)
    due = add_business_hours(start, 12, US)
    assert due == local(CHICAGO, 2026, 3, 9, 18, 0)
    assert due == dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC)


def test_us_fall_back_weekend():
    # DST ends Sunday 1 November 2026. Friday 30 Oct 15:00 CDT + 12h -> Monday 15:00 CST.
    start = local(CHICAGO, 2026, 10, 30, 15, 0)
    due = add_business_hours(start, 12, US)
    assert due == local(CHICAGO, 2026, 11, 2, 15, 0)
    assert due == dt.datetime(2026, 11, 2, 21, 0, tzinfo=dt.UTC)


def test_eu_spring_forward():
    # Europe switches on Sunday 29 March 2026.
    start = local(BERLIN, 2026, 3, 27, 14, 0)  # Friday
    due = add_business_hours(start, 12, EU)
    assert due == local(BERLIN, 2026, 3, 30, 14, 0)
    assert due == dt.datetime(2026, 3, 30, 12, 0, tzinfo=dt.UTC)


def test_eu_fall_back():
    start = local(BERLIN, 2026, 10, 23, 20, 0)  # Friday closing time
    due = add_business_hours(start, 12, EU)
    assert due == local(BERLIN, 2026, 10, 26, 20, 0)
    assert due == dt.datetime(2026, 10, 26, 19, 0, tzinfo=dt.UTC)


def test_24x7_calendar_counts_real_hours_across_dst():
    start = local(CHICAGO, 2026, 3, 7, 22, 0)  # Saturday night before spring forward
    due = add_business_hours(start, 12, TWENTY_FOUR_SEVEN)
    assert due - start == dt.timedelta(hours=12)
    assert due.astimezone(CHICAGO).hour == 11  # wall clock skipped an hour


def test_seven_day_window_on_a_24x7_style_business_calendar_across_dst():
    # A business calendar open all week 00:00-23:59 still measures in real time over DST.
    calendar = Calendar(
        timezone="Europe/Berlin",
        open_time=dt.time(0, 0),
        close_time=dt.time(23, 59),
        weekdays=frozenset(range(7)),
    )
    start = local(BERLIN, 2026, 3, 29, 1, 0)
    assert business_time_between(start, local(BERLIN, 2026, 3, 29, 4, 0), calendar) == (
        dt.timedelta(hours=2)
    )


def test_between_counts_only_open_time():
    start = local(CHICAGO, 2026, 3, 6, 18, 0)
    end = local(CHICAGO, 2026, 3, 9, 10, 0)
    assert business_time_between(start, end, US) == dt.timedelta(hours=4)
    assert business_time_between(end, start, US) == dt.timedelta(0)


def test_is_open():
    assert is_open(local(CHICAGO, 2026, 3, 2, 12, 0), US)
    assert not is_open(local(CHICAGO, 2026, 3, 7, 12, 0), US)
    assert not is_open(local(CHICAGO, 2026, 3, 2, 21, 0), US)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_hours(dt.datetime(2026, 3, 2, 9), 1, US)


def test_bad_calendars_are_refused():
    with pytest.raises(ValueError):
        Calendar(timezone="America/Chicago", weekdays=frozenset())
    with pytest.raises(ValueError):
        Calendar(open_time=dt.time(20), close_time=dt.time(8))
    with pytest.raises(Exception):  # noqa: B017 - ZoneInfoNotFoundError
        Calendar(timezone="Mars/Olympus")


instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(dt.UTC),
)
durations = st.integers(min_value=0, max_value=60 * 60 * 80).map(lambda s: dt.timedelta(seconds=s))
calendars = st.sampled_from([US, EU, US_HOLIDAYS, TWENTY_FOUR_SEVEN])


@settings(max_examples=200, deadline=None)
@given(start=instants, duration=durations, calendar=calendars)
def test_adding_then_measuring_gives_the_duration_back(start, duration, calendar):
    due = add_business_time(start, duration, calendar)
    assert due >= start
    assert business_time_between(start, due, calendar) == duration


@settings(max_examples=150, deadline=None)
@given(start=instants, a=durations, b=durations, calendar=calendars)
def test_adding_is_additive(start, a, b, calendar):
    assume(a > dt.timedelta(0))  # a zero step from a closed instant stays put
    assert add_business_time(add_business_time(start, a, calendar), b, calendar) == (
        add_business_time(start, a + b, calendar)
    )


@settings(max_examples=150, deadline=None)
@given(start=instants, duration=durations, calendar=st.sampled_from([US, EU, US_HOLIDAYS]))
def test_due_time_is_inside_opening_hours(start, duration, calendar):
    assume(duration > dt.timedelta(0))
    due = add_business_time(start, duration, calendar).astimezone(calendar.tz)
    assert due.weekday() in calendar.weekdays
    assert due.date() not in calendar.holidays
    assert calendar.open_time < due.time() <= calendar.close_time


@settings(max_examples=100, deadline=None)
@given(start=instants, a=durations, b=durations, calendar=calendars)
def test_monotonic(start, a, b, calendar):
    small, large = sorted([a, b])
    assert add_business_time(start, small, calendar) <= add_business_time(start, large, calendar)
