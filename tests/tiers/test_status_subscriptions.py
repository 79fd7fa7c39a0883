"""Following the status page: e-mail subscriptions are double opt-in, per component, with a
signed one-click unsubscribe; webhooks are confirmed by their contact, signed with
HMAC-SHA256 over the timestamp and body (checked here as a receiver would), retried, logged."""

import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core.cache import caches
from django.test import Client
from django.utils import timezone

import pytest

from tiers.errors import TierError
from tiers.incidents import services, subscriptions, webhooks
from tiers.incidents.models import (
    Component,
    ServiceProblem,
    StatusSubscriber,
    WebhookDelivery,
    WebhookEndpoint,
)


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


@pytest.fixture
def components(db):
    return {
        slug: Component.objects.create(slug=slug, name=name, sort_order=order)
        for order, (slug, name) in enumerate([("sms", "SMS"), ("portal", "Customer portal")])
    }


@pytest.fixture
def declare(declare):
    """The shared factory: a severity-3 problem on the given component states."""

    def make(title, states, **kwargs):
        return declare(
            title=title,
            description="We are investigating.",
            severity=3,
            components=states,
            **kwargs,
        )

    return make


def link_in(message, name):
    return re.search(rf"https?://[^\s]+/status/{name}/[^\s]+/", message.body).group(0)


def path_of(url):
    return url.split("testserver", 1)[1]


def test_double_opt_in_per_component_and_one_click_unsubscribe(
    client, components, declare, mailoutbox, django_capture_on_commit_callbacks
):
    sms, portal = components["sms"], components["portal"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/status/subscribe/",
            {"kind": "email", "e-email": "Ops@Example.com", "e-components": [sms.pk]},
        )
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ops@example.com"]
    confirm = path_of(link_in(mailoutbox[0], "subscribe/confirm"))
    # Not confirmed yet: nothing is sent.
    declare("SMS delays", {sms: Component.DEGRADED})
    assert len(mailoutbox) == 1
    # Following the link (as a mail scanner would) asks; only the button confirms.
    assert "Confirm subscription" in client.get(confirm).content.decode()
    assert StatusSubscriber.objects.get().confirmed_at is None
    assert "Subscription confirmed" in client.post(confirm).content.decode()
    subscriber = StatusSubscriber.objects.get()
    assert subscriber.confirmed_at is not None
    assert list(subscriber.components.all()) == [sms]
    # Now an SMS incident reaches them; a portal incident does not.
    declare("SMS outage", {sms: Component.MAJOR})
    declare("Portal slow", {portal: Component.DEGRADED})
    assert len(mailoutbox) == 2
    notice = mailoutbox[1]
    assert notice.to == ["ops@example.com"] and notice.subject == "[Incident] SMS outage"
    assert "SMS (Major outage)" in notice.body
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = link_in(notice, "unsubscribe")
    assert notice.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    # A tampered link does nothing.
    tampered = path_of(unsubscribe)[:-3] + ("A" if path_of(unsubscribe)[-3] != "A" else "B") + "/"
    assert "not valid" in Client().post(tampered).content.decode()
    assert StatusSubscriber.objects.exists()
    # One click from the mail client: a cookie-less POST, no CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe), {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200 and "unsubscribed" in one_click.content.decode()
    assert not StatusSubscriber.objects.exists()
    # The link is spent; a later incident reaches nobody.
    assert "not valid" in client.get(path_of(unsubscribe)).content.decode()
    declare("SMS again", {sms: Component.MAJOR})
    assert len(mailoutbox) == 2


def test_confirmation_links_are_signed_and_expire(components, mailoutbox, monkeypatch):
    subscriptions.subscribe(email="a@example.com")
    subscriber = StatusSubscriber.objects.get()
    token = subscriptions._sign("confirm", subscriber, c=[])
    assert subscriptions.confirm(token + "x") is None
    assert subscriptions.confirm(subscriptions._sign("unsubscribe", subscriber)) is None
    later = time.time() + subscriptions.CONFIRM_MAX_AGE + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert subscriptions.confirm(token) is None
    monkeypatch.undo()
    assert subscriptions.confirm(token) == subscriber


def test_private_incidents_reach_no_subscriber(components, declare, mailoutbox):
    StatusSubscriber.objects.create(email="all@example.com", confirmed_at=timezone.now())
    declare("Private trouble", {components["sms"]: Component.MAJOR}, is_public=False)
    assert mailoutbox == []
    declare("Public trouble", {components["sms"]: Component.MAJOR})
    assert [m.to for m in mailoutbox] == [["all@example.com"]]


