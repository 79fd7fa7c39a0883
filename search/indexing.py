"""How search learns that something changed, and how the index catches up.

One trigger path: each provider connects model signals (`Provider.connect_signals`) whose
receivers call `schedule_reindex(obj)`; services never call search themselves. It writes outbox
rows in the caller's transaction (so a change and its index update commit or roll back together),
each key once per transaction, and, once the transaction commits, enqueues the
`apply_index_outbox` task. The task resolves each key to the current documents and sends
them to the engine. If the engine fails (the search server is down), the rows stay with the
error and a retry time, and a retry task is queued; nothing is lost and no request fails.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from resourcecenter.taskqueue import uses_database_queue

logger = logging.getLogger(__name__)

BATCH_KEYS = 200
MAX_BACKOFF = timedelta(minutes=10)


def schedule_reindex(obj) -> None:
    """Queue `obj`'s search documents for re-indexing (durably, in the current transaction)."""
    from search.registry import provider_for

    provider = provider_for(obj)
    if provider is None:
        # A gate row (e.g. a plan restriction) names the page or category it gates.
        for attribute in ("page", "category", "thread"):
            target = getattr(obj, attribute, None)
            if target is not None and provider_for(target) is not None:
                schedule_reindex(target)
                return
        logger.debug("search: nothing to re-index for %r", obj)
        return
    keys = provider.keys_for(obj)
    schedule_keys(provider.name, keys)


def schedule_keys(provider_name: str, keys: list[str]) -> None:
    from search.models import IndexOutbox

    keys = [k for k in dict.fromkeys(keys) if k not in _written_in_this_transaction(provider_name)]
    if not keys:
        return
    IndexOutbox.objects.bulk_create([IndexOutbox(provider=provider_name, key=k) for k in keys])
    transaction.on_commit(_Written(provider_name, keys))


def drained_by_queued_task() -> None:
    """Say that the open transaction also queues a task that drains the outbox when it runs
    (forum.tasks.announce_reply, for a reply's whole fan-out): the keys written so far need no
    drain task of their own, and their commit asks the queue nothing."""
    for hook in _pending_hooks():
        hook.covered = True


class _Written:
    """On-commit hook that remembers which outbox keys the open transaction already wrote.

    One change often fires several signals (a reply saves the post and then its thread): the
    first writes the row, the others find this hook still pending and write nothing. A rolled
    back savepoint drops its hooks (Django does), so a key written there is written again; once
    the hook has run, or a drain has read the rows, the keys count as written no more.
    """

    def __init__(self, provider: str, keys: list[str]):
        self.provider = provider
        self.keys = frozenset(keys)
        self.spent = False
        self.covered = False  # a queued task drains these keys (drained_by_queued_task)

    def __call__(self) -> None:
        self.spent = True
        if not self.covered:
            _enqueue_drain()


def _pending_hooks() -> list[_Written]:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return []
    return [
        hook
        for _sids, hook, _robust in connection.run_on_commit
        if isinstance(hook, _Written) and not hook.spent
    ]


def _written_in_this_transaction(provider_name: str) -> set[str]:
    written: set[str] = set()
    for hook in _pending_hooks():
        if hook.provider == provider_name:
            written |= hook.keys
    return written


def _enqueue_drain() -> None:
    """Hand the work to the task worker; a failure here only delays indexing.

    Several changes committed together lead to one queued task: with the database queue, a
    task that is queued and not yet started will drain everything, so no second one is added.
    """
    from search.tasks import apply_index_outbox

    try:
        if _drain_already_queued(apply_index_outbox):
            return
        apply_index_outbox.enqueue()
    except Exception:  # the outbox keeps the work; a retry or the next change picks it up
        logger.exception("could not enqueue the search outbox task")


def _drain_already_queued(task) -> bool:
    if not uses_database_queue(task):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def drain(*, include_delayed: bool = False, engine=None, max_batches: int | None = None) -> dict:
    """Apply pending outbox rows in order; returns counts. Safe to run concurrently.

    `include_delayed` also takes rows whose retry time has not come yet (the retry command).
    Stops at the first batch the engine refuses; its rows stay, with the error recorded.
    """
    from search.engines import get_engine
    from search.models import IndexOutbox

    engine = engine or get_engine()
    for hook in _pending_hooks():  # rows written before now are this drain's to apply
        hook.spent = True
    stats = {"applied": 0, "upserted": 0, "deleted": 0, "failed": 0}
    batches = 0
    last_id = 0
    while max_batches is None or batches < max_batches:
        rows = IndexOutbox.objects.filter(id__gt=last_id).order_by("id")
        if not include_delayed:
            rows = rows.filter(next_attempt_at__lte=timezone.now())
        rows = list(rows[: BATCH_KEYS * 2])
        if not rows:
            break
        batches += 1
        last_id = rows[-1].id
        upserts, deletes, resolved_rows = _resolve(rows, stats)
        if not resolved_rows:
            continue
        try:
            engine.delete(sorted(deletes))
            engine.upsert(list(upserts.values()))
        except Exception as exc:
            logger.warning("search: the engine refused an outbox batch: %s", exc)
            _fail(resolved_rows, exc)
            stats["failed"] += len(resolved_rows)
            _schedule_retry(resolved_rows)
            break
        IndexOutbox.objects.filter(id__in=[r.id for r in resolved_rows]).delete()
        stats["applied"] += len(resolved_rows)
        stats["upserted"] += len(upserts)
        stats["deleted"] += len(deletes)
    return stats


def _resolve(rows, stats: dict) -> tuple[dict, set[str], list]:
    """The documents behind `rows`' keys: (upserts by id, ids to delete, rows resolved).

    A key whose documents cannot be built keeps its rows, with the error (counted as failed).
    """
    from search.registry import get_provider

    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row.provider, row.key), []).append(row)
    upserts: dict = {}
    deletes: set[str] = set()
    resolved_rows = []
    for (provider_name, key), group in groups.items():
        try:
            for doc_id, doc in get_provider(provider_name).resolve(key):
                if doc is None:
                    deletes.add(doc_id)
                    upserts.pop(doc_id, None)
                else:
                    upserts[doc_id] = doc
                    deletes.discard(doc_id)
            resolved_rows += group
        except Exception as exc:
            logger.exception("search: could not build documents for %s:%s", provider_name, key)
            _fail(group, exc)
            stats["failed"] += len(group)
    return upserts, deletes, resolved_rows


def _fail(rows, exc: Exception) -> None:
    from search.models import IndexOutbox

    now = timezone.now()
    message = f"{type(exc).__name__}: {exc}"[:2000]
    for row in rows:
        row.attempts += 1
        row.last_error = message
        row.next_attempt_at = now + _backoff(row.attempts)
    IndexOutbox.objects.bulk_update(rows, ["attempts", "last_error", "next_attempt_at"])


def _schedule_retry(rows) -> None:
    """Ask the worker to try again when the earliest failed row is due (if it can defer)."""
    from search.tasks import apply_index_outbox

    run_after = min(r.next_attempt_at for r in rows)
    try:
        backend = apply_index_outbox.get_backend()
        if backend.supports_defer:
            apply_index_outbox.using(run_after=run_after).enqueue()
    except Exception:
        logger.exception("could not schedule the search outbox retry")


def pending_count() -> int:
    from search.models import IndexOutbox

    return IndexOutbox.objects.count()
