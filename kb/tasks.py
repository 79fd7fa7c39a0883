"""Background work of the Resource Center: scheduled publishing and expiry, on time.

Wagtail keeps scheduled revisions (`approved_go_live_at`) and expiry dates (`expire_at`) in the
database and acts on them when `manage.py publish_scheduled` runs. So that editors' schedules
are kept without a cron job, `kb.signals` asks the task worker to run it at each due time (when
the task backend can defer; the worker, `db_worker`, is always running in production). Running
`publish_scheduled` from cron as well is harmless: it only acts on what is due.
"""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from django_tasks import task


@task()
def publish_due_pages() -> str:
    """Publish the revisions whose go-live time has come and unpublish expired pages."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def schedule_publishing_at(when: datetime.datetime | None) -> bool:
    """Ask the worker to publish due pages at `when` (after commit). Returns False when the
    time is not in the future or the task backend cannot defer (then cron's
    `publish_scheduled` is the way)."""
    if when is None or when <= timezone.now():
        return False
    if not publish_due_pages.get_backend().supports_defer:
        return False

    def enqueue():
        # a second late: the command acts on times strictly in the past
        publish_due_pages.using(run_after=when + datetime.timedelta(seconds=1)).enqueue()

    transaction.on_commit(enqueue)
    return True
