"""Getting started: ordering SIMs, activating them and the SIM lifecycle."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, image, p, steps, table, video

SECTION = {
    "slug": "getting-started",
    "title": "Getting started",
    "intro": (
        "<p>New to the network? Start here: choose and order SIM cards, activate your first "
        "device and learn the SIM lifecycle states that decide what you pay and when a "
        "device may connect.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "ordering-sim-cards",
            "title": "Ordering SIM cards for your devices",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "sims",
            "tags": ["sim", "ordering", "esim", "iccid"],
            "reviewed_days_ago": 21,
            "summary": (
                "Pick the right form factor and grade for your hardware, place an order in the "
                "customer portal and find your new SIMs' ICCIDs before they arrive."
            ),
            "body": [
                p(
                    """
                    <p>Every device on the network needs a SIM: a removable card, or a chip
                    soldered onto the board. Getting the SIM right at the start saves a hardware
                    revision later, so check three things before you order: the <strong>form
                    factor</strong> your module's holder takes, the <strong>grade</strong> your
                    operating environment needs, and the <strong>quantity</strong> you will test
                    with before you roll out.</p>
                    """
                ),
                h2("Choose a form factor"),
                table(
                    [
                        ["Form factor", "Size", "Typical use"],
                        ["2FF (mini SIM)", "25 x 15 mm", "Older modems, industrial routers"],
                        ["3FF (micro SIM)", "15 x 12 mm", "Routers, gateways, development kits"],
                        ["4FF (nano SIM)", "12.3 x 8.8 mm", "Compact trackers, phones, tablets"],
                        [
                            "MFF2 (embedded chip)",
                            "6 x 5 mm, soldered",
                            "Sealed devices, vibration, meters, vehicles",
                        ],
                    ],
                    caption="SIM form factors we ship",
                ),
                p(
                    """
                    <p>Plastic cards are ordered as a <em>triple-cut</em> 2FF/3FF/4FF card: you
                    push out the size you need. MFF2 chips come on tape and reel for your
                    assembly line, with a minimum order of one reel (3,000 chips); ask your
                    account manager for samples on a breakout board before you commit.</p>
                    """
                ),
                h2("Commercial or industrial grade?"),
                p(
                    """
                    <p><strong>Commercial</strong> SIMs are rated for -25 &deg;C to +85 &deg;C and
                    about 100,000 write cycles, which is plenty for indoor devices, trackers and
                    gateways. <strong>Industrial</strong> SIMs are rated for -40 &deg;C to
                    +105 &deg;C, have a longer data-retention rating and withstand more write
                    cycles. Choose industrial grade for outdoor meters, vehicles, anything
                    mounted in an enclosure in the sun, and any device you expect to run for
                    more than ten years.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>Order a handful of SIMs of the exact type you will deploy for your pilot.
                    Devices that pass testing with a development-kit SIM sometimes fail with the
                    production MFF2 chip because of a board layout or SIM-detect pin issue.</p>
                    """,
                    title="Test with what you ship",
                ),
                h2("Place the order"),
                steps(
                    (
                        "Open Orders in the customer portal",
                        "<p>Sign in to the portal and choose <strong>SIMs &rarr; Order "
                        "SIMs</strong>. Only users with the <em>Account admin</em> or "
                        "<em>Purchasing</em> role see this menu.</p>",
                    ),
                    (
                        "Choose the SIM type and quantity",
                        "<p>Pick form factor and grade. Plastic SIMs ship in packs of 10, 100 "
                        "or 1,000; larger quantities ship in boxes of 500.</p>",
                    ),
                    (
                        "Choose the initial state and rate plan",
                        '<p>Decide which <a href="/getting-started/sim-lifecycle-states/">'
                        "lifecycle state</a> the SIMs arrive in. For a pilot, <em>Test "
                        "ready</em> lets devices connect straight away; for production stock, "
                        "<em>Activation ready</em> avoids paying for SIMs that sit on a "
                        "shelf.</p>",
                    ),
                    (
                        "Add the delivery address and confirm",
                        "<p>Orders placed before 14:00 local warehouse time on a business day "
                        "ship the same day. You receive an e-mail with the tracking number and "
                        "a CSV of the ICCIDs in the shipment.</p>",
                    ),
                ),
                h2("Find your SIMs before they arrive"),
                p(
                    """
                    <p>The SIMs appear in the portal under <strong>SIMs</strong> in the
                    <em>Inventory</em> state (or the state you chose) as soon as the order is
                    packed, so you can assign them to devices in your own systems before the box
                    arrives. Filter by the order number, or list them through the API:</p>
                    """
                ),
                code(
                    "bash",
                    """
                    curl -s "https://api.example-iot.com/v1/sims?order=ORD-2026-10482&limit=100" \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY"
                    """,
                ),
                callout(
                    "note",
                    """
                    <p>ICCIDs in one order are consecutive, for example
                    <code>8988303000001234568</code> to <code>8988303000001234659</code>. The
                    last digit is a Luhn check digit, so consecutive ICCIDs do not simply end
                    in 0-9 in order.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "activating-your-first-sim",
            "title": "Activating your first SIM",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "sims",
            "tags": ["sim", "activation", "iccid", "apn", "api"],
            "reviewed_days_ago": 9,
            "summary": (
                "From a SIM in its envelope to a device exchanging data in about fifteen "
                "minutes: activate in the portal or the API, set the APN and check the session."
            ),
            "body": [
                p(
                    """
                    <p>This tutorial takes one SIM from the <em>Inventory</em> state to a device
                    that is online. You need the SIM, a device or development kit with a
                    cellular module, a serial terminal (or the device's own configuration page)
                    and a portal login with the <em>SIM manager</em> role.</p>
                    """
                ),
                video(
                    "https://www.youtube.com/watch?v=Qx7dT2sim01",
                    "Training video: activating SIMs in the portal and with the API",
                ),
                h2("Before you start"),
                p(
                    """
                    <ul>
                    <li>Note the SIM's <strong>ICCID</strong>: the 19 or 20 digits printed on the
                    card carrier and on the SIM itself, starting with <code>89</code>.</li>
                    <li>Make sure the device supports a radio technology and band available where
                    you test; see <a href="/connectivity-apn/lte-m-nb-iot-network-selection/">
                    LTE-M, NB-IoT and network selection</a>.</li>
                    <li>Power the device down before you insert the SIM. Most modules only read
                    the SIM at start-up.</li>
                    </ul>
                    """
                ),
                h2("Activate the SIM"),
                steps(
                    (
                        "Find the SIM in the portal",
                        "<p>Go to <strong>SIMs</strong> and paste the ICCID into the search box. "
                        "The detail page shows its current state, rate plan and the last "
                        "network events.</p>",
                    ),
                    (
                        "Choose a rate plan",
                        "<p>Under <strong>Rate plan</strong>, pick the plan the device will "
                        "use. If your account has a data pool, choose the pooled plan so the "
                        "device shares the pool's allowance.</p>",
                    ),
                    (
                        "Change the state to Activated",
                        "<p>Choose <strong>Change state &rarr; Activated</strong> and confirm. "
                        "The change reaches the network within a minute; the SIM's history "
                        "shows <em>State changed: Inventory &rarr; Activated</em>.</p>",
                    ),
                    (
                        "Insert the SIM and power up the device",
                        "<p>The module searches for a network, registers and then opens a data "
                        "session on the APN. The first registration can take a few minutes "
                        "while the module scans all bands.</p>",
                    ),
                ),
                p(
                    """
                    <p>If you manage more than a few SIMs, activate them from your own systems
                    with the API instead. The call is idempotent: activating a SIM that is
                    already active returns <code>200</code> with the current state.</p>
                    """
                ),
                code(
                    "bash",
                    """
                    curl -X POST "https://api.example-iot.com/v1/sims/8988303000001234568/activate" \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                      -H "Content-Type: application/json" \\
                      -d '{"rate_plan": "iot-pool-1gb"}'
                    """,
                ),
                h2("Set the APN"),
                p(
                    """
                    <p>Devices reach the internet through the access point name
                    <code>iot.example</code>, with no user name or password. Most modules
                    pick it up automatically; if yours does not, set it explicitly. On a
                    module that takes AT commands:</p>
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
                    """,
                ),
                p(
                    """
                    <p>Routers, Android and iOS devices have their own settings screens; see
                    the <a href="/connectivity-apn/">Connectivity &amp; APN</a> section.</p>
                    """
                ),
                h2("Check that it works"),
                p(
                    """
                    <p>On the SIM's page in the portal, the <strong>Network</strong> panel
                    should show <em>Registered</em> with the network name, and the
                    <strong>Sessions</strong> tab should list an open data session with the IP
                    address assigned to the device. Send a little traffic (a ping, an HTTP
                    request or an MQTT publish) and the session's byte counters will move
                    within a few minutes.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>Activation starts billing. If you are preparing devices that will sit in
                    a warehouse, use the <em>Activation ready</em> state instead: the SIM
                    activates itself the first time the device uses the network.</p>
                    """,
                    title="Activation starts the monthly fee",
                ),
                callout(
                    "info",
                    """
                    <p>Device registered but no data? Work through
                    <a href="/troubleshooting/attached-but-no-data/">Attached but no data</a>.
                    Not registering at all? See
                    <a href="/troubleshooting/device-will-not-register/">Device will not attach
                    or register</a>.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "sim-lifecycle-states",
            "title": "SIM lifecycle states and what they cost",
            "kind": "guide",
            "difficulty": "beginner",
            "area": "sims",
            "tags": ["sim", "lifecycle", "billing", "activation"],
            "reviewed_days_ago": 48,
            "summary": (
                "Inventory, Test ready, Activation ready, Activated, Deactivated and Retired: "
                "what each state means for connectivity and billing, and how SIMs move between "
                "them."
            ),
            "body": [
                p(
                    """
                    <p>Every SIM is in exactly one lifecycle state. The state decides two
                    things: whether the network lets the SIM connect, and whether you pay for
                    it. You change states in the portal, with the API, or automatically with
                    <a href="/customer-portal/automation-rules/">automation rules</a>.</p>
                    """
                ),
                image(
                    "sim-lifecycle",
                    "Diagram of the SIM lifecycle. Inventory leads to Test ready, then Activation "
                    "ready, then Activated. Activated leads to Deactivated, which can be "
                    "reactivated or moved on to Retired.",
                    caption="The usual path through the lifecycle. Only Activated SIMs pay a "
                    "monthly fee.",
                ),
                h2("The states at a glance"),
                table(
                    [
                        ["State", "Can connect?", "Billing", "Typical use"],
                        ["Inventory", "No", "Not billed", "Stock you have not assigned yet"],
                        [
                            "Test ready",
                            "Yes, within the test allowance",
                            "Not billed during the test period",
                            "Device manufacturing and end-of-line tests",
                        ],
                        [
                            "Activation ready",
                            "Yes; first use activates the SIM",
                            "Not billed until first use",
                            "Devices shipped to customers or installers",
                        ],
                        ["Activated", "Yes", "Monthly fee plus usage", "Devices in service"],
                        [
                            "Deactivated",
                            "No",
                            "No monthly fee from the next bill cycle",
                            "Devices paused, returned or lost",
                        ],
                        ["Retired", "No, permanently", "Not billed", "End of life; cannot return"],
                    ],
                    caption="SIM lifecycle states",
                ),
                h2("Inventory"),
                p(
                    """
                    <p>New SIMs arrive in <em>Inventory</em> unless you asked for another state
                    when you ordered. The network rejects any attempt to register, so a SIM in
                    inventory costs nothing even if it is inserted in a powered device.</p>
                    """
                ),
                h2("Test ready"),
                p(
                    """
                    <p><em>Test ready</em> lets a device connect without starting the monthly fee,
                    so your factory can test every unit before it ships. Each SIM has a test
                    allowance of <strong>5 MB of data and 20 SMS</strong> and a test period of
                    <strong>90 days</strong>. When either runs out, the SIM moves on by itself to
                    the state you configured for the account: <em>Activated</em> (the default)
                    or <em>Activation ready</em>.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>A firmware update downloaded over cellular during end-of-line testing can
                    use the whole test allowance at once and activate the SIM before the device
                    leaves the factory. Load firmware over the wire, or set the account's
                    post-test state to <em>Activation ready</em>.</p>
                    """,
                ),
                h2("Activation ready"),
                p(
                    """
                    <p>An <em>Activation ready</em> SIM is not billed until the device first
                    registers and opens a data session or sends an SMS; at that moment it moves
                    to <em>Activated</em> and billing starts, prorated for the rest of the month.
                    Use it for devices that may sit in a warehouse or a retail channel for
                    months.</p>
                    """
                ),
                h2("Activated"),
                p(
                    """
                    <p>The SIM has full service under its rate plan. You pay the plan's monthly
                    fee (prorated in the month of activation) plus any usage beyond the
                    allowance. Only activated SIMs count towards a pooled plan's shared
                    allowance.</p>
                    """
                ),
                h2("Deactivated"),
                p(
                    """
                    <p>Deactivating cuts connectivity within a minute and ends any open data
                    session. There is no monthly fee from the next bill cycle, but the
                    current month is still billed. A deactivated SIM can be activated again at
                    any time, keeping its ICCID, IMSI and MSISDN.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>Deactivate a SIM as soon as a device is reported lost or stolen. The
                    <em>IMEI change</em> rule in the portal can do this automatically when a SIM
                    appears in a device it was not installed in.</p>
                    """,
                ),
                h2("Retired"),
                p(
                    """
                    <p><em>Retired</em> is final. The SIM's subscription is removed from the
                    network, its phone number returns to the pool after a quarantine period,
                    and it can never connect again. Its usage history stays available for
                    reports for 24 months.</p>
                    """
                ),
                callout(
                    "danger",
                    """
                    <p>Retiring a SIM cannot be undone, not even by support. If you might reuse
                    the device, deactivate the SIM instead.</p>
                    """,
                    title="Retirement is permanent",
                ),
                h2("Allowed transitions"),
                table(
                    [
                        ["From", "You can move it to"],
                        ["Inventory", "Test ready, Activation ready, Activated, Retired"],
                        ["Test ready", "Activation ready, Activated, Deactivated"],
                        ["Activation ready", "Activated, Deactivated"],
                        ["Activated", "Deactivated"],
                        ["Deactivated", "Activated, Retired"],
                        ["Retired", "(none)"],
                    ],
                    caption="State changes you can make",
                ),
                p(
                    """
                    <p>Some rate plans have a minimum term: a SIM that is deactivated before
                    it has been active for the minimum number of months is billed for the
                    remaining months on the next invoice. The rate plan's detail page in the
                    portal shows whether a minimum term applies.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "sim-identifiers-iccid-imsi-imei",
            "title": "ICCID, IMSI, MSISDN, IMEI and EID explained",
            "kind": "guide",
            "difficulty": "intermediate",
            "area": "sims",
            "tags": ["sim", "iccid", "imsi", "imei", "at-commands"],
            "reviewed_days_ago": 160,
            "summary": (
                "The identifiers you will meet in the portal, the API and support tickets, what "
                "each one identifies, and the AT commands that read them from a module."
            ),
            "body": [
                p(
                    """
                    <p>A connected device carries several numbers. Support analysts will ask for
                    some of them when you open a ticket, and the API takes the ICCID as the key
                    for every SIM. Knowing which is which saves a round trip.</p>
                    """
                ),
                table(
                    [
                        ["Identifier", "Identifies", "Length", "Example"],
                        ["ICCID", "The SIM card or chip", "19-20 digits", "8988303000001234568"],
                        ["IMSI", "The subscription on the network", "15 digits", "901990000123456"],
                        ["MSISDN", "The phone number (for SMS)", "Up to 15 digits", "+15550100123"],
                        ["IMEI", "The device's cellular module", "15 digits", "866425030123451"],
                        [
                            "EID",
                            "An eUICC (eSIM) chip",
                            "32 digits",
                            "89049032000001000000012345678912",
                        ],
                    ],
                    caption="Identifiers and what they belong to",
                ),
                h2("ICCID: the SIM"),
                p(
                    """
                    <p>The Integrated Circuit Card Identifier is printed on the SIM and stored
                    on it. It starts with <code>89</code> (telecommunications), followed by a
                    country or industry code and the issuer. The last digit is a Luhn check
                    digit, which the API validates: an ICCID with a typo is rejected with
                    <code>422 invalid_iccid</code> rather than <code>404</code>.</p>
                    """
                ),
                h2("IMSI: the subscription"),
                p(
                    """
                    <p>The International Mobile Subscriber Identity is what the network sees when
                    the device attaches. Its first three digits are the mobile country code
                    (MCC), the next two or three the mobile network code (MNC). Multi-IMSI SIMs
                    can hold several IMSIs and switch between them; the portal shows the IMSI
                    currently in use.</p>
                    """
                ),
                h2("MSISDN, IMEI and EID"),
                p(
                    """
                    <p>The <strong>MSISDN</strong> is the number used to address SMS to the
                    device. The <strong>IMEI</strong> belongs to the module, not the SIM: if a
                    SIM's IMEI changes, the SIM has been moved to another device. The
                    <strong>EID</strong> identifies an eUICC that can hold several downloadable
                    SIM profiles.</p>
                    """
                ),
                h2("Reading identifiers with AT commands"),
                p(
                    """
                    <p>These commands are standardised in 3GPP TS 27.007, except the ICCID,
                    for which most vendors have their own command (<code>AT+QCCID</code> on
                    Quectel, <code>AT+CCID</code> on u-blox and SIMCom, <code>AT+ICCID</code>
                    on Telit).</p>
                    """
                ),
                code(
                    "at",
                    """
                    AT+CIMI
                    901990000123456

                    OK
                    AT+CGSN
                    866425030123451

                    OK
                    AT+CCID
                    +CCID: 8988303000001234568

                    OK
                    AT+CNUM
                    +CNUM: "","+15550100123",145

                    OK
                    """,
                    filename="reading-identifiers.txt",
                ),
                callout(
                    "note",
                    """
                    <p><code>AT+CNUM</code> returns the MSISDN only if it was written to the SIM.
                    Many IoT SIMs leave it blank; the portal and the API always have it.</p>
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>When you open a ticket about a device, include the ICCID and the IMEI.
                    With both, an analyst can find the SIM, its network events and whether it
                    has moved between devices without asking you again.</p>
                    """,
                ),
            ],
        },
    ],
}
