"""Data & SMS: packet data sessions, data usage, and SMS to and from devices."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, h3, p, steps, table

SECTION = {
    "slug": "data-sms",
    "title": "Data & SMS",
    "intro": (
        "<p>How devices move data over the network: packet data sessions and what ends "
        "them, keeping data usage (and bills) small, and sending SMS between devices and your "
        "applications.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "packet-data-sessions",
            "title": "Packet data sessions: PDP contexts, bearers and session records",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "data-sms",
            "tags": ["pdp-context", "data", "apn", "nat", "sessions"],
            "reviewed_days_ago": 54,
            "summary": (
                "What a data session is, how it starts and ends, how session records in the "
                "portal explain usage, and how NAT timeouts and MTU affect long-lived "
                "connections."
            ),
            "body": [
                p(
                    """
                    <p>A device can only send IP traffic inside a <strong>packet data
                    session</strong>: a PDP context on 2G/3G, an EPS bearer on LTE. The session
                    gives the device an IP address on an APN and is the unit in which the
                    network counts bytes.</p>
                    """
                ),
                h2("The life of a session"),
                steps(
                    (
                        "Attach",
                        "<p>The device registers with the network. On LTE, the default bearer "
                        "(and therefore the first session) is created during the attach.</p>",
                    ),
                    (
                        "Session created",
                        "<p>The gateway assigns an IP address and the portal logs a "
                        "<em>session start</em> with the APN, network and radio technology.</p>",
                    ),
                    (
                        "Traffic",
                        "<p>Uplink and downlink bytes are counted. The network writes an "
                        "interim record at least every 60 minutes or 10 MB, so the portal "
                        "shows usage of long sessions before they end.</p>",
                    ),
                    (
                        "Session ended",
                        "<p>The device detaches, deactivates the context, loses coverage for "
                        "too long, or the network closes the session (SIM deactivated, "
                        "rule triggered, or after 24 hours, the maximum session length).</p>",
                    ),
                ),
                h2("Reading session records"),
                p(
                    """
                    <p>The <strong>Sessions</strong> tab of a SIM lists every session with its
                    start, end, network, IP address, bytes up and down and the reason it ended.
                    The same records are available from
                    <code>GET /v1/sims/{iccid}/sessions</code>:</p>
                    """
                ),
                code(
                    "json",
                    """
                    {
                      "data": [
                        {
                          "id": "ses_01JC8W4ZK7T2N9",
                          "iccid": "8988303000001234568",
                          "apn": "iot.example",
                          "ip_address": "10.174.33.18",
                          "network": {"mcc": "310", "mnc": "410", "name": "Example Mobile"},
                          "rat": "lte-m",
                          "started_at": "2026-11-20T06:12:09Z",
                          "ended_at": "2026-11-20T06:14:41Z",
                          "bytes_up": 18244,
                          "bytes_down": 9630,
                          "end_reason": "device_detach"
                        }
                      ],
                      "next_cursor": null
                    }
                    """,
                ),
                table(
                    [
                        ["end_reason", "Meaning"],
                        ["device_detach", "The device detached or deactivated the context"],
                        ["idle_timeout", "No traffic for the APN's idle timeout (4 hours)"],
                        ["max_duration", "The session reached 24 hours and was renewed"],
                        ["network_lost", "The device lost coverage and did not come back"],
                        ["sim_state_change", "The SIM was deactivated or retired"],
                        ["rule_action", "An automation rule blocked data for the SIM"],
                    ],
                    caption="Why sessions end",
                ),
                h2("Many short sessions"),
                p(
                    """
                    <p>Hundreds of short sessions a day from one device usually mean the
                    firmware detaches after every transmission, or the module restarts. Each
                    session costs signalling, battery and, on some plans, a minimum billing
                    increment. Keep the session open and let PSM or eDRX save power
                    instead.</p>
                    """
                ),
                h2("NAT timeouts and keepalives"),
                p(
                    """
                    <p>On <code>iot.example</code> devices sit behind carrier-grade NAT. The NAT
                    forgets an idle mapping after <strong>30 minutes for TCP</strong> and
                    <strong>2 minutes for UDP</strong>. After that, the server cannot reach the
                    device and the device's next packet on the old connection is dropped.</p>
                    <ul>
                    <li>MQTT: set the keepalive below 30 minutes (we suggest 20).</li>
                    <li>CoAP or LwM2M over UDP: expect the device to be unreachable after two
                    minutes idle and use queue mode.</li>
                    <li>Need the server to reach devices at any time? Use the private APN with
                    static IPs and a VPN.</li>
                    </ul>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>The MTU on our network is 1,430 bytes for IPv4. Large TLS handshakes
                    that stall at the certificate stage are often an MTU problem; set the
                    module's MTU explicitly or lower the TCP MSS.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "keeping-data-usage-low",
            "title": "Keeping data usage low",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "data-sms",
            "tags": ["data", "usage", "mqtt", "billing", "alerts"],
            "reviewed_days_ago": 95,
            "summary": (
                "Where the bytes really go (TLS handshakes, DNS, retries, keepalives) and "
                "practical changes that cut a typical device's monthly usage by half or more."
            ),
            "body": [
                p(
                    """
                    <p>A sensor that sends a 40-byte reading every 15 minutes should use
                    well under 1 MB a month. In practice devices often use ten times that,
                    because the payload is the smallest part of the traffic. Usage is counted
                    on IP packets, headers included, in both directions.</p>
                    """
                ),
                h2("Where the bytes go"),
                table(
                    [
                        ["Traffic", "Typical size", "Per month at one message per 15 min"],
                        ["Payload (40 bytes) over MQTT/TCP with TLS", "~350 bytes", "~1 MB"],
                        [
                            "Full TLS 1.2 handshake (certificate chain)",
                            "5-7 KB",
                            "15-20 MB if done every time",
                        ],
                        ["DNS lookup", "~150 bytes", "0.4 MB if not cached"],
                        [
                            "MQTT keepalive (PINGREQ/PINGRESP over TLS)",
                            "~130 bytes",
                            "0.2 MB at 20-min keepalive",
                        ],
                        ["NTP time sync", "~180 bytes", "negligible once a day"],
                    ],
                    caption="Rough sizes, IPv4, including headers",
                ),
                h2("The changes that matter"),
                h3("Reuse connections and TLS sessions"),
                p(
                    """
                    <p>A full TLS handshake with a certificate chain costs more than a month of
                    readings. Keep the connection open between messages, and when it must be
                    re-established, use TLS session resumption (session tickets) or TLS 1.3
                    with PSK so the certificate chain is not sent again. If your server
                    allows it, use a short chain with ECDSA certificates.</p>
                    """
                ),
                h3("Pick a compact protocol and encoding"),
                p(
                    """
                    <p>MQTT adds a few bytes per message; HTTP adds hundreds. For very small
                    devices, CoAP over DTLS or LwM2M is smaller still. Encode payloads as CBOR
                    or Protocol Buffers rather than verbose JSON.</p>
                    """
                ),
                h3("Back off on failures"),
                p(
                    """
                    <p>The biggest bills come from retries: a device that cannot reach its
                    server and retries every second can use hundreds of megabytes in a day.
                    Use exponential backoff with jitter and a ceiling of at least 15 minutes,
                    and store readings locally while the server is unreachable.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>If your back end goes down, every device retries at once. Test what
                    your fleet does during a server outage before the first real one; it can
                    be your most expensive day of the year.</p>
                    """,
                    title="Server outages multiply usage",
                ),
                h3("Cache DNS and batch small messages"),
                p(
                    """
                    <p>Respect the DNS TTL rather than resolving before every message, or use a
                    fixed IP for the ingest endpoint. Batching four readings into one message
                    every hour instead of one every 15 minutes cuts overhead by about 70%.</p>
                    """
                ),
                h2("Watch usage before it surprises you"),
                p(
                    """
                    <p>Set a <a href="/customer-portal/usage-alerts/">usage alert</a> at about
                    twice the expected daily usage per SIM, and an
                    <a href="/customer-portal/automation-rules/">automation rule</a> that blocks
                    data for a SIM that uses ten times its normal amount. If usage has already
                    spiked, see <a href="/troubleshooting/data-usage-spike/">Investigating a
                    data usage spike</a>.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "sending-and-receiving-sms-on-a-device",
            "title": "Sending and receiving SMS on a device with AT commands",
            "kind": "tutorial",
            "difficulty": "intermediate",
            "area": "data-sms",
            "tags": ["sms", "at-commands", "sms-mo", "sms-mt"],
            "reviewed_days_ago": 40,
            "summary": (
                "Send an SMS from a module (SMS-MO), get notified of incoming messages (SMS-MT), "
                "read and delete them, with text-mode AT commands and their responses."
            ),
            "body": [
                p(
                    """
                    <p>SMS is the fallback channel for IoT devices: it works without a data
                    session, so you can use it to wake a device, change its configuration or
                    get a heartbeat from a device whose data connection has failed. Messages a
                    device sends are <strong>mobile originated</strong> (SMS-MO); messages it
                    receives are <strong>mobile terminated</strong> (SMS-MT).</p>
                    """
                ),
                callout(
                    "info",
                    """
                    <p>A device's SMS-MO addressed to the short code <code>2000</code> is
                    delivered to your application through the <code>sms.received</code>
                    webhook instead of to a phone. See
                    <a href="/api-webhooks/webhooks/">Webhooks</a>.</p>
                    """,
                ),
                h2("Send an SMS (SMS-MO)"),
                code(
                    "at",
                    """
                    AT+CMGF=1
                    OK
                    AT+CSCS="GSM"
                    OK
                    AT+CMGS="2000"
                    > status=ok;batt=3.61;temp=21.5<Ctrl+Z>
                    +CMGS: 17

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>AT+CMGF=1</code> selects text mode (<code>0</code> is PDU mode),
                    <code>AT+CSCS="GSM"</code> the GSM 7-bit character set. After
                    <code>AT+CMGS</code> the module prompts with <code>&gt;</code>; type the text
                    and end it with Ctrl+Z (byte <code>0x1A</code>), or cancel with Esc
                    (<code>0x1B</code>). <code>+CMGS: 17</code> is the message reference.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>Wait for the <code>&gt;</code> prompt before sending the text. Firmware
                    that writes command and text in one go works on the bench and fails
                    intermittently in the field.</p>
                    """,
                ),
                h2("Get notified of incoming SMS (SMS-MT)"),
                code(
                    "at",
                    """
                    AT+CPMS="ME","ME","ME"
                    +CPMS: 0,255,0,255,0,255

                    OK
                    AT+CNMI=2,1,0,0,0
                    OK

                    +CMTI: "ME",3
                    """,
                ),
                p(
                    """
                    <p><code>AT+CNMI=2,1</code> makes the module store incoming messages and
                    announce each with <code>+CMTI</code> and its storage index; use
                    <code>AT+CNMI=2,2</code> to have the message printed directly with
                    <code>+CMT</code> instead. Then read and delete it:</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CMGR=3
                    +CMGR: "REC UNREAD","+15550100999",,"26/11/20,09:41:17+04"
                    config interval=900

                    OK
                    AT+CMGD=3
                    OK
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>Delete messages once processed, or storage fills up (255 messages in the
                    example above) and new messages are rejected. <code>AT+CMGD=1,4</code>
                    deletes every stored message.</p>
                    """,
                ),
                h2("Message length and character sets"),
                table(
                    [
                        ["Encoding", "Characters per SMS", "Per part when concatenated"],
                        ["GSM 7-bit", "160", "153"],
                        ["UCS-2 (any Unicode)", "70", "67"],
                        ["8-bit binary (PDU mode)", "140 bytes", "134 bytes"],
                    ],
                    caption="SMS length by encoding",
                ),
                p(
                    """
                    <p>One emoji or character outside the GSM alphabet switches the whole
                    message to UCS-2. Keep device commands in plain ASCII letters and
                    digits.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "sms-from-your-application",
            "title": "SMS from your application: sending, receiving and delivery reports",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "data-sms",
            "tags": ["sms", "api", "webhooks", "sms-mt", "sms-mo", "delivery-reports"],
            "reviewed_days_ago": 18,
            "summary": (
                "Send SMS-MT to devices through the API, receive SMS-MO as webhooks, and follow "
                "every message through queued, sent, delivered, failed or expired."
            ),
            "body": [
                p(
                    """
                    <p>Your application sends SMS to devices with one API call and learns what
                    happened to each message from delivery reports. Devices that reply to the
                    short code <code>2000</code> reach your application as webhooks.</p>
                    """
                ),
                h2("Send a message"),
                code(
                    "bash",
                    """
                    curl -X POST "https://api.example-iot.com/v1/sims/8988303000001234568/sms" \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                      -H "Content-Type: application/json" \\
                      -H "Idempotency-Key: 3f1c2d9e-cfg-interval-900" \\
                      -d '{"text": "config interval=900", "validity_minutes": 1440}'
                    """,
                ),
                code(
                    "json",
                    """
                    {
                      "id": "sms_01JCA4Y1Q0X8RB",
                      "iccid": "8988303000001234568",
                      "direction": "mt",
                      "status": "queued",
                      "text": "config interval=900",
                      "encoding": "gsm7",
                      "parts": 1,
                      "validity_minutes": 1440,
                      "created_at": "2026-11-20T09:41:15Z"
                    }
                    """,
                    filename="202 Accepted",
                ),
                p(
                    """
                    <p>The API answers <code>202 Accepted</code>: the message is queued, not yet
                    delivered. Code samples in four languages are in
                    <a href="/code-samples/send-an-sms/">Send an SMS</a>.</p>
                    """
                ),
                h2("Delivery statuses"),
                table(
                    [
                        ["Status", "Meaning", "Final?"],
                        ["queued", "Accepted by the API, waiting for the SMS centre", "No"],
                        ["sent", "Handed to the network; the device has not confirmed yet", "No"],
                        ["delivered", "The device confirmed receipt", "Yes"],
                        ["failed", "Rejected (SIM not active, invalid text, network error)", "Yes"],
                        ["expired", "Not delivered within the validity period", "Yes"],
                    ],
                    caption="SMS delivery statuses",
                ),
                p(
                    """
                    <p>Subscribe to the <code>sms.status_changed</code> webhook to be told about
                    every change, rather than polling <code>GET /v1/sms/{id}</code>. The
                    network retries delivery to a device that is out of coverage or in PSM
                    until the validity period (default 24 hours, maximum 7 days) runs
                    out.</p>
                    """
                ),
                callout(
                    "note",
                    """
                    <p><em>Delivered</em> means the module received the message, not that your
                    firmware acted on it. For commands that matter, have the device
                    acknowledge with an SMS-MO or a data message.</p>
                    """,
                ),
                h2("Receive messages from devices"),
                p(
                    """
                    <p>When a device sends an SMS to <code>2000</code>, we POST an
                    <code>sms.received</code> event to your webhook endpoint:</p>
                    """
                ),
                code(
                    "json",
                    """
                    {
                      "id": "evt_01JCA51M3F2HZ4",
                      "type": "sms.received",
                      "created_at": "2026-11-20T09:42:03Z",
                      "data": {
                        "sms_id": "sms_01JCA51KZ9WQ7E",
                        "iccid": "8988303000001234568",
                        "from_msisdn": "15550100123",
                        "to": "2000",
                        "text": "ack interval=900",
                        "encoding": "gsm7"
                      }
                    }
                    """,
                ),
                callout(
                    "danger",
                    """
                    <p>Anyone who knows a device's phone number could try to send it SMS from
                    outside. SMS from outside the platform are blocked by default; keep it that
                    way, and have the device accept commands only from the platform's sender
                    ID.</p>
                    """,
                    title="Do not accept commands from any sender",
                ),
            ],
        },
    ],
}
