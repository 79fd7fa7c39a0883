"""API & webhooks: API basics, API keys, authentication errors, rate limits, webhooks."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, p, snippet, steps, table, tabs

SECTION = {
    "slug": "api-webhooks",
    "title": "API & webhooks",
    "intro": (
        "<p>Everything the portal does is available to your own systems through the REST "
        "API, and events reach you as signed webhooks. Start with the overview, then create "
        "an API key with only the scopes it needs.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "api-overview",
            "title": "API overview: requests, errors and pagination",
            "kind": "guide",
            "difficulty": "beginner",
            "area": "api",
            "tags": ["api", "rest", "pagination", "idempotency", "api-keys"],
            "reviewed_days_ago": 11,
            "summary": (
                "Base URL, authentication, JSON conventions, cursor pagination, idempotency "
                "keys and the error format shared by every endpoint."
            ),
            "body": [
                p(
                    """
                    <p>The API is a JSON-over-HTTPS REST API at
                    <code>https://api.example-iot.com/v1</code>. It uses standard HTTP methods
                    and status codes, ISO 8601 timestamps in UTC, and identifies SIMs by their
                    ICCID.</p>
                    """
                ),
                h2("Your first request"),
                tabs(
                    "Get one SIM",
                    snippet(
                        "bash",
                        """
                        curl https://api.example-iot.com/v1/sims/8988303000001234568 \\
                          -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY"
                        """,
                    ),
                    snippet(
                        "python",
                        """
                        import os

                        import requests

                        response = requests.get(
                            "https://api.example-iot.com/v1/sims/8988303000001234568",
                            headers={"Authorization": f"Bearer {os.environ['EXAMPLE_IOT_API_KEY']}"},
                            timeout=10,
                        )
                        response.raise_for_status()
                        print(response.json()["state"])
                        """,
                    ),
                ),
                code(
                    "json",
                    """
                    {
                      "iccid": "8988303000001234568",
                      "imsi": "901990000123456",
                      "msisdn": "15550100123",
                      "state": "activated",
                      "rate_plan": "iot-pool-1gb",
                      "group": "Meters - Germany",
                      "imei": "866425030123451",
                      "data_blocked": false,
                      "activated_at": "2026-03-02T10:14:22Z",
                      "last_session_at": "2026-11-21T08:59:40Z",
                      "labels": {"site": "Hamburg-07"}
                    }
                    """,
                    filename="200 OK",
                ),
                h2("Main endpoints"),
                table(
                    [
                        ["Method and path", "Does", "Scope"],
                        ["GET /v1/sims", "List SIMs (filter by state, group, label)", "sims:read"],
                        ["GET /v1/sims/{iccid}", "One SIM", "sims:read"],
                        ["POST /v1/sims/{iccid}/activate", "Activate a SIM", "sims:write"],
                        ["POST /v1/sims/{iccid}/deactivate", "Deactivate a SIM", "sims:write"],
                        ["GET /v1/sims/{iccid}/sessions", "Data sessions", "usage:read"],
                        ["POST /v1/sims/{iccid}/sms", "Send an SMS to the device", "sms:send"],
                        ["GET /v1/usage", "Usage, grouped by SIM, group or network", "usage:read"],
                        ["/v1/webhooks", "Manage webhook endpoints", "webhooks:manage"],
                        ["/v1/api-keys", "Manage API keys", "api-keys:manage"],
                    ],
                    caption="Endpoints at a glance",
                ),
                h2("Pagination"),
                p(
                    """
                    <p>List endpoints return up to <code>limit</code> items (default 50, maximum
                    500) and a <code>next_cursor</code>. Pass it as <code>cursor</code> to get
                    the next page; <code>null</code> means you have them all. Cursors stay valid
                    for 24 hours and are stable while SIMs change.</p>
                    """
                ),
                h2("Idempotency"),
                p(
                    """
                    <p>Send an <code>Idempotency-Key</code> header (any unique string up to 255
                    characters, such as a UUID) with every <code>POST</code>. If a network error
                    leaves you unsure whether a request went through, retry it with the same key:
                    the API returns the first response instead of doing the work twice. Keys are
                    kept for 24 hours.</p>
                    """
                ),
                h2("Errors"),
                code(
                    "json",
                    """
                    {
                      "error": {
                        "code": "invalid_state_transition",
                        "message": "A retired SIM cannot be activated.",
                        "request_id": "req_01JCB2A9F4K7QW"
                      }
                    }
                    """,
                    filename="409 Conflict",
                ),
                table(
                    [
                        ["Status", "Meaning"],
                        ["400", "Malformed request (bad JSON, unknown parameter)"],
                        ["401", "Missing, invalid, expired or revoked API key"],
                        ["403", "Valid key, but not allowed (scope, IP allow-list)"],
                        ["404", "No such SIM in your account"],
                        ["409", "Conflict with the current state"],
                        ["422", "Well-formed but invalid (for example a bad ICCID check digit)"],
                        ["429", "Rate limit exceeded; see Retry-After"],
                        ["5xx", "Our problem; retry with backoff"],
                    ],
                    caption="HTTP status codes",
                ),
                callout(
                    "tip",
                    """
                    <p>Log the <code>request_id</code> of every failed call. Quote it in a support
                    ticket and an analyst can find the exact request in our logs.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "api-keys",
            "title": "Managing API keys: create, scope, rotate and revoke",
            "kind": "api_key_guide",
            "difficulty": "beginner",
            "area": "api",
            "tags": ["api-keys", "api", "security", "scopes"],
            "reviewed_days_ago": 5,
            "summary": (
                "Create an API key with the smallest set of scopes, store it safely, rotate it "
                "without downtime and revoke it the moment it may have leaked."
            ),
            "body": [
                p(
                    """
                    <p>Your applications authenticate to the API with an <strong>API
                    key</strong>: a secret sent in the <code>Authorization</code> header of every
                    request. Each key belongs to your account (not to a user), has a set of
                    scopes that limit what it can do, and can be rotated or revoked at any
                    time.</p>
                    """
                ),
                table(
                    [
                        ["Prefix", "Environment"],
                        ["eiot_live_", "Production: acts on real SIMs and is billed"],
                        ["eiot_test_", "Sandbox: simulated SIMs, nothing is billed"],
                    ],
                    caption="Key prefixes",
                ),
                h2("Create a key"),
                steps(
                    (
                        "Open API keys",
                        "<p>In the portal, <strong>Settings &rarr; API keys &rarr; Create "
                        "key</strong>. You need the <em>Developer</em> or <em>Account admin</em> "
                        "role.</p>",
                    ),
                    (
                        "Name it after what uses it",
                        "<p>For example <code>fleet-backend-prod</code>. When you later need "
                        "to rotate or revoke it, the name tells you what will be affected.</p>",
                    ),
                    (
                        "Choose the scopes",
                        "<p>Tick only what the application needs (see the table below).</p>",
                    ),
                    (
                        "Optionally restrict it",
                        "<p>Add an expiry date and the IP ranges your servers call from. "
                        "Requests from elsewhere get <code>403 ip_not_allowed</code>.</p>",
                    ),
                    (
                        "Copy the secret now",
                        "<p>The secret is shown <strong>once</strong>. Put it straight into "
                        "your secret manager; we store only a hash and cannot show it "
                        "again.</p>",
                    ),
                ),
                callout(
                    "danger",
                    """
                    <p>Never put an API key in device firmware, a mobile app or a browser. Anyone
                    who extracts it can act on all your SIMs. Devices talk to your back end; your
                    back end talks to our API.</p>
                    """,
                    title="Keys belong on servers only",
                ),
                h2("Scopes"),
                table(
                    [
                        ["Scope", "Allows"],
                        ["sims:read", "Read SIMs, their state, device and labels"],
                        ["sims:write", "Change SIM state, rate plan, group and labels"],
                        ["usage:read", "Read sessions, usage and reports"],
                        ["sms:send", "Send SMS to devices and read SMS status"],
                        ["webhooks:manage", "Create, change and delete webhook endpoints"],
                        ["api-keys:manage", "Create, rotate and revoke API keys"],
                    ],
                    caption="API key scopes",
                ),
                callout(
                    "tip",
                    """
                    <p>Use separate keys per application and environment: a dashboard needs only
                    <code>sims:read</code> and <code>usage:read</code>; only your provisioning
                    service needs <code>sims:write</code>.</p>
                    """,
                ),
                h2("Create a key with the API"),
                code(
                    "bash",
                    """
                    curl -X POST https://api.example-iot.com/v1/api-keys \\
                      -H "Authorization: Bearer $ADMIN_API_KEY" \\
                      -H "Content-Type: application/json" \\
                      -d '{
                            "name": "fleet-dashboard-prod",
                            "scopes": ["sims:read", "usage:read"],
                            "expires_at": "2027-11-30T00:00:00Z",
                            "allowed_ips": ["203.0.113.0/24"]
                          }'
                    """,
                ),
                code(
                    "json",
                    """
                    {
                      "id": "key_2Vb8nQ4xT1",
                      "name": "fleet-dashboard-prod",
                      "prefix": "eiot_live_8HqT",
                      "secret": "eiot_live_8HqT3mZ0cW6yR2pL9sV4kJ7nB1dF5gX",
                      "scopes": ["sims:read", "usage:read"],
                      "allowed_ips": ["203.0.113.0/24"],
                      "expires_at": "2027-11-30T00:00:00Z",
                      "created_at": "2026-11-21T09:02:11Z",
                      "last_used_at": null
                    }
                    """,
                    filename="201 Created",
                ),
                h2("Rotate a key without downtime"),
                p(
                    """
                    <p>Rotate keys on a schedule (we suggest every 90 days) and immediately when
                    someone who knew the secret leaves. Rotation issues a new secret for the same
                    key; the old secret keeps working for an overlap period you choose (up to 7
                    days), so you can deploy the new one without an outage.</p>
                    """
                ),
                steps(
                    (
                        "Rotate",
                        "<p>Choose <strong>Rotate</strong> on the key (or call "
                        "<code>POST /v1/api-keys/{id}/rotate</code>) with an overlap, for "
                        "example 24 hours. Store the new secret.</p>",
                    ),
                    (
                        "Deploy the new secret",
                        "<p>Update your secret manager and restart or reload the "
                        "applications that use the key.</p>",
                    ),
                    (
                        "Watch the old secret go quiet",
                        "<p>The key's page shows when each secret was last used. Once the old "
                        "secret has not been used for an hour, end the overlap early with "
                        "<strong>Expire previous secret</strong>.</p>",
                    ),
                ),
                p(
                    """
                    <p>See <a href="/code-samples/rotate-an-api-key/">Rotate an API key</a> for
                    the call in four languages.</p>
                    """
                ),
                h2("Revoke a key"),
                p(
                    """
                    <p>Revoking is immediate and final: within seconds every request with the
                    key gets <code>401 revoked_api_key</code>. Revoke a key the moment it may
                    have leaked (committed to a repository, pasted in a chat, found in a log),
                    then create a new one. Rotation is for planned changes; revocation is for
                    incidents.</p>
                    """
                ),
                code(
                    "bash",
                    """
                    curl -X DELETE https://api.example-iot.com/v1/api-keys/key_2Vb8nQ4xT1 \\
                      -H "Authorization: Bearer $ADMIN_API_KEY"
                    # 204 No Content
                    """,
                ),
                callout(
                    "warning",
                    """
                    <p>We scan public GitHub repositories for secrets starting with
                    <code>eiot_live_</code>. If we find one of yours, we revoke it and e-mail your
                    account admins. Plan for that by being able to deploy a new key quickly.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "api-authentication-errors",
            "title": "Fixing 401 and 403 errors from the API",
            "kind": "api_key_guide",
            "difficulty": "intermediate",
            "area": "api",
            "tags": ["api-keys", "api", "401", "403", "troubleshooting"],
            "reviewed_days_ago": 44,
            "summary": (
                "A 401 means the API does not know who you are; a 403 means it does and will "
                "not let you. Each error code, its cause and its fix."
            ),
            "body": [
                p(
                    """
                    <p>Authentication failures always come with an error code in the body. Read
                    it first: it tells you exactly which check failed.</p>
                    """
                ),
                h2("401 Unauthorized"),
                table(
                    [
                        ["error.code", "Cause", "Fix"],
                        [
                            "missing_api_key",
                            "No Authorization header reached us",
                            "Send Authorization: Bearer <key>",
                        ],
                        [
                            "malformed_authorization",
                            "Header present but not Bearer <key>",
                            "Check for quotes, Basic auth or a missing space",
                        ],
                        [
                            "invalid_api_key",
                            "The key does not exist",
                            "Check for truncation; test vs live key",
                        ],
                        ["expired_api_key", "The key passed its expiry date", "Create a new key"],
                        [
                            "revoked_api_key",
                            "The key or its old secret was revoked",
                            "Use the current secret",
                        ],
                    ],
                    caption="401 error codes",
                ),
                code(
                    "bash",
                    """
                    # Check what your client actually sends (the key is masked in the output):
                    curl -sv https://api.example-iot.com/v1/sims?limit=1 \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" 2>&1 \\
                      | grep -iE "^> authorization|^< HTTP" | sed -E 's/(eiot_[a-z]+_....)[^ ]*/\\1.../'
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>An empty environment variable is the most common cause of
                    <code>missing_api_key</code> and <code>malformed_authorization</code>:
                    <code>Bearer </code> followed by nothing. Print the key's length at start-up
                    (never the key itself).</p>
                    """,
                ),
                callout(
                    "note",
                    """
                    <p>Test keys (<code>eiot_test_</code>) only work against sandbox SIMs. Using
                    a test key on a real ICCID returns <code>404</code>, not 401, because the SIM
                    does not exist in the sandbox.</p>
                    """,
                ),
                h2("403 Forbidden"),
                table(
                    [
                        ["error.code", "Cause", "Fix"],
                        [
                            "insufficient_scope",
                            "The key lacks the endpoint's scope",
                            "Add the scope or use another key",
                        ],
                        [
                            "ip_not_allowed",
                            "Request from outside the key's allowed IPs",
                            "Add your egress IP range",
                        ],
                        [
                            "account_restricted",
                            "Account suspended, for example unpaid invoices",
                            "Contact your account admin",
                        ],
                    ],
                    caption="403 error codes",
                ),
                code(
                    "json",
                    """
                    {
                      "error": {
                        "code": "insufficient_scope",
                        "message": "This endpoint requires the scope sims:write.",
                        "required_scope": "sims:write",
                        "request_id": "req_01JCB3KX8P2VNT"
                      }
                    }
                    """,
                ),
                callout(
                    "warning",
                    """
                    <p>Servers in cloud platforms often leave through a NAT gateway or a pool of
                    addresses that changes. If you use IP allow-lists, allow the whole egress
                    range, and alert on <code>ip_not_allowed</code> errors.</p>
                    """,
                ),
                h2("Still failing?"),
                p(
                    """
                    <p>Open a ticket with the <code>request_id</code>, the key's ID (starts with
                    <code>key_</code>, never the secret) and the time of the request. Never send
                    an API secret to support: we will never ask for it.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "rate-limits",
            "title": "Rate limits and retrying safely",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "api",
            "tags": ["api", "rate-limits", "429", "retries"],
            "reviewed_days_ago": 140,
            "summary": (
                "The limits per key and per account, the headers that tell you where you stand, "
                "and a retry strategy that recovers from 429 and 5xx without making things worse."
            ),
            "body": [
                p(
                    """
                    <p>Rate limits protect the platform, and your other integrations, from one
                    runaway client. Limits apply per API key unless stated otherwise.</p>
                    """
                ),
                table(
                    [
                        ["What", "Limit"],
                        ["Requests per key", "20 per second, bursts up to 40"],
                        ["SIM state changes per account", "50 per second"],
                        ["SMS sent per account", "10 per second"],
                        ["Usage and report endpoints per key", "2 per second"],
                    ],
                    caption="Default limits (ask support about higher limits)",
                ),
                h2("Headers"),
                code(
                    "http",
                    """
                    HTTP/1.1 429 Too Many Requests
                    Content-Type: application/json
                    RateLimit-Limit: 20
                    RateLimit-Remaining: 0
                    RateLimit-Reset: 1
                    Retry-After: 1

                    {"error": {"code": "rate_limited", "message": "Too many requests.", "request_id": "req_01JCB4C0ZB1S3E"}}
                    """,
                ),
                p(
                    """
                    <p>Every response carries <code>RateLimit-Remaining</code> and
                    <code>RateLimit-Reset</code> (seconds until the window resets). A
                    <code>429</code> also carries <code>Retry-After</code>: wait at least that
                    many seconds.</p>
                    """
                ),
                h2("A retry strategy that works"),
                p(
                    """
                    <ul>
                    <li>Retry on <code>429</code>, <code>502</code>, <code>503</code>,
                    <code>504</code> and connection errors; never on other 4xx.</li>
                    <li>Honour <code>Retry-After</code>; otherwise back off exponentially with
                    full jitter, capped at 60 seconds.</li>
                    <li>Send an <code>Idempotency-Key</code> with POSTs so retries are
                    safe.</li>
                    <li>Give up after five attempts and raise an alert.</li>
                    </ul>
                    """
                ),
                code(
                    "python",
                    """
                    import random
                    import time

                    import requests

                    RETRYABLE = {429, 502, 503, 504}


                    def call_with_retries(session: requests.Session, method: str, url: str, **kwargs):
                        for attempt in range(5):
                            try:
                                response = session.request(method, url, timeout=10, **kwargs)
                            except requests.ConnectionError:
                                response = None
                            if response is not None and response.status_code not in RETRYABLE:
                                return response
                            retry_after = response.headers.get("Retry-After") if response else None
                            delay = float(retry_after) if retry_after else random.uniform(0, min(60, 2**attempt))
                            time.sleep(delay)
                        raise RuntimeError(f"{method} {url} failed after 5 attempts")
                    """,
                    filename="retries.py",
                ),
                callout(
                    "tip",
                    """
                    <p>Activating 10,000 SIMs? Do not loop as fast as you can. Run a few
                    workers that each keep under the limit, or use the bulk endpoint
                    <code>POST /v1/sims/bulk-actions</code>, which takes up to 1,000 ICCIDs per
                    request and reports progress through the <code>bulk_action.completed</code>
                    webhook.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "webhooks",
            "title": "Webhooks: events, delivery and signature verification",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "api",
            "tags": ["webhooks", "api", "security", "sms", "alerts"],
            "reviewed_days_ago": 22,
            "summary": (
                "Subscribe an HTTPS endpoint to SIM, SMS and alert events, verify every "
                "delivery's HMAC signature, and handle retries and duplicates correctly."
            ),
            "body": [
                p(
                    """
                    <p>Webhooks push events to your server as they happen, so you do not need
                    to poll. We POST a JSON event to your HTTPS endpoint and expect a
                    <code>2xx</code> response within 10 seconds.</p>
                    """
                ),
                h2("Events"),
                table(
                    [
                        ["Event", "Sent when"],
                        ["sim.state_changed", "A SIM changes lifecycle state"],
                        ["sim.imei_changed", "A SIM is seen in a different device"],
                        [
                            "session.started / session.ended",
                            "A data session starts or ends (opt-in; high volume)",
                        ],
                        ["sms.received", "A device sends an SMS to the platform short code"],
                        ["sms.status_changed", "An SMS to a device changes delivery status"],
                        ["alert.triggered", "A usage or connectivity alert fires"],
                        ["rule.executed", "An automation rule acted on a SIM"],
                    ],
                    caption="Webhook events",
                ),
                h2("Create an endpoint"),
                code(
                    "bash",
                    """
                    curl -X POST https://api.example-iot.com/v1/webhooks \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                      -H "Content-Type: application/json" \\
                      -d '{"url": "https://hooks.example.com/iot", "events": ["sim.state_changed", "sms.received"]}'
                    """,
                ),
                p(
                    """
                    <p>The response contains a signing secret starting with
                    <code>whsec_</code>, shown once. Each endpoint has its own secret.</p>
                    """
                ),
                h2("Verify the signature"),
                p(
                    """
                    <p>Every delivery carries an <code>Example-Signature</code> header:</p>
                    """
                ),
                code(
                    "http",
                    """
                    POST /iot HTTP/1.1
                    Host: hooks.example.com
                    Content-Type: application/json
                    Example-Signature: t=1795253400,v1=f922f8f4a328232f830be1bfeeb9918e9349611a27ce4fb7f61ee0ed3395cb0c
                    """,
                ),
                steps(
                    (
                        "Read the raw body",
                        "<p>Use the bytes exactly as received. Parsing and re-serialising the "
                        "JSON changes whitespace and breaks the signature.</p>",
                    ),
                    (
                        "Build the signed payload",
                        "<p>Concatenate the timestamp <code>t</code>, a full stop and the raw "
                        'body: <code>1795253400.{"id":...}</code>.</p>',
                    ),
                    (
                        "Compute the HMAC",
                        "<p>HMAC-SHA256 of the signed payload with your endpoint's secret, "
                        "hex-encoded.</p>",
                    ),
                    (
                        "Compare in constant time",
                        "<p>Compare with each <code>v1</code> value using a constant-time "
                        "comparison. During secret rotation the header carries two "
                        "<code>v1</code> values; accept either.</p>",
                    ),
                    (
                        "Check the timestamp",
                        "<p>Reject deliveries whose <code>t</code> is more than 5 minutes "
                        "from your clock, to stop replayed requests.</p>",
                    ),
                ),
                tabs(
                    "Verifying a signature",
                    snippet(
                        "python",
                        """
                        import hashlib
                        import hmac
                        import time


                        def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
                            parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
                            timestamp = next((value for key, value in parts if key == "t"), "")
                            signatures = [value for key, value in parts if key == "v1"]
                            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
                                return False
                            payload = timestamp.encode() + b"." + body
                            expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
                            return any(hmac.compare_digest(expected, sig) for sig in signatures)
                        """,
                    ),
                    snippet(
                        "javascript",
                        """
                        import crypto from "node:crypto";

                        export function verify(secret, header, rawBody, tolerance = 300) {
                          const parts = header.split(",").map((item) => item.split("="));
                          const timestamp = parts.find(([key]) => key === "t")?.[1];
                          const signatures = parts.filter(([key]) => key === "v1").map(([, v]) => v);
                          if (!timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
                            return false;
                          }
                          const expected = crypto
                            .createHmac("sha256", secret)
                            .update(`${timestamp}.`)
                            .update(rawBody)
                            .digest("hex");
                          return signatures.some(
                            (sig) =>
                              sig.length === expected.length &&
                              crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected)),
                          );
                        }
                        """,
                    ),
                ),
                p(
                    """
                    <p>Complete handlers in curl, Python, JavaScript and Java are in
                    <a href="/code-samples/verify-a-webhook-signature/">Verify a webhook
                    signature</a>.</p>
                    """
                ),
                h2("Retries and duplicates"),
                p(
                    """
                    <p>If your endpoint does not answer <code>2xx</code> within 10 seconds, we
                    retry with exponential backoff for up to 24 hours (after 1 minute, 5
                    minutes, 30 minutes, then hourly). Deliveries can therefore arrive more
                    than once and out of order:</p>
                    <ul>
                    <li>Deduplicate on the event's <code>id</code>.</li>
                    <li>Use <code>created_at</code> and the SIM's current state from the API,
                    not arrival order, to decide what is current.</li>
                    <li>Answer quickly: queue the event and process it after responding.</li>
                    </ul>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>After 24 hours of failures an endpoint is disabled and your account admins
                    get an e-mail. Re-enable it in <strong>Settings &rarr; Webhooks</strong>; you
                    can replay missed events from the endpoint's delivery log.</p>
                    """,
                ),
            ],
        },
    ],
}
