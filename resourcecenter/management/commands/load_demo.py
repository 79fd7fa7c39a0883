"""Load the demo content of every app. Idempotent: running it twice changes nothing."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: the site and its users first, then content that refers to them.
DEMO_MODULES = ["resourcecenter.demo", "kb.demo", "forum.demo", "tiers.demo", "search.demo"]


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo site, users and content."

    def handle(self, *args, **options):
        for module_name in DEMO_MODULES:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.load(stdout=self.stdout, style=self.style)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
