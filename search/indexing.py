"""How other apps tell search that something changed. Filled in by the search issue.

`schedule_reindex(obj)` records, in the caller's transaction, that the search documents of `obj`
(a page, a thread, a post, a category ...) must be rebuilt; the task worker applies it.
"""


def schedule_reindex(obj) -> None:
    """Queue `obj`'s search documents for re-indexing (durably, in the current transaction)."""
