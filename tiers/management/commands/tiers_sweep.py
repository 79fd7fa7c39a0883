import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from tiers.sweeps import sweep


class Command(BaseCommand):
    help = (
        "Fire due SLA warnings, breaches and escalations, renew or end subscriptions, and "
        "send pending proactive problem notifications and last month's KPI reports. "
        "Run it every minute from cron, or keep it running with --every 60. Safe to run "
        "concurrently and repeatedly: each due timer fires, and each problem e-mail is "
        "queued, exactly once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping every SECONDS (0: sweep once and exit).",
        )

    def handle(self, *args, every=0, **options):
        if every < 0:
            raise CommandError("--every must be zero or a positive number of seconds.")
        while True:
            counts = sweep()
            self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
            if not every:
                return
            time.sleep(every)
            # A long-running loop must not hold on to a broken or expired connection.
            close_old_connections()
