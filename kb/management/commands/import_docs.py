"""`manage.py import_docs PATH [--under SLUG] [--dry-run]`: bring a Markdown docs tree in."""

import sys

from django.core.management.base import BaseCommand, CommandError

from kb.importer import ImportDocsError, find_parent, import_docs


class Command(BaseCommand):
    help = (
        "Import a tree of Markdown/MDX documentation (Docusaurus, MkDocs ...) into the Resource "
        "Center: folders become sections, files become articles. Running it again updates the "
        "imported pages in place and leaves editors' own pages alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the folder holding the docs")
        parser.add_argument(
            "--under",
            metavar="SLUG",
            help="slug (or path, e.g. guides/sims) of the page to import under; "
            "default: the home page",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would be created, updated or skipped without changing anything",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args, path, under=None, dry_run=False, no_progress=False, **options):
        progress = not no_progress and sys.stderr.isatty()
        try:
            parent = find_parent(under) if under else None
            report = import_docs(path, parent, dry_run=dry_run, progress=progress)
        except ImportDocsError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report, verbosity=options.get("verbosity", 1))

    def _print(self, report, verbosity: int) -> None:
        out, style = self.stdout, self.style
        heading = f"Docs import from {report.root} under '{report.parent_title}'"
        if report.dry_run:
            heading += " - DRY RUN: nothing was changed"
        out.write(style.MIGRATE_HEADING(heading))
        if verbosity >= 1:
            for result in report.results:
                if result.action == "unchanged" and verbosity < 2:
                    continue
                label = result.action
                if report.dry_run and result.action in ("created", "updated"):
                    label = "would " + {"created": "create", "updated": "update"}[result.action]
                where = f" -> {result.url}" if result.url else ""
                reason = f" ({result.reason})" if result.reason else ""
                out.write(f"  {label:12} {result.source}{where}{reason}")
        for line in report.summary_lines():
            out.write(style.SUCCESS(line))
        if report.warnings:
            out.write(style.WARNING(f"{len(report.warnings)} warning(s):"))
            for warning in sorted(report.warnings, key=lambda w: w.source):
                out.write(style.WARNING(f"  {warning}"))
