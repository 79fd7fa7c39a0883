"""Test settings: fast hasher, locmem cache, immediate tasks, e-mail to locmem outbox.

DATABASE_URL selects PostgreSQL for the PostgreSQL pass of `make test`.
"""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "status": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "status"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "NAME": ":memory:",
            "TEST": {"NAME": None},
        }
    }

SEARCH_URL = os.environ.get("SEARCH_URL", "")
# The ranking tests assert the lexical engines' exact orders on corpora of a few documents;
# the hybrid ranking (on by default) is tested on its own, with the real model
# (tests/search/test_dense.py turns it on).
SEARCH_DENSE = False
WAGTAILADMIN_BASE_URL = "http://testserver"
