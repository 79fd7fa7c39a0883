"""Public holidays of the business calendars: seeded from the `holidays` package, kept as
editable `Holiday` rows, and watched so staff extend a calendar before it runs out.

A calendar's holidays are data: the seed only adds rows that are missing (staff edits and
renames stay), and a calendar "runs out" at the end of the last year it has holidays for.
"""

from __future__ import annotations

import datetime as dt

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone

import holidays as holiday_data

from tiers import sweeps

YEARS_AHEAD = 3
WARN_DAYS_BEFORE_END = 60


def holidays_from_package(
    country: str, years: list[int], names: list[str] | None = None, subdiv: str | None = None
) -> dict[dt.date, str]:
    """The country's public holidays in `years` (observed days included), in English.

    `names` keeps only the holidays the help desk observes (matched without " (observed)").
    """
    found = holiday_data.country_holidays(
        country, subdiv=subdiv, years=years, observed=True, language="en_US"
    )
    days = {}
    for day, name in sorted(found.items()):
        for one in name.split("; "):
            base = one.removesuffix(" (observed)")
            if names is None or base in names:
                days[day] = one
                break
    return days


def seed_holidays(calendar, source: dict, years: list[int], holiday_model) -> int:
    """Add the missing holidays of `source` ({"country", "names", "subdiv"}) for `years`."""
    added = 0
    days = holidays_from_package(
        source["country"], years, source.get("names"), source.get("subdiv")
    )
    for day, name in days.items():
        _holiday, created = holiday_model.objects.get_or_create(
            calendar=calendar, date=day, defaults={"name": name[:80]}
        )
        added += created
    return added


def seed_years(today: dt.date | None = None) -> list[int]:
    """This year and the next YEARS_AHEAD."""
    year = (today or timezone.now().date()).year
    return list(range(year, year + YEARS_AHEAD + 1))


def coverage_end(calendar) -> dt.date | None:
    """The last day a calendar's holidays are known for (31 December of its last year)."""
    last = calendar.holidays.order_by("-date").values_list("date", flat=True).first()
    return None if last is None else dt.date(last.year, 12, 31)


def running_out(today: dt.date | None = None) -> list[tuple[object, dt.date]]:
    """Calendars (not always-open, with holidays) whose holidays end within the warning time."""
    from tiers.plans.calendar_models import BusinessCalendar

    today = today or timezone.now().date()
    soon = []
    for calendar in BusinessCalendar.objects.filter(always_open=False):
        end = coverage_end(calendar)
        if end is not None and end - today <= dt.timedelta(days=WARN_DAYS_BEFORE_END):
            soon.append((calendar, end))
    return soon


@sweeps.job("holiday calendar warnings", order=60)
def warn_calendars_running_out(now: dt.datetime | None = None) -> int:
    """E-mail the support leads once per calendar and coverage end, 60 days before it."""
    from tiers.plans.calendar_models import BusinessCalendar
    from tiers.plans.notify import calendar_running_out

    today = timezone.localdate(now or timezone.now(), dt.UTC)
    warned = 0
    for calendar, end in running_out(today):
        claimed = (
            BusinessCalendar.objects.filter(pk=calendar.pk)
            .exclude(holidays_warned_for=end)
            .update(holidays_warned_for=end)
        )
        if claimed:
            calendar_running_out(calendar, end)
            warned += 1
    return warned


@checks.register(checks.Tags.database)
def check_calendars_running_out(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    """A warning at `migrate` and `check --database default` while a calendar's holidays end soon.

    Tagged `database` so that plain `check` and the checks every management command runs never
    open a connection: `import_docs --check` must not create the configured database file.
    """
    if not databases:
        return []
    try:
        soon = running_out()
    except DatabaseError:  # no database or tables yet (first migrate): nothing to check
        return []
    return [
        checks.Warning(
            f"The holidays of business calendar {calendar.code!r} end on {end:%Y-%m-%d}.",
            hint="Add the next year's holidays (admin or `manage.py tiers_seed_holidays`).",
            obj=calendar,
            id="tiers.W001",
        )
        for calendar, end in soon
    ]
