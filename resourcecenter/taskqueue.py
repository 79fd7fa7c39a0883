"""Queueing background tasks together with the change that calls for them.

With the database queue (`django_tasks_db`, production) a task is a row: written inside the
transaction of the change, it commits with it or vanishes with a rollback, and no crash
between the commit and a separate enqueue can lose it. The worker cannot see the row before
the commit, so it never acts on a change that is not there yet. Other backends (the immediate
one under `make run` and in tests) run or hand off the task at once, so they are asked only
after the commit.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, router, transaction


def uses_database_queue(task) -> bool:
    """Whether `task` is queued as a row of this project's default database."""
    backend = task.get_backend()
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        return False
    from django_tasks_db.models import DBTaskResult

    return router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS


def enqueue_with_change(task, **kwargs) -> None:
    """Queue `task(**kwargs)` so that it exists exactly when the current transaction commits."""
    if uses_database_queue(task):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
