"""Rebuild the search index from the database: everything, or one kind of document."""

import itertools
import time

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from search.documents import KINDS
from search.engines import SearchUnavailable, get_engine
from search.engines.base import write_in_batches
from search.indexing import drain
from search.registry import providers_for_kind


class Command(BaseCommand):
    help = "Rebuild the search index (all documents, or only --kind K) and report what changed."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=KINDS, help="Only re-index documents of this kind.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, kind=None, batch_size=500, no_progress=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        engine = get_engine()
        chosen = providers_for_kind(kind)
        total = sum(p.count(kind) or 0 for p in chosen)
        started = time.monotonic()
        bar = tqdm(
            total=total,
            unit="doc",
            desc=f"Indexing {kind or 'everything'}",
            disable=no_progress or bool(options.get("verbosity", 1) < 1),
            file=self.stderr,
        )
        seen: set[str] = set()

        def remember(docs):
            for doc in docs:
                seen.add(doc.id)
                yield doc

        documents = remember(itertools.chain.from_iterable(p.iter_documents(kind) for p in chosen))
        try:
            before = engine.ids(kind=kind)
            if kind is None:
                indexed = engine.rebuild(documents, batch_size=batch_size, progress=bar.update)
                removed = len(before - seen)
            else:
                indexed = len(write_in_batches(documents, batch_size, bar.update, engine.upsert))
                stale = before - seen
                engine.delete(sorted(stale))
                removed = len(stale)
        except SearchUnavailable as exc:
            raise CommandError(f"The search engine is unavailable: {exc}") from exc
        finally:
            bar.close()
        caught_up = drain(include_delayed=True)
        seconds = time.monotonic() - started
        rate = indexed / seconds if seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed} document{'s' if indexed != 1 else ''} "
                f"({kind or 'all kinds'}) with the {engine.name} engine in {seconds:.1f} s "
                f"({rate:.0f}/s); removed {removed} stale; "
                f"applied {caught_up['applied']} pending change(s); "
                f"{engine.count()} in the index now."
            )
        )
