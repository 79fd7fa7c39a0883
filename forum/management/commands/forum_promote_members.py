"""Promote members whose account age (and approved posts) now earn a higher trust level.

Posting promotes immediately; this daily sweep catches members who only needed time.
"""

from django.core.management.base import BaseCommand

from forum.trust import promote_all


class Command(BaseCommand):
    help = "Re-evaluate Community trust levels (automatic promotion by posts and account age)."

    def handle(self, *args, **options):
        promoted = promote_all()
        self.stdout.write(self.style.SUCCESS(f"Promoted {promoted} member(s)."))
