"""Add the missing public holidays of the business calendars (this year and the next three)."""

from django.core.management.base import BaseCommand

from tiers.plans.calendars import seed_holidays, seed_years
from tiers.plans.seed import DEFAULT_PLANS_FILE


class Command(BaseCommand):
    help = "Add missing holidays to the business calendars from the `holidays` package."

    def handle(self, *args, **options):
        import json

        from tiers.plans.calendar_models import BusinessCalendar, Holiday

        with open(DEFAULT_PLANS_FILE, encoding="utf-8") as handle:
            sources = {
                item["code"]: item["holiday_source"]
                for item in json.load(handle).get("calendars", [])
                if item.get("holiday_source")
            }
        for calendar in BusinessCalendar.objects.filter(code__in=sources):
            added = seed_holidays(calendar, sources[calendar.code], seed_years(), Holiday)
            self.stdout.write(f"{calendar.code}: {added} holidays added")
