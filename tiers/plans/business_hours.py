"""Business-hours arithmetic: "N business hours after this instant, on this calendar".

Response targets for Severity 3-4 are measured in the business hours of the customer's region
(e.g. 08:00-20:00 America/Chicago, Monday-Friday, minus holidays); Severity 1-2 run on a 24x7
calendar. Everything is computed on aware datetimes and all interval arithmetic happens in UTC,
so a daylight-saving change never adds or loses an hour of target time: the opening and closing
instants of each local business day are converted to UTC first, then measured.

The calculator is pure (no database): `Calendar` is a frozen value built from the
`BusinessCalendar` model (see `tiers.plans.calendar_models.BusinessCalendar.as_calendar`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
# A calendar with open hours always has some within a couple of weeks even with many holidays;
# this bound only stops a misconfigured calendar (every day a holiday) from looping forever.
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Calendar:
    """Opening hours: a timezone, one daily window on some weekdays, and holidays.

    `always_open` calendars (24x7) ignore the rest. `weekdays` uses Python's numbering
    (Monday = 0). `holidays` are local dates on which the desk is closed all day.
    """

    timezone: str = "UTC"
    open_time: dt.time = dt.time(8, 0)
    close_time: dt.time = dt.time(20, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    always_open: bool = False

    def __post_init__(self):
        if not self.always_open:
            if self.close_time <= self.open_time:
                raise ValueError("The closing time must be after the opening time.")
            if not self.weekdays:
                raise ValueError("A business-hours calendar needs at least one open weekday.")
            ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def windows_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open windows (UTC start, UTC end) that end after `start`, in order."""
        tz = self.tz
        day = start.astimezone(tz).date() - dt.timedelta(days=1)
        for _ in range(MAX_DAYS):
            if day.weekday() in self.weekdays and day not in self.holidays:
                opens = _local_to_utc(day, self.open_time, tz)
                closes = _local_to_utc(day, self.close_time, tz)
                if closes > start:
                    yield max(opens, start), closes
            day += dt.timedelta(days=1)
        raise ValueError("The calendar has no open hours in the next five years.")


TWENTY_FOUR_SEVEN = Calendar(always_open=True)


def _local_to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall-clock time.

    A wall time that does not exist (inside a spring-forward gap) lands just after the gap; an
    ambiguous one (autumn fold) takes its first occurrence.
    """
    # PEP 495: fold=0 maps a non-existent time past the gap and an ambiguous one to its
    # first occurrence.
    as_utc = dt.datetime.combine(day, time, tzinfo=tz).astimezone(UTC)
    return as_utc


def _check_aware(value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Business-hours arithmetic needs timezone-aware datetimes.")


def add_business_time(
    start: dt.datetime, duration: dt.timedelta, calendar: Calendar
) -> dt.datetime:
    """The instant at which `duration` of open time on `calendar` has elapsed after `start`.

    Returned in UTC. A zero duration starting outside business hours still returns `start`
    itself (nothing is owed yet).
    """
    _check_aware(start)
    if duration < dt.timedelta(0):
        raise ValueError("The duration must not be negative.")
    start = start.astimezone(UTC)
    if calendar.always_open or duration == dt.timedelta(0):
        return start + duration
    remaining = duration
    for opens, closes in calendar.windows_from(start):
        available = closes - opens
        if remaining <= available:
            return opens + remaining
        remaining -= available
    raise AssertionError("unreachable")  # windows_from raises first


def add_business_hours(start: dt.datetime, hours: float, calendar: Calendar) -> dt.datetime:
    return add_business_time(start, dt.timedelta(hours=hours), calendar)


def business_time_between(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Open time on `calendar` between two instants (zero if `end` is not after `start`)."""
    _check_aware(start)
    _check_aware(end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return dt.timedelta(0)
    if calendar.always_open:
        return end - start
    total = dt.timedelta(0)
    for opens, closes in calendar.windows_from(start):
        if opens >= end:
            break
        total += min(closes, end) - opens
        if closes >= end:
            break
    return total


def is_open(instant: dt.datetime, calendar: Calendar) -> bool:
    _check_aware(instant)
    if calendar.always_open:
        return True
    opens, _closes = next(calendar.windows_from(instant.astimezone(UTC)))
    return opens <= instant.astimezone(UTC)


def parse_weekdays(value: str | Iterable[int]) -> frozenset[int]:
    """'0,1,2,3,4' -> frozenset({0..4}); raises ValueError for anything outside 0-6."""
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
        days = frozenset(int(part) for part in items)
    else:
        days = frozenset(int(part) for part in value)
    if any(day < 0 or day > 6 for day in days):
        raise ValueError("Weekdays are numbered 0 (Monday) to 6 (Sunday).")
    return days
