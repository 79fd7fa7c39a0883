"""Production settings: everything that varies comes from the environment.

Refuses to start without a strong SECRET_KEY and explicit ALLOWED_HOSTS.
"""

import os

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

from .base import *  # noqa: F403

DEBUG = False


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"The {name} environment variable is required in production.")
    return value


SECRET_KEY = _env("SECRET_KEY")
_INSECURE_MARKERS = ("insecure", "dev-only", "test-only", "changeme", "secret")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in _INSECURE_MARKERS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or insecure: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host.")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}

SEARCH_URL = os.environ.get("SEARCH_URL", "")
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", f"https://{ALLOWED_HOSTS[0]}")

if os.environ.get("CACHE_URL", "").startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Resource Center <support@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
REQUIRE_STAFF_MFA = True

STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(MEDIA_ROOT))  # noqa: F405