class Receiver:
    """A real HTTP server on localhost that records requests and answers with `codes`."""

    def __init__(self):
        self.requests = []
        self.codes = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.codes.pop(0) if receiver.codes else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/status"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.TIERS_STATUS_WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.close()


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the HMAC, compare in constant time, refuse replays."""
    timestamp = headers["X-Status-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["X-Status-Signature"])


def test_webhooks_are_confirmed_signed_retried_and_logged(
    client,
    components,
    declare,
    receiver,
    mailoutbox,
    staff_user,
    django_capture_on_commit_callbacks,
):
    sms = components["sms"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/status/subscribe/",
            {"kind": "webhook", "w-url": receiver.url, "w-contact_email": "dev@example.com"},
        )
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active and mailoutbox[0].to == ["dev@example.com"]
    # Nothing is delivered before the contact confirms.
    declare("Before confirmation", {sms: Component.MAJOR})
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()
    confirm = path_of(link_in(mailoutbox[0], "webhooks/confirm"))
    page = client.post(confirm).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.secret in page
    # The link stays in the mailbox for days: a second visit confirms nothing new and never
    # shows the secret again.
    again = client.post(confirm).content.decode()
    assert "already confirmed" in again and endpoint.secret not in again
    # Declared: one signed POST, which a receiver can verify.
    problem = declare("SMS outage", {sms: Component.MAJOR})
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers, body)
    assert not verify(endpoint.secret, headers, body.replace(b"SMS outage", b"SMS 0utage"))
    assert not verify("another-secret", headers, body)
    event = json.loads(body)
    assert headers["X-Status-Event"] == event["event"] == "incident.created"
    assert event["incident"]["title"] == "SMS outage"
    assert event["incident"]["components"] == [
        {"id": "sms", "name": "SMS", "state": "major_outage"}
    ]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.last_status_code == 204
    # The receiver fails: the delivery stays pending and is retried later with the same body.
    receiver.codes = [500]
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(
            problem=problem, by=staff_user, body="Fixed.", status=ServiceProblem.RESOLVED
        )
    failed = WebhookDelivery.objects.get(event="incident.resolved")
    assert failed.status == "pending" and failed.attempts == 1
    assert failed.last_status_code == 500 and failed.last_error == "HTTP 500"
    assert failed.next_attempt_at >= before + webhooks.RETRY_DELAYS[0]
    assert webhooks.deliver_due() == 0  # not due yet
    assert webhooks.deliver_due(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    failed.refresh_from_db()
    assert failed.status == "delivered" and failed.attempts == 2
    first_try, retry = receiver.requests[1], receiver.requests[2]
    assert first_try[1] == retry[1]
    assert verify(endpoint.secret, *retry)
    # A receiver that never answers well: failed after the last retry.
    receiver.codes = [503] * 10
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(problem=problem, by=staff_user, body="Postscript.")
    moment = timezone.now()
    for delay in webhooks.RETRY_DELAYS:
        moment += delay + dt.timedelta(seconds=1)
        webhooks.deliver_due(now=moment)
    gave_up = WebhookDelivery.objects.get(event="incident.updated")
    assert gave_up.status == "failed" and gave_up.attempts == len(webhooks.RETRY_DELAYS) + 1


def test_webhooks_refuse_private_addresses(components, settings):
    settings.TIERS_STATUS_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/"):
        with pytest.raises(TierError):
            subscriptions.register_webhook(url=url, contact_email="dev@example.com")
    # A host name that resolves to a private address is refused when delivering.
    endpoint = WebhookEndpoint.objects.create(
        url="https://localhost/hook", contact_email="dev@example.com", confirmed_at=timezone.now()
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="ping", body="{}")
    assert webhooks.attempt(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert "Refused" in delivery.last_error


def test_confirmation_emails_to_one_address_are_limited(client, components, mailoutbox):
    for attempt in range(4):
        response = client.post(
            "/status/subscribe/",
            {"kind": "email", "e-email": "victim@example.com"},
            REMOTE_ADDR=f"192.0.2.{attempt + 1}",  # a different address each time
        )
    assert response.status_code == 429
    assert StatusSubscriber.objects.filter(email="victim@example.com").count() == 1
    # The refusal says why and when, and keeps what was typed.
    page = response.content.decode()
    assert "Too many subscription requests" in page and "try again in" in page
    assert 'value="victim@example.com"' in page


def test_subscription_requests_from_one_client_are_limited(client, components):
    for attempt in range(11):
        response = client.post(
            "/status/subscribe/",
            {"kind": "email", "e-email": f"person{attempt}@example.com"},
            REMOTE_ADDR="192.0.2.77",
        )
    assert response.status_code == 429
    assert StatusSubscriber.objects.count() == 10


def test_webhook_connects_to_the_address_it_checked_not_a_second_lookup(
    components, receiver, settings, monkeypatch
):
    # DNS rebinding: the name answers a public address to the check, then the receiver's
    # private one (127.0.0.1) to anyone who asks again. Nothing may reach the private server.
    settings.TIERS_STATUS_WEBHOOK_ALLOW_PRIVATE = False
    settings.TIERS_STATUS_WEBHOOK_TIMEOUT = 1
    real_getaddrinfo = socket.getaddrinfo
    answers = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = "8.8.8.8" if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    port = receiver.server.server_port
    endpoint = WebhookEndpoint.objects.create(
        url=f"http://rebind.example:{port}/hooks/status",
        contact_email="dev@example.com",
        confirmed_at=timezone.now(),
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="ping", body="{}")
    assert webhooks.attempt(delivery.pk) == "pending"  # the public address did not answer
    assert answers == ["8.8.8.8"]
    assert receiver.requests == []
