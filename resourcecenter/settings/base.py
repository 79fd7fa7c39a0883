"""Settings shared by every environment. Environment-specific files import * from here."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "resourcecenter",
    "kb",
    "forum",
    "search",
    "tiers",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "resourcecenter.apps.UsersAppConfig",  # wagtail.users with our Users screen
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: it keeps the final answer (every header below added) and answers hits at once.
    "resourcecenter.middleware.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "resourcecenter.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "resourcecenter.middleware.AdminLoginRedirectMiddleware",
    "resourcecenter.middleware.StaffMFARequiredMiddleware",
    "resourcecenter.middleware.ReaderTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "resourcecenter.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "resourcecenter.context_processors.site_context",
            ],
        },
    },
]

WSGI_APPLICATION = "resourcecenter.wsgi.application"

# SQLite in var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "resourcecenter.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# allauth rate limits need a cache shared by all web processes; the database cache
# is the embedded default that works with several processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "resourcecenter_cache",
    },
    # The status page's rendered copies: outside the database, so the page stays up when
    # the database is down (tiers.incidents.statuscache). Files are shared by the processes
    # of one machine.
    "status": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache" / "status",
        "TIMEOUT": None,
    },
}

# Sessions are read through the cache (and written to both): with a memory cache (Redis via
# CACHE_URL) a signed-in request no longer queries the session table; with the database cache
# it is still one query. Every change goes through the session store, which updates both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts (django-allauth 65) ---
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Several addresses per account: add one, confirm it, then make it primary.
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Wrong passwords are slowed per (account, client address) by resourcecenter.login_throttle,
# not by allauth's "login_failed" (it locked the owner out); that limit now guards only the
# two-factor code step (per account, and per address), after a correct password.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# The client's IP address for every per-IP rate limit (allauth's and the forum's; see
# resourcecenter.clientip). Off by default: REMOTE_ADDR. Behind reverse proxies set ONE of them
# (production.py reads TRUSTED_PROXY_COUNT / TRUSTED_CLIENT_IP_HEADER from the environment).
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Resource Center] "
ACCOUNT_ADAPTER = "resourcecenter.adapters.AccountAdapter"
# Adds the optional display name to the sign-up form (validated like the profile form).
ACCOUNT_SIGNUP_FORM_CLASS = "resourcecenter.forms.SignupForm"
ACCOUNT_FORMS = {  # allauth's forms, worded as the site writes ("e-mail")
    "login": "resourcecenter.account_forms.LoginForm",
    "signup": "resourcecenter.account_forms.SignupForm",
    "reset_password": "resourcecenter.account_forms.ResetPasswordForm",
    "request_login_code": "resourcecenter.account_forms.RequestLoginCodeForm",
}
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or e-mail changes
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# "Send me a sign-in code": the owner's way in while password tries from somewhere are slowed.
# Accounts with two-factor still give their code after it.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_SESSION_REMEMBER = None  # ask ("Remember me")
MFA_ADAPTER = "resourcecenter.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Resource Center"
MFA_RECOVERY_CODE_COUNT = 10
# The Wagtail admin must not offer a second way to change e-mail or password (that would skip
# allauth's verification, notifications and rate limits): those links point to /accounts/.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# Staff must enrol in TOTP under production settings (see production.py).
REQUIRE_STAFF_MFA = False

# --- Background tasks (django-tasks with the database backend) ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail ---
DEFAULT_FROM_EMAIL = "Resource Center <support@example.com>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "outbox"

# --- Wagtail ---
WAGTAIL_SITE_NAME = "IoT Connectivity Resource Center"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "zip", "log", "pcap"]
# SVG diagrams are common in imported docs; the docs importer refuses SVGs with active content.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# No third-party avatar requests from the admin: they leak staff e-mail hashes and break the CSP.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Search (the project's own search app) ---
# Empty means the database engine (SQLite FTS5 or PostgreSQL full-text, by the database in use).
SEARCH_URL = ""
SEARCH_INDEX_PREFIX = "resourcecenter"

# --- Security defaults that hold everywhere ---
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Content-Security-Policy sent by resourcecenter.middleware. Wagtail's admin needs inline
# styles/scripts, so the admin gets a relaxed policy (see the middleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
