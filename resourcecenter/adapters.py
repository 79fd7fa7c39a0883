"""allauth extension points for the site, kept in one place as allauth intends."""

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from resourcecenter import clientip, login_throttle
from resourcecenter.emails import queue_email
from resourcecenter.mfa_enrolment import user_requires_mfa

# The verification-sent page offers to resend the link; it needs to know which address the
# refused login (or the sign-up) was for, without putting it in the URL.
PENDING_VERIFICATION_SESSION_KEY = "resourcecenter_pending_verification_email"


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's e-mail through the task queue and remembers who awaits verification.

    Guarantees: every account e-mail (verification, password reset, notifications) is rendered
    in the request, queued with `queue_email` and sent after the transaction commits, so a slow
    mail server never slows a sign-up and a rolled-back sign-up never sends mail.
    """

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        site = get_current_site(request) if request is not None else None
        ctx = {"request": request, "email": email, "current_site": site}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = None
        if isinstance(message, EmailMultiAlternatives):
            for content, mimetype in message.alternatives:
                if mimetype == "text/html":
                    html = str(content)
        text = str(message.body)
        if message.content_subtype == "html" and html is None:
            html, text = text, ""
        queue_email(
            to=list(message.to),
            subject=str(message.subject),
            text=text,
            html=html,
            headers=dict(message.extra_headers) or None,
            from_email=message.from_email,
        )

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        # Replaces allauth's "5 failures per address typed" lock (which let anyone lock the
        # owner out) with a progressive delay per (account, client address); see
        # resourcecenter.login_throttle. allauth's login_failed limit still guards 2FA codes.
        login = credentials.get("email") or credentials.get("username") or ""
        wait = login_throttle.consume_attempt(request, login)
        if wait:
            raise ValidationError(
                f"Too many failed attempts from here. Try again in "
                f"{login_throttle.describe_wait(wait)}, or sign in with a code sent to your "
                "e-mail address.",
                code="too_many_login_attempts",
            )

    def authenticate(self, request: HttpRequest, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login = credentials.get("email") or credentials.get("username") or ""
            login_throttle.attempt_succeeded(request, login)
        return user

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials) -> None:
        # allauth calls this after a successful password reset: the owner proved the mailbox.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_throttle.forget_account(credentials.get("email") or credentials.get("username"))

    def get_client_ip(self, request: HttpRequest) -> str:
        # One reading of the client address for allauth's rate limits and the forum's
        # (resourcecenter.clientip: trusted proxy header / X-Forwarded-For count). Unlike
        # allauth's own, it never fails on a short X-Forwarded-For.
        ip = clientip.client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's IP address.")
        return ip

    def respond_email_verification_sent(self, request: HttpRequest, user) -> HttpResponse:
        # The address as typed (not the account's), so a sign-up with an address that already
        # has an account looks exactly like a new one (no enumeration).
        typed = (request.POST.get("email") or request.POST.get("login") or "").strip()
        if typed and "@" in typed and len(typed) <= 254:
            request.session[PENDING_VERIFICATION_SESSION_KEY] = typed
        return super().respond_email_verification_sent(request, user)

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        # allauth's "confirmation sent" message duplicates the page it redirects to.
        if message_template == "account/messages/email_confirmation_sent.txt":
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )


class MFAAdapter(DefaultMFAAdapter):
    """Staff cannot switch off their authenticator app while REQUIRE_STAFF_MFA is on."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff accounts must keep two-factor authentication on. To move it to a new "
            "phone, scan the secret you saved into the new app, or ask another administrator."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if (
            getattr(settings, "REQUIRE_STAFF_MFA", False)
            and authenticator.type == Authenticator.Type.TOTP
            and user_requires_mfa(authenticator.user)
        ):
            return False
        return super().can_delete_authenticator(authenticator)
