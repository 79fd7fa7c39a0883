from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tiers.plans.seed import load_file


class Command(BaseCommand):
    help = (
        "Load plans, severity schemes, calendars and escalation contacts from a JSON file "
        "(e.g. tiers/fixtures/three_tier_scheme.json). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with transaction.atomic():
                counts = load_file(path)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{path} is not a valid plan file: {exc}") from exc
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded {summary}."))
