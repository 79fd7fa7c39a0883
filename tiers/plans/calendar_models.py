"""Business calendars: when the help desk counts time (a zone, an opening window, weekdays and
holidays), as data edited in the Wagtail admin; `tiers.plans.calendars` keeps the holidays
current and `tiers.plans.business_hours` does the arithmetic.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from tiers.plans import business_hours

CALENDAR_24X7 = "24x7"


class BusinessCalendar(models.Model):
    """When the help desk counts time: a timezone, daily opening window, weekdays, holidays.

    Organisations pick theirs through their region (`code` equals the region code); the
    always-open calendar (`code` "24x7") measures around-the-clock severities.
    """

    code = models.SlugField(max_length=20, unique=True, help_text='"us", "eu" or "24x7".')
    name = models.CharField(max_length=80)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone name.")
    open_time = models.TimeField(default=dt.time(8, 0))
    close_time = models.TimeField(default=dt.time(20, 0))
    weekdays = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="Open weekdays, 0 = Monday ... 6 = Sunday."
    )
    always_open = models.BooleanField(default=False, help_text="24x7x365: ignores everything else.")
    holidays_warned_for = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The end of holiday data the leads were last warned about (warned once).",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        try:
            self.as_calendar(holidays=())
        except (ValueError, KeyError) as exc:
            raise ValidationError(str(exc)) from exc

    def as_calendar(self, holidays=None) -> business_hours.Calendar:
        if holidays is None:
            holidays = self.holidays.values_list("date", flat=True)
        return business_hours.Calendar(
            timezone=self.timezone,
            open_time=self.open_time,
            close_time=self.close_time,
            weekdays=business_hours.parse_weekdays(self.weekdays),
            holidays=frozenset(holidays),
            always_open=self.always_open,
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="tiers_holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
