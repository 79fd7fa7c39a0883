"""Settings for `make bench-forum`: the test settings (DEBUG off, local-memory cache) on the
PostgreSQL server named by DATABASE_URL, with the production task queue (a queued task is a row,
so a reply's fan-out is measured as the web process pays for it) and write limits raised so a
timing loop of replies is not refused by the flood protection it is not measuring."""

from resourcecenter.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
FORUM_RATE_LIMITS = {"post": {"member": [(100_000, 60)], "ip": [(100_000, 60)]}}
