"""Troubleshooting: no attach, no data, roaming, data usage spikes, weak signal."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, p, steps, table

SECTION = {
    "slug": "troubleshooting",
    "title": "Troubleshooting",
    "intro": (
        "<p>Systematic checklists for the problems support sees most: devices that will not "
        "register, devices that register but pass no data, roaming trouble, unexpected data "
        "usage and poor signal. Work through them before opening a ticket; the answers are "
        "exactly what an analyst will ask for.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "device-will-not-register",
            "title": "Device will not attach or register",
            "kind": "support_topic",
            "difficulty": "intermediate",
            "area": "troubleshooting",
            "tags": ["troubleshooting", "at-commands", "sim", "registration", "lte-m"],
            "reviewed_days_ago": 6,
            "summary": (
                "A step-by-step checklist, from SIM state to radio bands, for devices that never "
                "get past searching or are denied registration."
            ),
            "body": [
                p(
                    """
                    <p>If <code>AT+CEREG?</code> never reaches <code>1</code> or <code>5</code>,
                    the device is not registered and nothing else will work. Work from the
                    cheapest checks to the most expensive: the SIM's state in the portal, the
                    SIM in the device, the radio configuration, and finally coverage.</p>
                    """
                ),
                h2("1. Is the SIM allowed on the network?"),
                p(
                    """
                    <p>Open the SIM in the portal. Its state must be <em>Test ready</em>,
                    <em>Activation ready</em> or <em>Activated</em>. The <strong>Network
                    events</strong> panel shows every attach attempt the network has seen; if
                    there are none, the device never reached our core network (go to step 3).
                    If attempts appear with a reject cause, the cause tells you why.</p>
                    """
                ),
                table(
                    [
                        ["Reject cause", "Meaning", "Usual fix"],
                        [
                            "#3 Illegal MS / #6 Illegal ME",
                            "SIM or device barred",
                            "Check SIM state; IMEI lock rule",
                        ],
                        [
                            "#7 EPS services not allowed",
                            "SIM not provisioned for LTE",
                            "Contact support",
                        ],
                        [
                            "#11 PLMN not allowed",
                            "Network not in your rate plan",
                            "Check rate plan coverage",
                        ],
                        [
                            "#13 Roaming not allowed in this TA",
                            "Temporary steering",
                            "Wait; the module tries another network",
                        ],
                        [
                            "#15 No suitable cells in TA",
                            "No LTE-M/NB-IoT roaming here",
                            "Enable another RAT",
                        ],
                    ],
                    caption="Common EMM reject causes in network events",
                ),
                h2("2. Does the device see the SIM?"),
                code(
                    "at",
                    """
                    AT+CMEE=2
                    OK
                    AT+CFUN?
                    +CFUN: 1

                    OK
                    AT+CPIN?
                    +CPIN: READY

                    OK
                    AT+CIMI
                    901990000123456

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>+CME ERROR: SIM not inserted</code> points to the card holder,
                    the SIM-detect pin or the SIM's supply voltage; check that the module
                    supports 1.8 V SIMs if yours is an MFF2 chip. <code>+CFUN: 0</code> or
                    <code>4</code> means the radio is off: set <code>AT+CFUN=1</code>.</p>
                    """
                ),
                h2("3. Is the radio configured for the local network?"),
                p(
                    """
                    <p>Check that the module searches the technologies and bands used where
                    it is. A module configured for NB-IoT only will never register in a
                    country without NB-IoT roaming.</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+COPS?
                    +COPS: 0

                    OK
                    AT+QCFG="iotopmode"
                    +QCFG: "iotopmode",2

                    OK
                    AT+QCFG="band"
                    +QCFG: "band",0xf,0x100002000000000f0e189f,0x10004200000000090e189f

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>+COPS: 0</code> with no operator means automatic selection with
                    nothing found yet. If <code>AT+COPS?</code> shows <code>1</code> (manual)
                    with a network that is not available, return to automatic with
                    <code>AT+COPS=0</code>. The <code>QCFG</code> commands are Quectel's;
                    other vendors have equivalents (<code>AT+URAT</code> and
                    <code>AT+UBANDMASK</code> on u-blox).</p>
                    """
                ),
                h2("4. Clear the forbidden network list"),
                p(
                    """
                    <p>After a network rejects a device, the module stores it in the SIM's
                    forbidden PLMN list and stops trying it, even after the cause is fixed.
                    A power cycle clears the temporary list on most modules; the list stored
                    on the SIM can be reset from the portal with <strong>Actions &rarr; Reset
                    network registration</strong>, which also cancels the SIM's location on
                    the network so the next attach starts cleanly.</p>
                    """
                ),
                h2("5. Is there coverage?"),
                p(
                    """
                    <p>Check the coverage map for the technology you use, then list the
                    networks the module can actually hear with <code>AT+COPS=?</code> (this
                    takes up to three minutes). An empty list outdoors points to the antenna
                    or its connection; see <a href="/troubleshooting/weak-signal/">Weak signal
                    and coverage</a>.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>Still stuck? Open a ticket with the ICCID, the IMEI, the module model and
                    firmware (<code>ATI</code>), the output of <code>AT+CEREG?</code>,
                    <code>AT+COPS?</code> and <code>AT+CSQ</code>, and the device's location.
                    With those, an analyst can start on the network side immediately.</p>
                    """,
                    title="What to send support",
                ),
            ],
        },
        {
            "type": "article",
            "slug": "attached-but-no-data",
            "title": "Attached but no data",
            "kind": "support_topic",
            "difficulty": "intermediate",
            "area": "troubleshooting",
            "tags": ["troubleshooting", "apn", "pdp-context", "data", "at-commands"],
            "reviewed_days_ago": 33,
            "summary": (
                "The device is registered but cannot reach your server: check the APN, the "
                "data session, DNS, blocking rules and your firewall, in that order."
            ),
            "body": [
                p(
                    """
                    <p>Registration succeeded (<code>+CEREG: 2,5</code>) but nothing gets
                    through. The cause is almost always one of five things, and the SIM's
                    <strong>Sessions</strong> tab in the portal tells you which half of the
                    path to look at.</p>
                    """
                ),
                h2("Does the portal show a session?"),
                p(
                    """
                    <ul>
                    <li><strong>No session at all:</strong> the device never asked for one, or
                    asked for the wrong APN. Check the APN (below).</li>
                    <li><strong>Session open, bytes up but no bytes down:</strong> your server
                    or firewall is not answering, or DNS fails.</li>
                    <li><strong>Session open, no bytes at all:</strong> the device's IP stack
                    is not using the cellular interface. Check routing on the device.</li>
                    <li><strong>Sessions rejected:</strong> the network event shows the cause
                    (see the table).</li>
                    </ul>
                    """
                ),
                h2("Check the APN and the context"),
                code(
                    "at",
                    """
                    AT+CGDCONT?
                    +CGDCONT: 1,"IP","internet.oldcarrier","0.0.0.0",0,0,0,0

                    OK
                    AT+CGACT?
                    +CGACT: 1,0

                    OK
                    AT+CEER
                    +CEER: "ESM cause 27: missing or unknown APN"

                    OK
                    """,
                ),
                p(
                    """
                    <p>Here the module still carries another carrier's APN. Fix it with the
                    radio off and bring the context up:</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CFUN=0
                    OK
                    AT+CGDCONT=1,"IP","iot.example"
                    OK
                    AT+CFUN=1
                    OK
                    AT+CGACT=1,1
                    OK
                    AT+CGPADDR=1
                    +CGPADDR: 1,"10.174.33.18"

                    OK
                    """,
                ),
                table(
                    [
                        ["ESM cause", "Meaning", "Fix"],
                        [
                            "#27 Missing or unknown APN",
                            "APN misspelled or from another carrier",
                            "Set iot.example",
                        ],
                        [
                            "#29 User authentication failed",
                            "Private APN credentials wrong",
                            "Check the private APN settings",
                        ],
                        [
                            "#33 Requested service option not subscribed",
                            "APN not allowed for this SIM",
                            "Check the rate plan; private APN needs enabling",
                        ],
                        [
                            "#50 PDP type IPv4 only allowed",
                            "Device asked for IPv6 only",
                            "Use IP or IPV4V6",
                        ],
                    ],
                    caption="Session reject causes",
                ),
                h2("Check DNS and reachability from the device"),
                p(
                    """
                    <p>If the module has an internal TCP/IP stack, test with its own ping and
                    DNS commands before blaming the application. On Quectel modules:</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+QPING=1,"1.1.1.1"
                    OK

                    +QPING: 0,"1.1.1.1",32,48,255
                    AT+QIDNSGIP=1,"mqtt.example.com"
                    OK

                    +QIURC: "dnsgip",0,1,600
                    +QIURC: "dnsgip","203.0.113.40"
                    """,
                ),
                h2("Check blocking rules and limits"),
                p(
                    """
                    <p>An <a href="/customer-portal/automation-rules/">automation rule</a> or a
                    usage cap may have blocked data for the SIM. The SIM's page shows a
                    <em>Data blocked</em> badge with the rule's name; unblock it there once the
                    cause is fixed.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>Devices on <code>iot.example</code> have private addresses behind NAT.
                    Your server sees the NAT's public address, which can change between
                    sessions. Do not allow-list device traffic by source IP; authenticate
                    devices with certificates or tokens instead.</p>
                    """,
                ),
                callout(
                    "note",
                    """
                    <p>Outbound SMTP (port 25) and inbound connections to devices are blocked on
                    the public APN. Everything else outbound is allowed.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "roaming-issues",
            "title": "Roaming issues and cross-border devices",
            "kind": "support_topic",
            "difficulty": "advanced",
            "area": "troubleshooting",
            "tags": ["roaming", "troubleshooting", "lte-m", "nb-iot", "registration"],
            "reviewed_days_ago": 120,
            "summary": (
                "Why devices that work in one country fail in another, how network steering "
                "works, and what to check when a device is stuck on a poor network."
            ),
            "body": [
                p(
                    """
                    <p>Our SIMs connect through roaming agreements with partner networks in
                    each country, so every device is technically roaming, even at home. Most
                    of the time this is invisible. When it is not, the cause is usually one
                    of the following.</p>
                    """
                ),
                h2("The technology is not available for roaming"),
                p(
                    """
                    <p>A network can offer LTE-M to its own subscribers without offering it to
                    roaming SIMs. A device locked to LTE-M registers fine in one country and
                    finds <em>no suitable cells</em> in the next. Check the coverage map for
                    roaming availability per technology, and let the module fall back to
                    another technology where possible.</p>
                    """
                ),
                h2("Network steering"),
                p(
                    """
                    <p>To keep devices on the partner networks that perform best, the network
                    may reject the first few attempts on other networks with cause
                    <code>#17</code> or <code>#13</code>. The module then tries the next network.
                    This adds up to a minute to the first attach in a new country and is
                    normal. If a device is stuck cycling between networks for more than ten
                    minutes, open a ticket with its ICCID and location.</p>
                    """
                ),
                h2("Stuck on a weak network"),
                p(
                    """
                    <p>A device stays on the network it registered with as long as that network
                    is usable, even if a better one is available. A stationary device near a
                    border can stay on the neighbouring country's network for weeks. To make
                    it reselect:</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+COPS=2
                    OK
                    AT+COPS=0
                    OK
                    """,
                ),
                p(
                    """
                    <p>Deregistering and returning to automatic selection triggers a fresh
                    search using the SIM's preferred network list. Do not lock devices to one
                    network with <code>AT+COPS=1</code> in production: when that network has an
                    outage, the device will not move to another.</p>
                    """
                ),
                h2("Permanent roaming restrictions"),
                callout(
                    "warning",
                    """
                    <p>Some countries (including Brazil, Turkey and, on some networks,
                    Canada and Australia) restrict permanent roaming: a foreign SIM that stays
                    for more than a set period may be blocked. If your devices are deployed
                    permanently in one country, ask your account manager about a local
                    profile.</p>
                    """,
                    title="Permanent roaming",
                ),
                h2("Checklist"),
                steps(
                    (
                        "Check the network events",
                        "<p>The SIM's <strong>Network events</strong> list shows each network "
                        "tried and the reject cause.</p>",
                    ),
                    (
                        "Check the rate plan's coverage",
                        "<p>Networks outside your plan's zones are rejected with cause "
                        "<code>#11</code>.</p>",
                    ),
                    (
                        "Check the module's technologies and bands",
                        "<p>Enable every technology the local partner offers to roaming SIMs.</p>",
                    ),
                    (
                        "Force a fresh network search",
                        "<p>Reset network registration in the portal, then power-cycle the "
                        "device.</p>",
                    ),
                ),
            ],
        },
        {
            "type": "article",
            "slug": "data-usage-spike",
            "title": "Investigating a data usage spike",
            "kind": "support_topic",
            "difficulty": "intermediate",
            "area": "troubleshooting",
            "tags": ["data", "usage", "alerts", "troubleshooting", "billing"],
            "reviewed_days_ago": 27,
            "summary": (
                "Find which SIMs used the data, when and on which network, stop the bleeding "
                "with a rule, and fix the firmware behaviour that caused it."
            ),
            "body": [
                callout(
                    "danger",
                    """
                    <p>If usage is still climbing, block data for the affected SIMs first and
                    investigate second: <strong>SIMs &rarr; select &rarr; Actions &rarr; Block
                    data</strong>. Blocking keeps the SIMs registered, so SMS still works for
                    sending the device a fix.</p>
                    """,
                    title="Stop it first",
                ),
                h2("Find the SIMs"),
                steps(
                    (
                        "Open the usage report",
                        "<p><strong>Reports &rarr; Usage</strong>, group by SIM, sort by data "
                        "used, for the last 7 days.</p>",
                    ),
                    (
                        "Compare with the baseline",
                        "<p>Switch to daily view. A fleet-wide step means a firmware or server "
                        "change; a few SIMs far above the rest means a device fault or a "
                        "misused SIM.</p>",
                    ),
                    (
                        "Check the IMEI",
                        "<p>If a SIM's IMEI changed, the SIM has been moved into another "
                        "device, such as a phone. Deactivate it.</p>",
                    ),
                    (
                        "Read the session records",
                        "<p>The SIM's sessions show when the traffic happened and in which "
                        "direction: heavy downlink points to updates or a misbehaving server, "
                        "heavy uplink to a logging or retry loop.</p>",
                    ),
                ),
                h2("Common causes"),
                table(
                    [
                        ["Pattern", "Likely cause"],
                        [
                            "Many SIMs, same day, mostly downlink",
                            "A firmware update pushed over cellular",
                        ],
                        ["Many SIMs, during a server outage", "Retry loops without backoff"],
                        ["One SIM, steady high uplink", "Debug logging or video left on"],
                        ["One SIM, new IMEI, web-like traffic", "SIM moved into a phone or router"],
                        [
                            "Many short sessions, each a few KB",
                            "Reconnect loop: full TLS handshake every time",
                        ],
                    ],
                    caption="Usage patterns and their usual causes",
                ),
                h2("Prevent the next one"),
                p(
                    """
                    <ul>
                    <li>Set a <a href="/customer-portal/usage-alerts/">daily usage alert</a> per
                    SIM at about twice normal usage.</li>
                    <li>Add an <a href="/customer-portal/automation-rules/">automation rule</a>
                    that blocks data at ten times normal usage and lock SIMs to their IMEI.</li>
                    <li>Roll out firmware updates in waves, and over Wi-Fi or Ethernet where the
                    device has it.</li>
                    <li>Use exponential backoff for every retry; see
                    <a href="/data-sms/keeping-data-usage-low/">Keeping data usage low</a>.</li>
                    </ul>
                    """
                ),
                callout(
                    "note",
                    """
                    <p>Usage records can arrive from partner networks up to 48 hours late, so
                    yesterday's totals for roaming SIMs may still grow. Invoices use the final
                    records.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "weak-signal",
            "title": "Weak signal and coverage",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "troubleshooting",
            "tags": ["signal", "at-commands", "lte-m", "nb-iot", "troubleshooting"],
            "reviewed_days_ago": 400,
            "summary": (
                "Read CSQ, RSRP, RSRQ and SINR correctly, know which values are good enough for "
                "LTE-M and NB-IoT, and fix antenna problems before blaming the network."
            ),
            "body": [
                p(
                    """
                    <p>Signal strength is the first thing to check when a device drops off the
                    network, reconnects often or transfers slowly. On LTE, the old
                    <code>AT+CSQ</code> number is only a rough guide; the LTE measurements
                    from <code>AT+CESQ</code> or the vendor's own command are far more
                    useful.</p>
                    """
                ),
                h2("Reading the numbers"),
                code(
                    "at",
                    """
                    AT+CSQ
                    +CSQ: 12,99

                    OK
                    AT+CESQ
                    +CESQ: 99,99,255,255,18,38

                    OK
                    AT+QCSQ
                    +QCSQ: "eMTC",-89,-103,200,-11

                    OK
                    """,
                ),
                p(
                    """
                    <p><code>+CSQ: 12</code> is -113 + 2 x 12 = -89 dBm. In <code>+CESQ</code>
                    the last two values are RSRQ and RSRP as indexes: RSRQ 18 is -11 dB
                    (-20 + 18 / 2), RSRP 38 is -103 dBm (-141 + 38). Quectel's
                    <code>AT+QCSQ</code> reports RSSI, RSRP, SINR and RSRQ directly; SINR is in fifths of a dB above -20 dB, so 200 is 20 dB.</p>
                    """
                ),
                table(
                    [
                        ["Quality", "RSRP", "RSRQ", "SINR"],
                        ["Excellent", "better than -90 dBm", "better than -9 dB", "above 20 dB"],
                        ["Good", "-90 to -105 dBm", "-9 to -12 dB", "13 to 20 dB"],
                        ["Fair", "-105 to -115 dBm", "-12 to -15 dB", "0 to 13 dB"],
                        [
                            "Poor (LTE-M CE mode B / NB-IoT only)",
                            "below -115 dBm",
                            "below -15 dB",
                            "below 0 dB",
                        ],
                    ],
                    caption="Rules of thumb for LTE-M and NB-IoT",
                ),
                callout(
                    "info",
                    """
                    <p>LTE-M and NB-IoT use coverage enhancement: they repeat transmissions to
                    reach devices far beyond where a phone gives up, down to about -125 dBm
                    RSRP on NB-IoT. The price is battery and latency: a device at the edge of
                    coverage can use ten times the energy per message.</p>
                    """,
                ),
                h2("Fix the antenna first"),
                steps(
                    (
                        "Check the connection",
                        "<p>A loose or missing U.FL connector is the most common hardware fault. "
                        "Signal improves by 20 dB or more when it is reseated.</p>",
                    ),
                    (
                        "Check the antenna covers your bands",
                        "<p>LTE-M and NB-IoT often use low bands (700-900 MHz, bands 8, 12, 13, "
                        "20, 28). Small antennas tuned for 1.8-2.6 GHz perform badly there.</p>",
                    ),
                    (
                        "Move it out of the metal",
                        "<p>An antenna inside a metal cabinet or under a meter lid loses "
                        "10-30 dB. Use an external antenna with a short, low-loss cable.</p>",
                    ),
                    (
                        "Measure at different times",
                        "<p>Log RSRP and SINR with every message. Values that drop at busy hours "
                        "point to cell load rather than to your device.</p>",
                    ),
                ),
                callout(
                    "tip",
                    """
                    <p>Include RSRP, RSRQ, SINR and the cell ID in your devices' regular
                    telemetry. When a device goes quiet, the last known radio conditions are
                    the best clue you will have.</p>
                    """,
                ),
            ],
        },
    ],
}
