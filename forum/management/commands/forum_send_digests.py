"""Send the daily Community digest to members who chose it. Run once a day (cron/scheduler).

Each notification is e-mailed at most once, so running it twice (or after a failure) is safe.
"""

from django.core.management.base import BaseCommand

from forum.notifications import send_digests


class Command(BaseCommand):
    help = "E-mail the daily digest of Community notifications to members who chose it."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} digest(s)."))
