"""Background work of the search app (run by the django-tasks worker)."""

from django_tasks import task


@task()
def apply_index_outbox() -> dict:
    """Apply pending index changes; failed ones stay in the outbox for a later retry."""
    from search.indexing import drain

    return drain()
