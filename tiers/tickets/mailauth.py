"""Who really sent an inbound e-mail: the two proofs the support mailbox believes.

1. **Signed reply addresses.** Every ticket e-mail we send carries, in Reply-To, an address
   for that ticket and that recipient: ``support+<ticket>-<user>-<signature>@domain``. The
   signature is Django's salted HMAC of (ticket, user) keyed with SECRET_KEY (fallback keys
   still verify, so rotating the key does not orphan open conversations). Only someone who
   received our e-mail knows it; it cannot be guessed or moved to another ticket or person.
   Hex digits only, because some mail servers lower-case the local part.
2. **The receiving server's verdict.** ``Authentication-Results`` (RFC 8601) saying DMARC, or
   DKIM aligned with the From domain, passed - believed only from a relay we run, named by its
   authserv-id in ``TIERS_INBOUND_TRUSTED_AUTHSERV_IDS``, and only in the topmost such header
   (the relay prepends its own; anything lower was written by whoever sent the message).

The From: header by itself proves nothing and is never enough.
"""

from __future__ import annotations

import hmac
import re
from email.message import Message
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

from tiers.conf import app_settings
from tiers.mail import support_address

SALT = "tiers.tickets.mailauth.reply-address"
SIGNATURE_CHARS = 32  # 128 bits of the SHA-256 HMAC
TOKEN_RE = re.compile(rf"^(\d{{1,18}})-(\d{{1,18}})-([0-9a-f]{{{SIGNATURE_CHARS}}})$")
RESINFO_RE = re.compile(r"(\w[\w-]*)\s*=\s*(\w+)(.*)")
PROPERTY_RE = re.compile(r"header\.(from|d|i)\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)


def _signature(ticket_id: int, user_id: int, secret: str | None = None) -> str:
    value = f"{ticket_id}-{user_id}"
    digest = salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()
    return digest[:SIGNATURE_CHARS]


def inbound_address() -> str:
    """The mailbox customers write to (``TIERS_INBOUND_ADDRESS``, else the support address)."""
    return parseaddr(app_settings.INBOUND_ADDRESS or support_address())[1].lower()


def reply_address(ticket, user) -> str:
    """The Reply-To of an e-mail about `ticket` sent to `user`: only they can use it."""
    local, _, domain = inbound_address().partition("@")
    local = local.split("+", 1)[0]
    token = f"{ticket.pk}-{user.pk}-{_signature(ticket.pk, user.pk)}"
    return f"{local}+{token}@{domain}"


def verify_token(token: str) -> tuple[int, int] | None:
    """(ticket id, user id) for a genuine token, else None."""
    match = TOKEN_RE.match((token or "").strip().lower())
    if not match:
        return None
    ticket_id, user_id, signature = int(match[1]), int(match[2]), match[3]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if hmac.compare_digest(signature, _signature(ticket_id, user_id, secret)):
            return ticket_id, user_id
    return None


def token_claims(message: Message, envelope_recipient: str = "") -> list[tuple[int, int]]:
    """Every genuine (ticket id, user id) among the addresses the message was sent to."""
    values = [envelope_recipient]
    for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        values += [str(value) for value in message.get_all(name, [])]
    claims = []
    for _name, address in getaddresses(values):
        local = address.partition("@")[0]
        if "+" not in local:
            continue
        claim = verify_token(local.split("+", 1)[1])
        if claim and claim not in claims:
            claims.append(claim)
    return claims


def _domain_aligned(from_domain: str, signing_domain: str) -> bool:
    """DMARC's relaxed alignment: the same domain, or From in a subdomain of the signer."""
    signing_domain = signing_domain.lower().lstrip("@").rsplit("@", 1)[-1]
    return from_domain == signing_domain or from_domain.endswith("." + signing_domain)


def domain_authenticated(message: Message, from_address: str) -> bool:
    """Did our trusted relay find DMARC (or aligned DKIM) passing for the From domain?"""
    trusted = {value.lower() for value in app_settings.INBOUND_TRUSTED_AUTHSERV_IDS}
    from_domain = from_address.rpartition("@")[2].lower()
    headers = message.get_all("Authentication-Results", [])
    if not trusted or not from_domain or not headers:
        return False
    authserv_id, _, results = " ".join(str(headers[0]).split()).partition(";")
    # "authserv-id [version]"; the version is optional (RFC 8601 2.2).
    if authserv_id.strip().split(" ")[0].lower() not in trusted:
        return False
    for resinfo in results.split(";"):
        match = RESINFO_RE.search(resinfo.strip())
        if not match or match[2].lower() != "pass":
            continue
        method = match[1].lower()
        props = {key.lower(): value for key, value in PROPERTY_RE.findall(match[3])}
        if method == "dmarc" and props.get("from", "").lower() == from_domain:
            return True
        signer = props.get("d") or props.get("i")
        if method == "dkim" and signer and _domain_aligned(from_domain, signer):
            return True
    return False
