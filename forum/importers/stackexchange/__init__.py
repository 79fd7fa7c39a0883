"""Import a Stack Exchange data dump (one site's folder of XML files) into the forum.

What becomes what:
- a question (PostTypeId 1) -> a thread in the site's category, its body post number 1;
- its answers (PostTypeId 2) -> replies numbered in score order (highest first, then oldest);
  the accepted answer is the thread's accepted answer and the thread is solved;
- tags -> forum tags; comments -> a "Comments" list under the post they belong to, each with
  its author and a link to it;
- up-votes -> the post's helpful votes (the forum has no down-votes: they are counted in the
  report, and the score still orders the answers); views -> the thread's view count;
- users -> imported members (forum.importers.members); dates of creation and last edit kept.
- tag wikis (PostTypeId 4 and 5) and other site-internal post types have no place in the forum:
  they are counted as warnings, never dropped silently. An unknown PostTypeId stops the import.

Bodies are converted from HTML to Markdown and stored like every post: the Markdown source and
the HTML that forum.markdown renders from it (the one sanitiser policy), so `forum_rerender` and
edits treat them like any other post. Each post ends with the attribution CC BY-SA asks for: a
link to the original post and to its author, and the licence of that revision.

Re-running with the same dump changes nothing: every record is remembered (ImportedRecord) with
a fingerprint of what was made from it; only records whose result would differ are written
(post numbers, and so permalinks, stay as they are; new answers are appended).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from forum.importers.report import CommunityImportReport
from forum.importers.stackexchange.dump import Dump, read_dump
from forum.importers.stackexchange.importer import StackExchangeImport
from forum.importers.stackexchange.plans import licence_for
from forum.models import Category, ImportedKind, ImportedRecord, Post, Thread

__all__ = ["find_or_create_category", "import_stackexchange", "licence_for"]


def find_or_create_category(name_or_slug: str, *, description: str = "") -> Category:
    """The category named (or slugged) `name_or_slug`, created at the end if there is none."""
    value = name_or_slug.strip()
    category = (
        Category.objects.filter(slug=value).first()
        or Category.objects.filter(name__iexact=value).first()
    )
    if category is None:
        last = Category.objects.order_by("-position").values_list("position", flat=True).first()
        base = slugify(value)[:70] or "imported"
        slug, n = base, 1
        while Category.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        category = Category.objects.create(
            name=value[:80],
            slug=slug,
            description=description[:500],
            position=(last or 0) + 1,
        )
    return category


def import_stackexchange(
    path: str | Path,
    *,
    category: str = "",
    site: str = "",
    anonymous_names: bool = False,
    dry_run: bool = False,
    progress: bool = False,
) -> CommunityImportReport:
    """Import one Stack Exchange site's dump folder; returns what was done.

    All or nothing: the import runs in one transaction (a clear CommunityImportError, or any
    failure, leaves the database as it was); with `dry_run` it is rolled back at the end, so the
    report says what a real run would do. Search indexing is scheduled for every thread created
    or changed and runs once the transaction commits.
    """
    started, cpu_started = time.monotonic(), time.process_time()
    report = CommunityImportReport(source=str(path), dry_run=dry_run)
    dump = read_dump(path, report, domain=site)
    report.source = f"{dump.domain} ({len(dump.questions)} questions)"
    with transaction.atomic():
        target = find_or_create_category(
            category or dump.domain,
            description=f"Questions and answers imported from {dump.site_url} (CC BY-SA).",
        )
        report.category = target.name
        StackExchangeImport(
            dump, target, report, anonymous_names=anonymous_names, progress=progress
        ).run()
        _add_figures(report, dump, target)
        if dry_run:
            transaction.set_rollback(True)
    report.seconds = time.monotonic() - started
    report.cpu_seconds = time.process_time() - cpu_started
    return report


def _add_figures(report: CommunityImportReport, dump: Dump, category: Category) -> None:
    """Totals in the forum for this source, to compare with the dump (they must be equal)."""
    source = f"stackexchange:{dump.domain}"
    records = ImportedRecord.objects.filter(source=source)
    thread_ids = records.filter(kind=ImportedKind.QUESTION).values("object_id")
    posts = Post.objects.filter(thread_id__in=thread_ids)
    report.figures.update(
        {
            "threads in the forum from this source": len(thread_ids),
            "replies in the forum from this source": posts.filter(number__gt=1).count(),
            "helpful votes on them": sum(posts.values_list("helpful_count", flat=True)),
            "accepted answers marked": Thread.objects.filter(
                pk__in=thread_ids, accepted_answer__isnull=False
            ).count(),
            "comments kept": records.filter(kind=ImportedKind.COMMENT).count(),
            "members from this source": records.filter(kind=ImportedKind.MEMBER).count(),
            "up-votes in the dump": sum(dump.up_votes.values()),
        }
    )
