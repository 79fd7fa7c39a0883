from django.core.management.base import BaseCommand

from tiers.services import sweep


class Command(BaseCommand):
    help = (
        "Fire due SLA warnings, breaches and escalations, and renew or end subscriptions. "
        "Run every minute from cron or the worker; safe to run concurrently and repeatedly."
    )

    def handle(self, *args, **options):
        counts = sweep()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
