import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from resourcecenter.mfa_enrolment import (
    enrolment_needs_proof,
    has_proof,
    has_totp,
    user_requires_mfa,  # noqa: F401  (re-exported: the rule's long-standing address)
)
from resourcecenter.redirects import safe_url


class ContentSecurityPolicyMiddleware:
    """Sends a strict Content-Security-Policy on the public site.

    The Wagtail admin relies on inline scripts and styles, so it gets a policy that only
    restricts where content may come from and who may frame it.
    """

    ADMIN_POLICY = (
        "default-src 'self'; img-src 'self' data: https: blob:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "frame-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/") or request.path.startswith("/django-admin/"):
                policy = self.ADMIN_POLICY
            else:
                policy = settings.CONTENT_SECURITY_POLICY
            response["Content-Security-Policy"] = policy
        return response


class AdminLoginRedirectMiddleware:
    """Sends the Wagtail and Django admin login and password pages to allauth.

    There is one way in: allauth's login, with its rate limits, e-mail verification and
    two-factor step. The admins' own login forms would bypass all three.
    """

    LOGIN_PATHS = ("/admin/login/", "/django-admin/login/")
    RESET_PATHS = ("/admin/password_reset/",)
    PASSWORD_CHANGE_PATHS = ("/django-admin/password_change/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path in self.LOGIN_PATHS:
            default_next = "/admin/" if path.startswith("/admin/") else "/django-admin/"
            next_url = safe_url(request, request.GET.get("next"), default_next)
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if path.startswith(self.RESET_PATHS):
            return redirect("account_reset_password")
        if path.startswith(self.PASSWORD_CHANGE_PATHS):
            return redirect("account_change_password")
        return self.get_response(request)


def serves_without_session(view):
    """Marks a view whose response never depends on who asks (the public status page's
    cached copies): StaffMFARequiredMiddleware lets it through without loading the user, so
    a signed-in visitor's request reads neither session nor user from the database and gets
    the last good copy while the database is down, like an anonymous one."""
    view.serves_without_session = True
    return view


class StaffMFARequiredMiddleware:
    """Staff cannot use the site until they have enrolled in two-factor, nor enrol unproven.

    - Enrolling the first authenticator app (allauth's activation page) needs proof from the
      verified e-mail address (resourcecenter.mfa_enrolment), always: a password alone must
      not let someone else attach their phone to a staff account.
    - With settings.REQUIRE_STAFF_MFA, a staff session without an authenticator app reaches
      only the pages that let it enrol, re-authenticate, confirm an address or log out; every
      other page (including the rest of /accounts/, where an intruder could change the
      address the enrolment code goes to) sends it to enrol.
    - Views marked `serves_without_session` show everyone the same public page: they are let
      through before the user is loaded (the check runs in process_view, where the view is
      known), so the session's database read never happens for them.
    """

    ACTIVATE_PATH = "/accounts/2fa/totp/activate/"
    ENROL_PATH = "/accounts/2fa/enrol/"
    # Reachable before enrolment: static files, and the account pages needed to get enrolled
    # or leave. Everything else under /accounts/ is not.
    EXEMPT_PREFIXES = ("/static/", "/media/", "/favicon.ico", "/robots.txt")
    ENROLMENT_PATHS = (
        ENROL_PATH,
        ACTIVATE_PATH,
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/accounts/login/",
        "/accounts/confirm-email/",
        "/accounts/2fa/authenticate/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path
        if getattr(view_func, "serves_without_session", False) or path.startswith(
            self.EXEMPT_PREFIXES
        ):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if path == self.ACTIVATE_PATH:
            if enrolment_needs_proof(user) and not has_proof(request, user):
                return redirect("mfa_enrol_staff")
            return None
        if (
            getattr(settings, "REQUIRE_STAFF_MFA", False)
            and not path.startswith(self.ENROLMENT_PATHS)
            and user_requires_mfa(user, path)
            and not has_totp(user)
        ):
            messages.warning(
                request,
                "Staff accounts must use two-factor authentication. Set up an authenticator "
                "app to continue.",
            )
            return redirect("mfa_enrol_staff")
        return None


class ReaderTimeZoneMiddleware:
    """Shows times in the reader's own time zone.

    site.js stores the browser's IANA zone name in the `tz` cookie; a known zone is activated
    for the request (templates then show local times; see resourcecenter.templatetags.wording).
    Unknown or missing: UTC, which the date style names.
    """

    COOKIE = "tz"
    _known = None

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def known_zones(cls) -> set[str]:
        if cls._known is None:
            cls._known = zoneinfo.available_timezones()
        return cls._known

    def __call__(self, request):
        name = request.COOKIES.get(self.COOKIE, "")
        if name and len(name) <= 64 and name in self.known_zones():
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class AnonymousPageCacheMiddleware:
    """Answers anonymous visitors' GETs for public pages from the cache (resourcecenter.pagecache)
    before sessions, users or views are looked at: a hit costs no database query.

    First in MIDDLEWARE: the copy it keeps is the stack's final answer, with the security,
    Content-Security-Policy and framing headers the other middleware add, so a hit needs none
    of them to run. The CSRF middleware's steps a hit needs (a cached page's forms get the
    visitor's own token and cookie) run in `pagecache.cached_response`. Under WSGI a hit is
    answered even earlier, by `pagecache.PageCacheWSGIHandler`; this is the door for the rest
    (the test client, ASGI) and the one that keeps the copies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from resourcecenter import pagecache

        key = pagecache.anonymous_key(request)
        if key is None:
            return self.get_response(request)
        response = pagecache.cached_response(request, key)
        if response is None:
            response = self.get_response(request)
            pagecache.store(request, key, response)
        return response
