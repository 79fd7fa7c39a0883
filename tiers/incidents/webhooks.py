"""Signed webhook deliveries for the status page, with retries and a delivery log.

Each request is a POST of the stored JSON body with

    X-Status-Event: incident.updated
    X-Status-Delivery: <delivery id>
    X-Status-Timestamp: <unix seconds>
    X-Status-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares it in
constant time and rejects timestamps older than a few minutes (replays). Any 2xx answer is
success; anything else, a timeout or a refused address is retried after 1, 5, 30 minutes,
2 and 6 hours (`RETRY_DELAYS`), then the delivery is marked failed. The first attempt runs
as a task queued with the change; retries are queued for their time when the task backend
can defer, and the `tiers_sweep` job sends whatever is due in any case (restarts, backends
that cannot defer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import socket
import time
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from django_tasks import task

from tiers import sweeps
from tiers.conf import app_settings
from tiers.incidents.models import WebhookDelivery

RETRY_DELAYS = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
]
SIGNATURE_HEADER = "X-Status-Signature"
TIMESTAMP_HEADER = "X-Status-Timestamp"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for this timestamp and body."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Refused(Exception):
    """The URL points somewhere the sender must not go."""


def _resolve_destination(host: str, port: int) -> str:
    """The one address the POST goes to, checked: every address the name has must be public.

    The connection is then made to this address (never a second lookup), so a name that
    answers a public address to the check and a private one to the connect (DNS rebinding)
    cannot reach the internal network.
    """
    addresses = [
        sockaddr[0] for *_rest, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    ]
    if not app_settings.STATUS_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not ipaddress.ip_address(address).is_global:
                raise Refused(f"{host} resolves to a non-public address")
    return addresses[0]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status code. No redirects are followed (a redirect is a failure)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _resolve_destination(parts.hostname, port)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, port, timeout=app_settings.STATUS_WEBHOOK_TIMEOUT)
    # TLS still verifies the certificate against the host name (SNI); only the socket is pinned.
    connection._create_connection = lambda _target, *args, **kwargs: socket.create_connection(
        (address, port), *args, **kwargs
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


LEASE = dt.timedelta(minutes=2)


def attempt(delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """Try one delivery if it is due; returns its status afterwards (None if not due).

    The attempt is claimed first (a conditional UPDATE that moves `next_attempt_at` past the
    request's timeout), so two workers never send the same attempt, and no transaction stays
    open while the receiver answers.
    """
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        delivery.status = WebhookDelivery.FAILED
        delivery.last_error = "The webhook was disabled."
        delivery.save()
        return delivery.status
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "status-webhooks/1",
        "X-Status-Event": delivery.event,
        "X-Status-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
    }
    try:
        code = _post(endpoint.url, body, headers)
        error = "" if 200 <= code < 300 else f"HTTP {code}"
    except (OSError, http.client.HTTPException, Refused) as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:300]
    delivery.last_status_code = code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.status = WebhookDelivery.FAILED
    else:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        _retry_at(delivery.pk, delivery.next_attempt_at)
    delivery.save()
    return delivery.status


def _retry_at(delivery_id: int, when: dt.datetime) -> None:
    if deliver_task.get_backend().supports_defer:
        transaction.on_commit(
            lambda: deliver_task.using(run_after=when).enqueue(delivery_id=delivery_id)
        )


@task()
def deliver_task(delivery_id: int) -> str | None:
    return attempt(delivery_id)


@sweeps.job("status webhooks", order=40)
def deliver_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Try every pending delivery whose time has come. Returns how many were delivered."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(attempt(pk, now=now) == WebhookDelivery.DELIVERED for pk in due)
