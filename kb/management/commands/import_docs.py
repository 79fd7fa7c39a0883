"""`manage.py import_docs PATH [--under SLUG [--title T]] [--dry-run] [--check]`: bring a Markdown
docs tree in, or (`--check`) measure how faithfully it imports, in a scratch database."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from kb.importer import ImportDocsError, ensure_section, import_docs
from kb.importer.check import run_check, scratch_site


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
        parser.add_argument(
            "--title",
            help="title of the --under section when the import creates it (default: from SLUG)",
        )
        parser.add_argument(
            "--static",
            metavar="DIR",
            help="folder that site-absolute images (/img/x.png) are read from "
            "(default: the Docusaurus site's static folders)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="import into a scratch database (never yours) and print a fidelity report: "
            "pages, images, internal links, raw-markup leftovers, warnings by kind",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(
        self,
        *args,
        path,
        under=None,
        title=None,
        static=None,
        dry_run=False,
        check=False,
        no_progress=False,
        **options,
    ):
        progress = not no_progress and sys.stderr.isatty()
        if check:
            return self._check(path, progress, static)
        try:
            parent = ensure_section(under, title) if under else None
            report = import_docs(path, parent, dry_run=dry_run, progress=progress, static=static)
        except ImportDocsError as exc:
            raise CommandError(str(exc)) from exc
        self._print(report, verbosity=options.get("verbosity", 1))

    def _check(self, path, progress: bool, static) -> None:
        with scratch_site():
            started, cpu_started = time.monotonic(), time.process_time()
            try:
                report = import_docs(path, progress=progress, static=static)
            except ImportDocsError as exc:
                raise CommandError(str(exc)) from exc
            imported, cpu_imported = time.monotonic(), time.process_time()
            fidelity = run_check(report, progress=progress)
            fidelity.import_seconds = imported - started
            fidelity.import_cpu_seconds = cpu_imported - cpu_started
            fidelity.check_seconds = time.monotonic() - imported
            fidelity.check_cpu_seconds = time.process_time() - cpu_imported
        self.stdout.write(self.style.MIGRATE_HEADING(f"Fidelity report for {path}"))
        for line in fidelity.lines():
            self.stdout.write(line)

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
