"""Development settings: what `make run` uses. SQLite in var/, e-mails as files in var/outbox."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}

SEARCH_URL = os.environ.get("SEARCH_URL", "")

# Tasks run immediately in the web process under `make run`, so a newcomer sees e-mails and
# index updates without starting a worker. Set TASKS_WORKER=1 to queue them for `db_worker`.
if os.environ.get("TASKS_WORKER") != "1":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "outbox"
