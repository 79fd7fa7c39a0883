"""Production settings: everything that varies comes from the environment.

Refuses to start (ImproperlyConfigured) without a strong SECRET_KEY and explicit
ALLOWED_HOSTS, or with contradictory e-mail settings. HTTPS only: secure cookies, HSTS, SSL
redirect; a Content-Security-Policy on every response (resourcecenter.middleware); staff must
use two-factor authentication (REQUIRE_STAFF_MFA).

Environment:
    SECRET_KEY            required, at least 50 random characters
    ALLOWED_HOSTS         required, comma-separated host names (no "*")
    DATABASE_URL          e.g. postgres://user:pass@host:5432/db (default: SQLite in var/)
    CSRF_TRUSTED_ORIGINS  comma-separated origins (default: https://<each allowed host>)
    BASE_URL              the public URL used in e-mails and the admin (default: first host)
    SEARCH_URL            Elasticsearch/OpenSearch URL (default: the database engine)
    CACHE_URL             redis://... for a shared cache (default: the database cache)
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
    EMAIL_USE_SSL, EMAIL_TIMEOUT, EMAIL_BACKEND, DEFAULT_FROM_EMAIL, SERVER_EMAIL
    SECURE_SSL_REDIRECT   "0" only if the proxy already redirects to HTTPS (default "1")
    SECURE_HSTS_SECONDS   default one year
    TRUSTED_PROXY_COUNT   how many reverse proxies you run in front of the app, each appending
                          to X-Forwarded-For (default 0: the header is ignored). The client IP
                          for rate limits is the entry that many places from the right; entries
                          further left were written by the client and are ignored.
    TRUSTED_CLIENT_IP_HEADER  instead of the count: a header your proxy OVERWRITES with the
                          client's address on every request (X-Real-IP, CF-Connecting-IP).
                          Set at most one of the two, and only if every request reaches the app
                          through that proxy: otherwise clients choose their own address.
"""

import os

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

from .base import *  # noqa: F403
from .base import MEDIA_ROOT, STATIC_ROOT

DEBUG = False


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or not value.strip():
        raise ImproperlyConfigured(f"The {name} environment variable is required in production.")
    return value.strip()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}.")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# --- Secret key: long, varied, and not one of the development or example keys ---
SECRET_KEY = _env("SECRET_KEY")
_INSECURE_MARKERS = ("insecure", "dev-only", "test-only", "changeme", "change-me", "secret", "xxxx")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 10
    or any(marker in SECRET_KEY.lower() for marker in _INSECURE_MARKERS)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is insecure: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# --- Hosts ---
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "The ALLOWED_HOSTS environment variable is required in production "
        "(comma-separated host names, e.g. support.example.com)."
    )
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured('ALLOWED_HOSTS must name the site\'s hosts, not "*".')
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS") or [
    f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS
]
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", f"https://{ALLOWED_HOSTS[0].lstrip('.')}")

# --- Database (SQLite in var/ stays the embedded default) ---
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }

SEARCH_URL = os.environ.get("SEARCH_URL", "")

if os.environ.get("CACHE_URL", "").startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        },
        "status": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            "KEY_PREFIX": "status",
            "TIMEOUT": None,
        },
    }

# --- E-mail (sent by the task worker; see resourcecenter.emails) ---
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Resource Center <support@example.com>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Inbound e-mail (tiers.tickets.inbound, .mailauth, .webhooks; README "Running at scale") ---
TIERS_INBOUND_ADDRESS = os.environ.get("INBOUND_EMAIL_ADDRESS") or None
TIERS_INBOUND_TRUSTED_AUTHSERV_IDS = _env_list("INBOUND_TRUSTED_AUTHSERV_IDS")
# The webhook exists only with a signing key; WEBHOOK_SECRET ("user:password") adds basic auth.
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", "")}
if os.environ.get("ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = os.environ["ANYMAIL_WEBHOOK_SECRET"]

# --- The client's IP address behind reverse proxies (rate limits; resourcecenter.clientip) ---
ALLAUTH_TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "").strip() or None
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured("Set only one of TRUSTED_PROXY_COUNT and TRUSTED_CLIENT_IP_HEADER.")

# --- HTTPS only ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # links in account e-mails
MFA_TRUST_COOKIE_SECURE = True

# Staff must enrol in two-factor authentication (resourcecenter.middleware).
REQUIRE_STAFF_MFA = True

# security.W019 wants X_FRAME_OPTIONS = "DENY". Wagtail's page preview shows the page in a
# same-origin iframe, so we keep SAMEORIGIN; the Content-Security-Policy's
# `frame-ancestors 'self'` gives the same protection against clickjacking by other sites.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(MEDIA_ROOT))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
