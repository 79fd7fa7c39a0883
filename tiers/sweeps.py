"""The sweep: everything time-driven in tiers, run by `tiers_sweep` and the deferred task.

Each domain registers its own job (`@sweeps.job("name", order=n)`: a function of `now`
returning how many things it handled), so this module imports no domain and the domains need
not import one another to be swept. The jobs are registered when `TiersConfig.ready()` imports
their modules; `order` fixes the order they run and are reported in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from django_tasks import task

Job = Callable[[dt.datetime | None], int]
_jobs: dict[str, tuple[int, Job]] = {}


def job(name: str, *, order: int) -> Callable[[Job], Job]:
    """Register `function` as the sweep job called `name` (its count is reported under it)."""

    def register(function: Job) -> Job:
        _jobs[name] = (order, function)
        return function

    return register


def sweep(now=None) -> dict[str, int]:
    """Run every registered job: due timers, subscription renewals, problem notifications."""
    ordered = sorted(_jobs.items(), key=lambda item: item[1][0])
    return {name: function(now) for name, (_order, function) in ordered}


@task()
def sweep_task() -> dict[str, int]:
    return sweep()


def schedule_sweep_at(when: dt.datetime) -> None:
    """Ask the worker to sweep at `when` (after commit), when the task backend can defer.

    The periodic `tiers_sweep` command covers backends that cannot, and restarts: the due
    times themselves live in the database.
    """

    def enqueue():
        if sweep_task.get_backend().supports_defer:
            sweep_task.using(run_after=when).enqueue()

    transaction.on_commit(enqueue)
