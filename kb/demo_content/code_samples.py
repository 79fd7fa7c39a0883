"""Code samples: common API tasks, each in curl, Python, JavaScript and Java."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, p, snippet, table, tabs

SECTION = {
    "slug": "code-samples",
    "title": "Code samples",
    "intro": (
        "<p>Copy-and-paste starting points for the tasks every integration needs, each shown "
        "in curl, Python (requests), JavaScript (Node.js 18+ with built-in fetch) and Java "
        "(11+, java.net.http). Every sample reads the API key from the "
        "<code>EXAMPLE_IOT_API_KEY</code> environment variable.</p>"
    ),
    "pages": [
        {
            "type": "code_sample",
            "slug": "list-sims",
            "title": "List SIMs with pagination",
            "task": "Fetch every activated SIM in a group, following next_cursor page by page.",
            "area": "api",
            "tags": ["api", "sim", "pagination", "iccid"],
            "reviewed_days_ago": 19,
            "summary": (
                "Page through GET /v1/sims with a filter and a cursor until next_cursor is null."
            ),
            "body": [
                p(
                    """
                    <p>List endpoints return at most <code>limit</code> items per page (up to
                    500). Keep requesting with the returned <code>next_cursor</code> until it is
                    <code>null</code>. Filters (<code>state</code>, <code>group</code>,
                    <code>label</code>) are applied before paging, so every page is full except
                    the last.</p>
                    """
                ),
                tabs(
                    "List activated SIMs in a group",
                    snippet(
                        "bash",
                        """
                        cursor=""
                        while : ; do
                          page=$(curl -s -G "https://api.example-iot.com/v1/sims" \\
                            -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                            --data-urlencode "state=activated" \\
                            --data-urlencode "group=Meters - Germany" \\
                            --data-urlencode "limit=500" \\
                            ${cursor:+--data-urlencode "cursor=$cursor"})
                          echo "$page" | jq -r '.data[].iccid'
                          cursor=$(echo "$page" | jq -r '.next_cursor // empty')
                          [ -z "$cursor" ] && break
                        done
                        """,
                        filename="list-sims.sh",
                    ),
                    snippet(
                        "python",
                        """
                        import os

                        import requests

                        API = "https://api.example-iot.com/v1"
                        session = requests.Session()
                        session.headers["Authorization"] = f"Bearer {os.environ['EXAMPLE_IOT_API_KEY']}"


                        def list_sims(**filters):
                            params = {"limit": 500, **filters}
                            while True:
                                response = session.get(f"{API}/sims", params=params, timeout=10)
                                response.raise_for_status()
                                page = response.json()
                                yield from page["data"]
                                if not page["next_cursor"]:
                                    return
                                params["cursor"] = page["next_cursor"]


                        for sim in list_sims(state="activated", group="Meters - Germany"):
                            print(sim["iccid"], sim["last_session_at"])
                        """,
                        filename="list_sims.py",
                    ),
                    snippet(
                        "javascript",
                        """
                        const API = "https://api.example-iot.com/v1";
                        const headers = { Authorization: `Bearer ${process.env.EXAMPLE_IOT_API_KEY}` };

                        async function* listSims(filters) {
                          const params = new URLSearchParams({ limit: "500", ...filters });
                          while (true) {
                            const response = await fetch(`${API}/sims?${params}`, { headers });
                            if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
                            const page = await response.json();
                            yield* page.data;
                            if (!page.next_cursor) return;
                            params.set("cursor", page.next_cursor);
                          }
                        }

                        for await (const sim of listSims({ state: "activated", group: "Meters - Germany" })) {
                          console.log(sim.iccid, sim.last_session_at);
                        }
                        """,
                        filename="list-sims.mjs",
                    ),
                    snippet(
                        "java",
                        """
                        // Needs com.fasterxml.jackson.core:jackson-databind on the classpath.
                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.ObjectMapper;
                        import java.net.URI;
                        import java.net.URLEncoder;
                        import java.net.http.HttpClient;
                        import java.net.http.HttpRequest;
                        import java.net.http.HttpResponse;
                        import java.nio.charset.StandardCharsets;

                        public class ListSims {
                            public static void main(String[] args) throws Exception {
                                HttpClient client = HttpClient.newHttpClient();
                                ObjectMapper mapper = new ObjectMapper();
                                String apiKey = System.getenv("EXAMPLE_IOT_API_KEY");
                                String group = URLEncoder.encode("Meters - Germany", StandardCharsets.UTF_8);
                                String cursor = null;
                                do {
                                    String url = "https://api.example-iot.com/v1/sims?state=activated&limit=500&group=" + group
                                            + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                                    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                                            .header("Authorization", "Bearer " + apiKey)
                                            .GET()
                                            .build();
                                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                                    if (response.statusCode() != 200) {
                                        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                                    }
                                    JsonNode page = mapper.readTree(response.body());
                                    for (JsonNode sim : page.get("data")) {
                                        System.out.println(sim.get("iccid").asText());
                                    }
                                    cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
                                } while (cursor != null);
                            }
                        }
                        """,
                        filename="ListSims.java",
                    ),
                ),
                h2("Response"),
                code(
                    "json",
                    """
                    {
                      "data": [
                        {
                          "iccid": "8988303000001234568",
                          "state": "activated",
                          "group": "Meters - Germany",
                          "rate_plan": "iot-pool-1gb",
                          "last_session_at": "2026-11-21T08:59:40Z"
                        },
                        {
                          "iccid": "8988303000001234576",
                          "state": "activated",
                          "group": "Meters - Germany",
                          "rate_plan": "iot-pool-1gb",
                          "last_session_at": "2026-11-21T09:03:12Z"
                        }
                      ],
                      "next_cursor": "c2ltXzg5ODgzMDMwMDAwMDEyMzQ1NzY"
                    }
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>To sync a large fleet into your own database, list once, then keep it
                    current with the <code>sim.state_changed</code> webhook instead of listing
                    every few minutes.</p>
                    """,
                ),
            ],
        },
        {
            "type": "code_sample",
            "slug": "activate-a-sim",
            "title": "Activate a SIM",
            "task": "Move a SIM to the Activated state on a rate plan, safely retryable.",
            "area": "sims",
            "tags": ["api", "sim", "activation", "iccid", "idempotency"],
            "reviewed_days_ago": 8,
            "summary": (
                "POST /v1/sims/{iccid}/activate with a rate plan and an Idempotency-Key, and "
                "handle the 409 returned for SIMs that cannot be activated."
            ),
            "body": [
                p(
                    """
                    <p>Activation starts billing and lets the SIM use the network within a
                    minute. The call is idempotent: activating an already active SIM returns
                    <code>200</code> with its current state, and an <code>Idempotency-Key</code>
                    makes network-level retries safe too.</p>
                    """
                ),
                tabs(
                    "Activate SIM 8988303000001234568",
                    snippet(
                        "bash",
                        """
                        curl -X POST "https://api.example-iot.com/v1/sims/8988303000001234568/activate" \\
                          -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                          -H "Content-Type: application/json" \\
                          -H "Idempotency-Key: $(uuidgen)" \\
                          -d '{"rate_plan": "iot-pool-1gb"}'
                        """,
                    ),
                    snippet(
                        "python",
                        """
                        import os
                        import uuid

                        import requests


                        def activate(iccid: str, rate_plan: str) -> dict:
                            response = requests.post(
                                f"https://api.example-iot.com/v1/sims/{iccid}/activate",
                                headers={
                                    "Authorization": f"Bearer {os.environ['EXAMPLE_IOT_API_KEY']}",
                                    "Idempotency-Key": str(uuid.uuid4()),
                                },
                                json={"rate_plan": rate_plan},
                                timeout=10,
                            )
                            if response.status_code == 409:
                                raise ValueError(response.json()["error"]["message"])
                            response.raise_for_status()
                            return response.json()


                        print(activate("8988303000001234568", "iot-pool-1gb")["state"])
                        """,
                    ),
                    snippet(
                        "javascript",
                        """
                        import { randomUUID } from "node:crypto";

                        async function activate(iccid, ratePlan) {
                          const response = await fetch(`https://api.example-iot.com/v1/sims/${iccid}/activate`, {
                            method: "POST",
                            headers: {
                              Authorization: `Bearer ${process.env.EXAMPLE_IOT_API_KEY}`,
                              "Content-Type": "application/json",
                              "Idempotency-Key": randomUUID(),
                            },
                            body: JSON.stringify({ rate_plan: ratePlan }),
                          });
                          const body = await response.json();
                          if (!response.ok) throw new Error(`${response.status} ${body.error.code}: ${body.error.message}`);
                          return body;
                        }

                        console.log((await activate("8988303000001234568", "iot-pool-1gb")).state);
                        """,
                    ),
                    snippet(
                        "java",
                        """
                        import java.net.URI;
                        import java.net.http.HttpClient;
                        import java.net.http.HttpRequest;
                        import java.net.http.HttpResponse;
                        import java.util.UUID;

                        public class ActivateSim {
                            public static void main(String[] args) throws Exception {
                                String iccid = "8988303000001234568";
                                HttpRequest request = HttpRequest.newBuilder(
                                                URI.create("https://api.example-iot.com/v1/sims/" + iccid + "/activate"))
                                        .header("Authorization", "Bearer " + System.getenv("EXAMPLE_IOT_API_KEY"))
                                        .header("Content-Type", "application/json")
                                        .header("Idempotency-Key", UUID.randomUUID().toString())
                                        .POST(HttpRequest.BodyPublishers.ofString("{\\"rate_plan\\": \\"iot-pool-1gb\\"}"))
                                        .build();
                                HttpResponse<String> response =
                                        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                                System.out.println(response.statusCode() + " " + response.body());
                            }
                        }
                        """,
                    ),
                ),
                h2("Responses"),
                code(
                    "json",
                    """
                    {
                      "iccid": "8988303000001234568",
                      "state": "activated",
                      "previous_state": "activation_ready",
                      "rate_plan": "iot-pool-1gb",
                      "activated_at": "2026-11-21T09:20:45Z"
                    }
                    """,
                    filename="200 OK",
                ),
                table(
                    [
                        ["Status", "error.code", "Why"],
                        ["404", "sim_not_found", "The ICCID is not in your account"],
                        ["409", "invalid_state_transition", "The SIM is retired"],
                        [
                            "422",
                            "unknown_rate_plan",
                            "The rate plan is not available to your account",
                        ],
                        ["422", "invalid_iccid", "The ICCID's check digit is wrong"],
                    ],
                    caption="Errors you should handle",
                ),
                callout(
                    "note",
                    """
                    <p>Generate the <code>Idempotency-Key</code> once per intended activation and
                    reuse it on retries. A new key on every retry defeats the purpose.</p>
                    """,
                ),
            ],
        },
        {
            "type": "code_sample",
            "slug": "send-an-sms",
            "title": "Send an SMS to a device",
            "task": "Send a mobile-terminated SMS to a device and read its delivery status.",
            "area": "data-sms",
            "tags": ["api", "sms", "sms-mt", "delivery-reports"],
            "reviewed_days_ago": 36,
            "summary": (
                "POST /v1/sims/{iccid}/sms with the text and a validity period, then follow the "
                "message from queued to delivered."
            ),
            "body": [
                p(
                    """
                    <p>The API queues the message and answers <code>202 Accepted</code> with an
                    SMS ID. Delivery happens when the device is reachable; track it with the
                    <code>sms.status_changed</code> webhook or <code>GET
                    /v1/sms/{id}</code>.</p>
                    """
                ),
                tabs(
                    'Send "config interval=900"',
                    snippet(
                        "bash",
                        """
                        curl -X POST "https://api.example-iot.com/v1/sims/8988303000001234568/sms" \\
                          -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                          -H "Content-Type: application/json" \\
                          -d '{"text": "config interval=900", "validity_minutes": 1440}'

                        # Later: check the status
                        curl "https://api.example-iot.com/v1/sms/sms_01JCA4Y1Q0X8RB" \\
                          -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY"
                        """,
                    ),
                    snippet(
                        "python",
                        """
                        import os

                        import requests

                        API = "https://api.example-iot.com/v1"
                        HEADERS = {"Authorization": f"Bearer {os.environ['EXAMPLE_IOT_API_KEY']}"}

                        response = requests.post(
                            f"{API}/sims/8988303000001234568/sms",
                            headers=HEADERS,
                            json={"text": "config interval=900", "validity_minutes": 1440},
                            timeout=10,
                        )
                        response.raise_for_status()
                        sms = response.json()
                        print(sms["id"], sms["status"])  # sms_01JCA4Y1Q0X8RB queued

                        status = requests.get(f"{API}/sms/{sms['id']}", headers=HEADERS, timeout=10).json()
                        print(status["status"])
                        """,
                    ),
                    snippet(
                        "javascript",
                        """
                        const API = "https://api.example-iot.com/v1";
                        const headers = {
                          Authorization: `Bearer ${process.env.EXAMPLE_IOT_API_KEY}`,
                          "Content-Type": "application/json",
                        };

                        const response = await fetch(`${API}/sims/8988303000001234568/sms`, {
                          method: "POST",
                          headers,
                          body: JSON.stringify({ text: "config interval=900", validity_minutes: 1440 }),
                        });
                        if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
                        const sms = await response.json();
                        console.log(sms.id, sms.status);

                        const status = await (await fetch(`${API}/sms/${sms.id}`, { headers })).json();
                        console.log(status.status);
                        """,
                    ),
                    snippet(
                        "java",
                        """
                        import java.net.URI;
                        import java.net.http.HttpClient;
                        import java.net.http.HttpRequest;
                        import java.net.http.HttpResponse;

                        public class SendSms {
                            public static void main(String[] args) throws Exception {
                                String body = \"\"\"
                                        {"text": "config interval=900", "validity_minutes": 1440}
                                        \"\"\";
                                HttpRequest request = HttpRequest.newBuilder(
                                                URI.create("https://api.example-iot.com/v1/sims/8988303000001234568/sms"))
                                        .header("Authorization", "Bearer " + System.getenv("EXAMPLE_IOT_API_KEY"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build();
                                HttpResponse<String> response =
                                        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                                if (response.statusCode() != 202) {
                                    throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
                                }
                                System.out.println(response.body());
                            }
                        }
                        """,
                        filename="SendSms.java (Java 15+ for the text block)",
                    ),
                ),
                h2("Response"),
                code(
                    "json",
                    """
                    {
                      "id": "sms_01JCA4Y1Q0X8RB",
                      "iccid": "8988303000001234568",
                      "direction": "mt",
                      "status": "queued",
                      "encoding": "gsm7",
                      "parts": 1,
                      "validity_minutes": 1440,
                      "created_at": "2026-11-20T09:41:15Z"
                    }
                    """,
                    filename="202 Accepted",
                ),
                callout(
                    "warning",
                    """
                    <p>Texts longer than 160 GSM characters (70 if any character needs UCS-2) are
                    split into several parts, and each part is billed. The response's
                    <code>parts</code> tells you how many.</p>
                    """,
                ),
            ],
        },
        {
            "type": "code_sample",
            "slug": "verify-a-webhook-signature",
            "title": "Verify a webhook signature",
            "task": "Check the Example-Signature header of a webhook delivery before trusting it.",
            "area": "api",
            "tags": ["webhooks", "security", "api", "hmac"],
            "reviewed_days_ago": 3,
            "summary": (
                "Recompute the HMAC-SHA256 of timestamp and raw body with your endpoint secret, "
                "compare in constant time and reject stale timestamps."
            ),
            "body": [
                p(
                    """
                    <p>The signature is <code>HMAC-SHA256(secret, t + "." + raw_body)</code>,
                    hex-encoded, sent as <code>Example-Signature: t=&lt;unix
                    time&gt;,v1=&lt;signature&gt;</code>. During secret rotation there are two
                    <code>v1</code> entries. Always verify against the raw bytes of the body,
                    before any JSON parsing.</p>
                    """
                ),
                tabs(
                    "Verify the Example-Signature header",
                    snippet(
                        "bash",
                        """
                        # Send yourself a correctly signed test delivery (useful for testing your handler).
                        secret="whsec_5p2Yk7cQ9vT1rXw8LmN3bH6d"
                        body='{"id":"evt_01JCB0Q2R5D8MN","type":"sim.state_changed"}'
                        t=$(date +%s)
                        sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret" -hex | sed 's/^.* //')

                        curl -X POST https://hooks.example.com/iot \\
                          -H "Content-Type: application/json" \\
                          -H "Example-Signature: t=$t,v1=$sig" \\
                          --data-raw "$body"
                        """,
                    ),
                    snippet(
                        "python",
                        """
                        import hashlib
                        import hmac
                        import os
                        import time

                        from flask import Flask, abort, request

                        app = Flask(__name__)
                        SECRET = os.environ["EXAMPLE_IOT_WEBHOOK_SECRET"].encode()
                        TOLERANCE_SECONDS = 300


                        def signature_is_valid(header: str, body: bytes) -> bool:
                            fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
                            timestamps = [value for key, value in fields if key == "t"]
                            signatures = [value for key, value in fields if key == "v1"]
                            if not timestamps or not signatures or not timestamps[0].isdigit():
                                return False
                            if abs(time.time() - int(timestamps[0])) > TOLERANCE_SECONDS:
                                return False
                            expected = hmac.new(
                                SECRET, timestamps[0].encode() + b"." + body, hashlib.sha256
                            ).hexdigest()
                            return any(hmac.compare_digest(expected, sig) for sig in signatures)


                        @app.post("/iot")
                        def receive():
                            if not signature_is_valid(request.headers.get("Example-Signature", ""), request.get_data()):
                                abort(400)
                            event = request.get_json()
                            # Queue the event for processing; deduplicate on event["id"].
                            return "", 204
                        """,
                        filename="webhook.py",
                    ),
                    snippet(
                        "javascript",
                        """
                        import crypto from "node:crypto";
                        import express from "express";

                        const SECRET = process.env.EXAMPLE_IOT_WEBHOOK_SECRET;
                        const TOLERANCE_SECONDS = 300;

                        function signatureIsValid(header, rawBody) {
                          const fields = header.split(",").map((part) => part.split("="));
                          const t = fields.find(([key]) => key === "t")?.[1];
                          const signatures = fields.filter(([key]) => key === "v1").map(([, value]) => value);
                          if (!t || !/^\\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > TOLERANCE_SECONDS) {
                            return false;
                          }
                          const expected = Buffer.from(
                            crypto.createHmac("sha256", SECRET).update(`${t}.`).update(rawBody).digest("hex"),
                          );
                          return signatures.some((sig) => {
                            const candidate = Buffer.from(sig ?? "");
                            return candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected);
                          });
                        }

                        const app = express();
                        // express.raw keeps the body as bytes, exactly as signed.
                        app.post("/iot", express.raw({ type: "application/json" }), (req, res) => {
                          if (!signatureIsValid(req.get("Example-Signature") ?? "", req.body)) {
                            return res.sendStatus(400);
                          }
                          const event = JSON.parse(req.body.toString("utf8"));
                          // Queue the event for processing; deduplicate on event.id.
                          res.sendStatus(204);
                        });
                        app.listen(3000);
                        """,
                        filename="webhook.mjs",
                    ),
                    snippet(
                        "java",
                        """
                        import java.nio.charset.StandardCharsets;
                        import java.security.MessageDigest;
                        import java.time.Instant;
                        import java.util.ArrayList;
                        import java.util.HexFormat;
                        import java.util.List;
                        import javax.crypto.Mac;
                        import javax.crypto.spec.SecretKeySpec;

                        public final class WebhookSignature {
                            private static final long TOLERANCE_SECONDS = 300;

                            /** Call with the header value and the raw request body bytes. Java 17+. */
                            public static boolean isValid(String secret, String header, byte[] body) throws Exception {
                                String timestamp = null;
                                List<String> signatures = new ArrayList<>();
                                for (String part : header.split(",")) {
                                    String[] kv = part.split("=", 2);
                                    if (kv.length != 2) continue;
                                    if (kv[0].equals("t")) timestamp = kv[1];
                                    if (kv[0].equals("v1")) signatures.add(kv[1]);
                                }
                                if (timestamp == null || !timestamp.matches("\\\\d+")) return false;
                                if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > TOLERANCE_SECONDS) {
                                    return false;
                                }
                                Mac mac = Mac.getInstance("HmacSHA256");
                                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                                mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
                                byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.UTF_8);
                                for (String signature : signatures) {
                                    if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
                                        return true;
                                    }
                                }
                                return false;
                            }
                        }
                        """,
                        filename="WebhookSignature.java",
                    ),
                ),
                h2("A delivery to test against"),
                p(
                    """
                    <p>With the secret <code>whsec_5p2Yk7cQ9vT1rXw8LmN3bH6d</code>, this body and
                    <code>t=1795253400</code> produce the signature in the header below. Your code
                    should accept it if you disable the timestamp check, and reject it with the
                    check enabled (it is old).</p>
                    """
                ),
                code(
                    "http",
                    """
                    POST /iot HTTP/1.1
                    Content-Type: application/json
                    Example-Signature: t=1795253400,v1=f922f8f4a328232f830be1bfeeb9918e9349611a27ce4fb7f61ee0ed3395cb0c

                    {"id":"evt_01JCB0Q2R5D8MN","type":"sim.state_changed"}
                    """,
                ),
                callout(
                    "danger",
                    """
                    <p>Comparing signatures with <code>==</code> leaks timing information that
                    lets an attacker forge a signature byte by byte. Use
                    <code>hmac.compare_digest</code>, <code>crypto.timingSafeEqual</code> or
                    <code>MessageDigest.isEqual</code>.</p>
                    """,
                    title="Use a constant-time comparison",
                ),
            ],
        },
        {
            "type": "code_sample",
            "slug": "rotate-an-api-key",
            "title": "Rotate an API key",
            "task": "Issue a new secret for an API key while the old one keeps working for 24 hours.",
            "area": "api",
            "tags": ["api-keys", "api", "security", "scopes"],
            "reviewed_days_ago": 58,
            "summary": (
                "POST /v1/api-keys/{id}/rotate with an overlap period, store the new secret, "
                "then expire the previous secret once nothing uses it."
            ),
            "body": [
                p(
                    """
                    <p>Rotation needs a key with the <code>api-keys:manage</code> scope. Keep that
                    key separate from the keys your applications use, and store both in your
                    secret manager. The new secret is returned once; the previous secret stays
                    valid until <code>previous_secret_expires_at</code>.</p>
                    """
                ),
                tabs(
                    "Rotate key_2Vb8nQ4xT1 with a 24-hour overlap",
                    snippet(
                        "bash",
                        """
                        curl -X POST "https://api.example-iot.com/v1/api-keys/key_2Vb8nQ4xT1/rotate" \\
                          -H "Authorization: Bearer $ADMIN_API_KEY" \\
                          -H "Content-Type: application/json" \\
                          -d '{"overlap_hours": 24}'

                        # When nothing uses the old secret any more:
                        curl -X POST "https://api.example-iot.com/v1/api-keys/key_2Vb8nQ4xT1/expire-previous" \\
                          -H "Authorization: Bearer $ADMIN_API_KEY"
                        """,
                    ),
                    snippet(
                        "python",
                        """
                        import os

                        import requests

                        API = "https://api.example-iot.com/v1"
                        HEADERS = {"Authorization": f"Bearer {os.environ['ADMIN_API_KEY']}"}


                        def rotate(key_id: str, overlap_hours: int = 24) -> str:
                            response = requests.post(
                                f"{API}/api-keys/{key_id}/rotate",
                                headers=HEADERS,
                                json={"overlap_hours": overlap_hours},
                                timeout=10,
                            )
                            response.raise_for_status()
                            key = response.json()
                            print("old secret valid until", key["previous_secret_expires_at"])
                            return key["secret"]


                        new_secret = rotate("key_2Vb8nQ4xT1")
                        # Write new_secret to your secret manager here, never to a log.
                        """,
                    ),
                    snippet(
                        "javascript",
                        """
                        const API = "https://api.example-iot.com/v1";

                        async function rotate(keyId, overlapHours = 24) {
                          const response = await fetch(`${API}/api-keys/${keyId}/rotate`, {
                            method: "POST",
                            headers: {
                              Authorization: `Bearer ${process.env.ADMIN_API_KEY}`,
                              "Content-Type": "application/json",
                            },
                            body: JSON.stringify({ overlap_hours: overlapHours }),
                          });
                          if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
                          const key = await response.json();
                          console.log("old secret valid until", key.previous_secret_expires_at);
                          return key.secret;
                        }

                        const newSecret = await rotate("key_2Vb8nQ4xT1");
                        // Write newSecret to your secret manager here, never to a log.
                        """,
                    ),
                    snippet(
                        "java",
                        """
                        import java.net.URI;
                        import java.net.http.HttpClient;
                        import java.net.http.HttpRequest;
                        import java.net.http.HttpResponse;

                        public class RotateApiKey {
                            public static void main(String[] args) throws Exception {
                                HttpRequest request = HttpRequest.newBuilder(
                                                URI.create("https://api.example-iot.com/v1/api-keys/key_2Vb8nQ4xT1/rotate"))
                                        .header("Authorization", "Bearer " + System.getenv("ADMIN_API_KEY"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\\"overlap_hours\\": 24}"))
                                        .build();
                                HttpResponse<String> response =
                                        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                                if (response.statusCode() != 200) {
                                    throw new IllegalStateException("HTTP " + response.statusCode());
                                }
                                // Parse "secret" from the JSON body (e.g. with Jackson) and store it in your
                                // secret manager; do not print it.
                            }
                        }
                        """,
                    ),
                ),
                h2("Response"),
                code(
                    "json",
                    """
                    {
                      "id": "key_2Vb8nQ4xT1",
                      "name": "fleet-dashboard-prod",
                      "prefix": "eiot_live_Q7mc",
                      "secret": "eiot_live_Q7mcZ2rT8vK4nW1yH6pB3sL9dF0gJ5x",
                      "scopes": ["sims:read", "usage:read"],
                      "rotated_at": "2026-11-21T10:00:00Z",
                      "previous_secret_expires_at": "2026-11-22T10:00:00Z"
                    }
                    """,
                    filename="200 OK",
                ),
                callout(
                    "info",
                    """
                    <p>Rotation keeps the key's ID, name, scopes and IP allow-list, so nothing
                    else needs to change. If the key may have leaked, do not rotate: revoke it
                    with <code>DELETE /v1/api-keys/{id}</code> and create a new one. See
                    <a href="/api-webhooks/api-keys/">Managing API keys</a>.</p>
                    """,
                ),
            ],
        },
    ],
}
