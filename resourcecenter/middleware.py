from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from allauth.mfa.models import Authenticator

from resourcecenter.redirects import safe_url
from resourcecenter.roles import guardian_for


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


def user_requires_mfa(user, path: str | None = None) -> bool:
    """Whether this signed-in user must use two-factor authentication (for `path`).

    Every staff role must (they act on other people's data, moderate or publish content);
    so must anyone else who can reach the Wagtail admin. The admin-permission lookup costs
    queries, so for a request it is only made on admin paths.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if guardian_for(user).is_staff_member:
        return True
    if path is not None and not path.startswith("/admin/"):
        return False
    return user.has_perm("wagtailadmin.access_admin")


class StaffMFARequiredMiddleware:
    """With settings.REQUIRE_STAFF_MFA, staff without an authenticator app are sent to enrol.

    Staff-only actions live on many URLs (the admin, but also moderation buttons on forum
    pages), so the rule is applied to every page except the account pages themselves (where
    they enrol, re-authenticate or log out), static files and media.
    """

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/favicon.ico", "/robots.txt")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "REQUIRE_STAFF_MFA", False)
            and request.user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and user_requires_mfa(request.user, request.path)
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                "Staff accounts must use two-factor authentication. Set up an authenticator "
                "app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
