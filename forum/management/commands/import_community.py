"""`manage.py import_community stackexchange PATH [--category NAME] [--dry-run]`: bring an old
community (today: one Stack Exchange site's data dump) into the forum."""

import sys

from django.core.management.base import BaseCommand, CommandError

from forum.importers import CommunityImportError
from forum.importers.stackexchange import import_stackexchange

FORMATS = {"stackexchange": import_stackexchange}


class Command(BaseCommand):
    help = (
        "Import an old community into the forum. `stackexchange PATH` reads one site's data dump "
        "(Posts.xml, Users.xml, Comments.xml, Votes.xml, Tags.xml): questions become threads, "
        "answers replies, users imported members. Running it again changes only what changed "
        "in the dump."
    )

    def add_arguments(self, parser):
        parser.add_argument("format", choices=sorted(FORMATS), help="the old forum's format")
        parser.add_argument("path", help="the folder holding the dump's XML files")
        parser.add_argument(
            "--category",
            metavar="NAME",
            help="category (name or slug) to import into, created if missing; "
            "default: one named after the site",
        )
        parser.add_argument(
            "--site",
            metavar="DOMAIN",
            help="the site's domain, for links to the originals; default: the folder's name",
        )
        parser.add_argument(
            "--anonymous-names",
            action="store_true",
            help='name imported members "<site> member <id>" instead of their display name '
            "(the attribution under each post still names the author, as the licence requires)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would be created or updated without changing anything",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args, format, path, **options):
        progress = not options["no_progress"] and sys.stderr.isatty()
        try:
            report = FORMATS[format](
                path,
                category=options.get("category") or "",
                site=options.get("site") or "",
                anonymous_names=options["anonymous_names"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except CommunityImportError as exc:
            raise CommandError(str(exc)) from exc
        out, style = self.stdout, self.style
        heading = f"Community import from {report.source} into '{report.category}'"
        if report.dry_run:
            heading += " - DRY RUN: nothing was changed"
        out.write(style.MIGRATE_HEADING(heading))
        for line in report.summary_lines():
            out.write(style.SUCCESS(f"  {line}"))
        if report.warning_counts:
            out.write(style.WARNING(f"Warnings ({sum(report.warning_counts.values())}), by kind:"))
            for line in report.warning_lines():
                out.write(style.WARNING(f"  {line}"))
