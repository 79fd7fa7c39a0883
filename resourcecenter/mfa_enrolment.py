"""Proof of ownership before staff enrol their first authenticator app.

Without it, whoever learns a staff password before the owner has enrolled scans their own QR
code and the account is theirs (the owner is then the one asked for a code). Two ways to prove
it is the owner:

- a one-time code e-mailed to the account's verified primary address (`send_code` /
  `check_code`), which marks this session as allowed to enrol for a short while;
- an administrator provisions the authenticator (`provision_totp`, `manage.py mfa_provision`)
  and hands the secret to the owner in person.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.http import HttpRequest

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from resourcecenter import clientip, ratelimit
from resourcecenter.emails import queue_templated_email
from resourcecenter.roles import guardian_for

CODE_SESSION_KEY = "resourcecenter_mfa_enrol_code"
PROOF_SESSION_KEY = "resourcecenter_mfa_enrol_proof"
CODE_LIFETIME = 10 * 60
PROOF_LIFETIME = 30 * 60
MAX_CODE_ATTEMPTS = 5
# Codes sent: at most 3 per account and 10 per client address in ten minutes.
SEND_RATE_PER_ACCOUNT = ratelimit.Policy("accounts.mfa-enrol-code", ((3, 10 * 60),))
SEND_RATE_PER_ADDRESS = ratelimit.Policy("accounts.mfa-enrol-code-ip", ((10, 10 * 60),))


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


@dataclass(frozen=True)
class SendResult:
    sent: bool
    reason: str = ""


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def enrolment_needs_proof(user) -> bool:
    """Staff (anyone who must use two-factor) enrolling their first authenticator app."""
    return user_requires_mfa(user) and not has_totp(user)


def verified_primary_address(user) -> str | None:
    address = EmailAddress.objects.filter(user=user, primary=True, verified=True).first()
    return address.email if address else None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def send_code(request: HttpRequest, user) -> SendResult:
    """E-mail a fresh 6-digit enrolment code to the user's verified primary address.

    Only the newest code works; it expires after CODE_LIFETIME and after MAX_CODE_ATTEMPTS
    wrong tries. Sending is rate limited per account and per address.
    """
    email = verified_primary_address(user)
    if email is None:
        return SendResult(False, "no_verified_address")
    address_key = clientip.rate_limit_key(clientip.client_ip(request))
    waits = [
        SEND_RATE_PER_ACCOUNT.consume(str(user.pk)),
        SEND_RATE_PER_ADDRESS.consume(address_key),
    ]
    if any(waits):
        return SendResult(False, "rate_limited")
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[CODE_SESSION_KEY] = {
        "user": user.pk,
        "digest": _digest(code),
        "expires": time.time() + CODE_LIFETIME,
        "attempts": 0,
    }
    context = {"code": code, "minutes": CODE_LIFETIME // 60, "user": user}
    queue_templated_email(
        [email],
        "[Resource Center] Your code to set up two-factor authentication",
        "account/email/mfa_enrol_code",
        context,
    )
    return SendResult(True)


def check_code(request: HttpRequest, user, code: str) -> bool:
    """Whether `code` is this session's current enrolment code; on success the session may
    enrol an authenticator app for PROOF_LIFETIME."""
    pending = request.session.get(CODE_SESSION_KEY)
    if not pending or pending.get("user") != user.pk or time.time() > pending["expires"]:
        return False
    if pending["attempts"] >= MAX_CODE_ATTEMPTS:
        request.session.pop(CODE_SESSION_KEY, None)
        return False
    pending["attempts"] += 1
    request.session[CODE_SESSION_KEY] = pending
    if not hmac.compare_digest(pending["digest"], _digest(code.strip())):
        return False
    request.session.pop(CODE_SESSION_KEY, None)
    request.session[PROOF_SESSION_KEY] = {"user": user.pk, "expires": time.time() + PROOF_LIFETIME}
    return True


def has_proof(request: HttpRequest, user) -> bool:
    proof = request.session.get(PROOF_SESSION_KEY)
    return bool(proof and proof.get("user") == user.pk and time.time() <= proof["expires"])


def provision_totp(user) -> str:
    """Create the user's authenticator with a fresh secret and return the secret.

    For an administrator who sets up two-factor for a colleague in person (the colleague adds
    the secret to their app). Refuses if the user already has one.
    """
    if has_totp(user):
        raise ValueError(f"{user.email} already has an authenticator app.")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
