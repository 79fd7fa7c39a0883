from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from allauth.account import views as allauth_views
from allauth.account.internal.flows import signup as signup_flows
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.core.ratelimit import respond_429
from allauth.mfa.models import Authenticator

from resourcecenter import clientip, mfa_enrolment, ratelimit
from resourcecenter.adapters import PENDING_VERIFICATION_SESSION_KEY
from resourcecenter.forms import EnrolmentCodeForm, ProfileForm, ResendVerificationForm
from resourcecenter.services import save_or_field_error, uniqueness_error

# At most ten resend requests a minute per client address (on top of allauth's per-address
# cooldown), counted by the project's one limiter.
RESEND_VERIFICATION_RATE = ratelimit.Policy("accounts.resend-verification", ((10, 60),))


@login_required
def profile(request):
    """A person's own account: display name, names, and links to e-mail, password and 2FA."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        if save_or_field_error(form, form.save) is not None:
            messages.success(request, "Your profile was saved.")
            return redirect("profile")
        request.user.refresh_from_db()  # the form changed the instance; the save did not happen
    addresses = list(EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"))
    primary = next((a for a in addresses if a.primary), None)
    mfa_types = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    context = {
        "form": form,
        "primary_email": primary.email if primary else request.user.email,
        "primary_verified": bool(primary and primary.verified),
        "other_addresses": [a for a in addresses if not a.primary],
        "totp_active": Authenticator.Type.TOTP in mfa_types,
        "recovery_codes_active": Authenticator.Type.RECOVERY_CODES in mfa_types,
    }
    return render(request, "account/profile.html", context, status=400 if form.errors else 200)


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, in one transaction that turns a uniqueness race into a form answer.

    The form checks the display name and allauth checks the address, but another sign-up can
    take either between the check and the insert. Then nothing of this sign-up is kept: a taken
    display name is shown on its field like the form's own check; a taken address gets exactly
    the answer allauth gives for an address with an account (no enumeration).
    """

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError as exc:
            explained = uniqueness_error(exc)
            if explained is None:
                raise
            field, message = explained
            if field == "email":
                email = form.cleaned_data.get("email")
                return signup_flows.prevent_enumeration(self.request, email=email, phone=None)
            form.add_error(field, message)
            return self.form_invalid(form)


signup = SignupView.as_view()


@require_http_methods(["GET", "POST"])
def resend_verification(request):
    """Send a fresh verification link to an address that awaits confirmation.

    The answer is the same whether or not the address belongs to an unverified account, so
    the form cannot be used to find out who has an account. allauth's per-address cooldown
    (ACCOUNT_RATE_LIMITS["confirm_email"]) applies, plus a per-IP limit.
    """
    initial = {"email": request.session.get(PENDING_VERIFICATION_SESSION_KEY, "")}
    form = ResendVerificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        address_key = clientip.rate_limit_key(clientip.client_ip(request))
        if RESEND_VERIFICATION_RATE.consume(address_key) is not None:
            return respond_429(request)
        email = form.cleaned_data["email"].strip()
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=False, user__is_active=True)
            .select_related("user")
            .first()
        )
        if address is not None:
            send_verification_email_to_address(request, address)
        request.session[PENDING_VERIFICATION_SESSION_KEY] = email
        messages.info(
            request,
            f"If {email} is waiting for confirmation, a new link is on its way. Links can be "
            "re-sent once every few minutes; the newest link and earlier ones all work.",
        )
        return redirect("account_email_verification_sent")
    return render(
        request,
        "account/resend_verification.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol_staff(request):
    """Staff prove they own the account's confirmed address before enrolling two-factor.

    "send" e-mails a code (resourcecenter.mfa_enrolment.send_code); "verify" checks it and
    moves on to allauth's activation page, which the middleware opens only after this proof.
    """
    user = request.user
    if not mfa_enrolment.enrolment_needs_proof(user) or mfa_enrolment.has_proof(request, user):
        return redirect("mfa_activate_totp")
    form = EnrolmentCodeForm(request.POST if request.POST.get("action") == "verify" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "send":
        result = mfa_enrolment.send_code(request, user)
        if result.sent:
            minutes = mfa_enrolment.CODE_LIFETIME // 60
            messages.info(request, f"We sent you a code. It works for {minutes} minutes.")
        elif result.reason == "rate_limited":
            messages.error(request, "Too many codes were sent. Wait a few minutes and try again.")
        return redirect("mfa_enrol_staff")
    if request.method == "POST" and form.is_valid():
        if mfa_enrolment.check_code(request, user, form.cleaned_data["code"]):
            return redirect("mfa_activate_totp")
        form.add_error("code", "That code is wrong or has expired. Send a new one if needed.")
    if form.errors:
        status = 400
    context = {
        "form": form,
        "email": mfa_enrolment.verified_primary_address(user),
        "code_sent": mfa_enrolment.CODE_SESSION_KEY in request.session,
    }
    return render(request, "account/mfa_enrol.html", context, status=status)


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /accounts/",
        "Disallow: /support/tickets/",
        "Disallow: /search/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
