"""Show or apply pending search index changes (the outbox). Run from cron as a safety net:
the task worker retries by itself, this also catches up after the worker was down."""

from django.core.management.base import BaseCommand
from django.db.models import Max, Min

from search.indexing import drain
from search.models import IndexOutbox


class Command(BaseCommand):
    help = "Apply pending search index changes now (including ones waiting for a retry)."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Only show what is pending.")

    def handle(self, *args, status=False, **options):
        summary = IndexOutbox.objects.aggregate(oldest=Min("created_at"), attempts=Max("attempts"))
        pending = IndexOutbox.objects.count()
        self.stdout.write(
            f"{pending} pending change(s); oldest {summary['oldest'] or '-'}; "
            f"most attempts {summary['attempts'] or 0}."
        )
        last = IndexOutbox.objects.exclude(last_error="").order_by("-id").first()
        if last:
            self.stdout.write(f"Last error: {last.last_error}")
        if status or not pending:
            return
        stats = drain(include_delayed=True)
        style = self.style.SUCCESS if not stats["failed"] else self.style.WARNING
        self.stdout.write(
            style(
                f"Applied {stats['applied']}, indexed {stats['upserted']}, removed "
                f"{stats['deleted']}, failed {stats['failed']} "
                f"({IndexOutbox.objects.count()} still pending)."
            )
        )
