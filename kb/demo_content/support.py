"""Support: the Community and Infinity plans, severity levels, tickets, escalation, hours."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, h2, h3, p, steps, table

SECTION = {
    "slug": "support-plans",
    "title": "Support",
    "intro": (
        "<p>How to get help and what to expect: the free Community plan and the paid "
        "Infinity plan, how severity levels are set, how to open a ticket that gets solved "
        "quickly, escalation, business hours and what support does not cover.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "community-and-infinity-support",
            "title": "Community and Infinity support: what each plan includes",
            "kind": "support_topic",
            "difficulty": "beginner",
            "area": "support",
            "tags": ["support", "infinity", "community", "tickets"],
            "reviewed_days_ago": 10,
            "summary": (
                "Every customer gets Community support for free: this Resource Center and the "
                "staff-monitored community forum. Infinity support adds tickets, a phone line "
                "for urgent issues, response times and proactive notifications."
            ),
            "body": [
                p(
                    """
                    <p>There are two support plans. <strong>Community</strong> support is
                    included with every account at no extra cost. <strong>Infinity</strong>
                    support is a monthly subscription for teams that need guaranteed response
                    times and direct access to trained support analysts. Your organisation's
                    account admin can switch plans at any time on the
                    <a href="/support/plans/">plans page</a>.</p>
                    """
                ),
                table(
                    [
                        ["", "Community (free)", "Infinity (monthly fee)"],
                        ["Resource Center: guides, code samples, videos", "Yes", "Yes"],
                        ["Community forum, monitored by support staff", "Yes", "Yes"],
                        ["Open tickets by web and e-mail", "No", "Yes, 24x7"],
                        ["Phone", "No", "Severity 1-2, 24x7"],
                        ["Automated acknowledgement with case number", "-", "Within 5 minutes"],
                        ["Analyst response", "-", "Within 12 business hours"],
                        [
                            "Business hours for Severity 3-4",
                            "-",
                            "8AM-8PM Mon-Fri, US Central or Central European time",
                        ],
                        [
                            "Device troubleshooting allowance",
                            "-",
                            "Up to 1 hour or 3 cases per month",
                        ],
                        ["Provisioning assistance allowance", "-", "Up to 1 hour per month"],
                        [
                            "Proactive problem notification",
                            "-",
                            "Within 30 minutes for Severity 2 or higher",
                        ],
                        ["Promote a forum thread to a private ticket", "-", "Yes"],
                    ],
                    caption="What each support plan includes",
                ),
                h2("Community support"),
                p(
                    """
                    <p>Community support is self-service, backed by people. This Resource Center
                    covers every stage of a device's life, from ordering SIMs to troubleshooting
                    in the field. When you cannot find an answer, ask in the
                    <a href="/community/">community forum</a>: other customers answer, and our
                    support analysts monitor it and step in with answers marked as staff
                    answers. There are no response-time commitments on the forum.</p>
                    """
                ),
                h2("Infinity support"),
                p(
                    """
                    <p>Infinity adds a help desk staffed by analysts trained in everything from
                    SIM provisioning to network operations. You open <strong>tickets</strong>
                    (service requests) on the web or by e-mail at any time; every ticket is
                    acknowledged with a case number within 5 minutes, and an analyst responds
                    within 12 business hours. For Severity 1 and 2 issues there is a phone line
                    that is staffed around the clock, and we notify you proactively within 30
                    minutes of any network issue of Severity 2 or higher.</p>
                    <p>Infinity also includes ad-hoc help-desk or sales-engineering assistance
                    while you provision and set up your first test devices, and access to
                    every monitoring and reporting tool in the portal.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>On Infinity, a forum thread that turns out to involve your account's
                    private details can be promoted to a private ticket by an analyst, keeping
                    the whole conversation.</p>
                    """,
                ),
                h2("Allowances"),
                p(
                    """
                    <p>The Infinity fee includes up to <strong>1 hour or 3 cases per month</strong>
                    of device status and troubleshooting work, and up to <strong>1 hour per
                    month</strong> of provisioning assistance. Network problems on our side never
                    count against the allowance. Beyond it, or for work outside the support
                    policy, we offer professional services for a quoted fee; see
                    <a href="/support-plans/business-hours-and-exclusions/">Business hours and
                    exclusions</a>.</p>
                    """
                ),
                callout(
                    "note",
                    """
                    <p>Each organisation names one <strong>point of contact</strong> who receives
                    information about all of its tickets and passes it on internally. Support
                    also expects the people who open tickets to know your devices, your
                    application and how they use the network.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "severity-levels",
            "title": "Severity levels: how urgent is my issue?",
            "kind": "support_topic",
            "difficulty": "beginner",
            "area": "support",
            "tags": ["support", "severity", "tickets", "infinity"],
            "reviewed_days_ago": 10,
            "summary": (
                "The four severity levels, with examples, how an analyst sets the level, and "
                "what to do if you disagree."
            ),
            "body": [
                p(
                    """
                    <p>Every ticket has a severity level from 1 (most urgent) to 4. The level
                    decides how you can reach us, whether the clock runs around the clock or in
                    business hours, and who is told about your issue. When you open a ticket,
                    give your good-faith estimate of the level; an analyst then makes the
                    determination and tells you.</p>
                    """
                ),
                table(
                    [
                        ["Level", "Definition", "Examples"],
                        [
                            "Severity 1",
                            "Services are down, either generally or in several markets "
                            "(geographic areas), or connectivity between your systems and ours "
                            "is broken.",
                            "No device in two countries can open a data session; your VPN "
                            "tunnel to our core is down.",
                        ],
                        [
                            "Severity 2",
                            "An impairment severely affects the performance of many units, one "
                            "market is down (no traffic passes) or impaired (functions "
                            "unavailable or degraded), or provisioning or device management is "
                            "impaired.",
                            "All devices in one country lose data; SIM activations through the "
                            "API fail for everyone.",
                        ],
                        [
                            "Severity 3",
                            "Severe impact on the performance of one unit or a small number of "
                            "units (less than 2% of your deployed units).",
                            "Five meters out of two thousand cannot register; one gateway keeps "
                            "dropping its session.",
                        ],
                        [
                            "Severity 4",
                            "A question or information request with no impairment of service: "
                            "how something works, a traffic report, a ticket update, maintenance "
                            "windows, login help, a suggestion.",
                            "How do I set up eDRX? Please reset my portal login. Could reports "
                            "include the cell ID?",
                        ],
                    ],
                    caption="Severity levels",
                ),
                h2("What the level changes"),
                table(
                    [
                        ["", "Severity 1", "Severity 2", "Severity 3", "Severity 4"],
                        ["Web and e-mail tickets", "24x7", "24x7", "24x7", "24x7"],
                        ["Phone", "24x7", "24x7", "No", "No"],
                        [
                            "Analysts work on it",
                            "Around the clock",
                            "Around the clock",
                            "Business hours",
                            "Business hours",
                        ],
                        ["Escalation", "Immediate", "Immediate", "None", "None"],
                        [
                            "Proactive notification",
                            "Within 30 minutes",
                            "Within 30 minutes",
                            "-",
                            "-",
                        ],
                    ],
                    caption="Infinity support by severity",
                ),
                callout(
                    "warning",
                    """
                    <p>Please do not rate an issue higher to get a faster answer. Analysts
                    check the level against our network monitoring and your deployment size,
                    and an over-rated ticket is re-rated, which takes time away from
                    investigating it.</p>
                    """,
                ),
                h2("If you disagree with the level"),
                p(
                    """
                    <p>Your estimate stays on the ticket next to the analyst's determination.
                    If you think the level is wrong, for example because more devices are now
                    affected, use <strong>Dispute severity</strong> on the ticket or reply
                    asking your analyst to consult with you. Explain the impact in numbers:
                    devices affected, as a share of your fleet, and in which markets.</p>
                    """
                ),
                h3("Estimating the share of affected units"),
                p(
                    """
                    <p>The 2% boundary between Severity 2 and 3 refers to your total deployed
                    units. A <a href="/customer-portal/usage-reports/">usage report</a> of
                    SIMs without a session in the last day, compared with your count of
                    activated SIMs, gives you the number quickly.</p>
                    """
                ),
            ],
        },
        {
            "type": "article",
            "slug": "opening-a-ticket",
            "title": "Opening a ticket that gets solved quickly",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "support",
            "tags": ["support", "tickets", "severity", "iccid", "troubleshooting"],
            "reviewed_days_ago": 25,
            "summary": (
                "Where to open a ticket, what to include so an analyst can start immediately, "
                "and what happens after you press Submit."
            ),
            "body": [
                p(
                    """
                    <p>Tickets are part of Infinity support. On the Community plan, ask in the
                    <a href="/community/">community forum</a> instead; analysts read it too.</p>
                    """
                ),
                h2("Choose the channel"),
                table(
                    [
                        ["Channel", "When", "How"],
                        ["Web", "Any severity, 24x7", "Support → Tickets → New ticket"],
                        ["E-mail", "Any severity, 24x7", "support@example.com"],
                        ["Phone", "Severity 1 and 2 only, 24x7", "+1 800 555 0100"],
                    ],
                    caption="Ways to open a ticket",
                ),
                callout(
                    "tip",
                    """
                    <p>For Severity 1 or 2, open the ticket on the web <em>and</em> call: the
                    web ticket carries your details and logs, the call gets an analyst on it
                    straight away. Quote the case number on the phone.</p>
                    """,
                ),
                h2("What to include"),
                steps(
                    (
                        "Which devices",
                        "<p>ICCIDs (and IMEIs) of affected devices, or the group, and how many "
                        "of your deployed units are affected.</p>",
                    ),
                    (
                        "When it started",
                        "<p>The time of the incident with its time zone, and whether it is "
                        "continuous or intermittent.</p>",
                    ),
                    (
                        "What you see",
                        "<p>The conditions at the time: error messages, AT command output "
                        "(<code>AT+CEREG?</code>, <code>AT+COPS?</code>, <code>AT+CSQ</code>, "
                        "<code>AT+CEER</code>), API <code>request_id</code>s, and what changed "
                        "recently (firmware, server, location).</p>",
                    ),
                    (
                        "Your severity estimate",
                        "<p>Your good-faith estimate of the severity level, with the impact "
                        'in numbers. See <a href="/support-plans/severity-levels/">Severity '
                        "levels</a>.</p>",
                    ),
                ),
                callout(
                    "danger",
                    """
                    <p>Never include API key secrets, webhook signing secrets or portal
                    passwords in a ticket. Analysts never need them and will never ask for
                    them. Refer to keys by their ID (<code>key_...</code>).</p>
                    """,
                    title="No secrets in tickets",
                ),
                h2("What happens next"),
                p(
                    """
                    <ol>
                    <li>Within 5 minutes you receive an automated acknowledgement with your
                    case number.</li>
                    <li>An analyst determines the severity level and tells you, with a
                    description of the actions under way and an estimated time to
                    resolution. Analysts respond within 12 business hours; Severity 1 and 2
                    are worked around the clock.</li>
                    <li>Your analyst owns the ticket until it is resolved: finding the root
                    cause and bringing about the fix. If the cause lies between us, your
                    device maker and your application provider, the analyst tells you and
                    works with you on a joint investigation.</li>
                    <li>When the issue is resolved, the ticket is closed. If the problem comes
                    back, open a new ticket and quote the old case number so the analyst has
                    the history.</li>
                    </ol>
                    """
                ),
                callout(
                    "info",
                    """
                    <p>You can follow every ticket of your organisation, reply and escalate
                    under <a href="/support/tickets/">Support &rarr; Tickets</a>.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "escalation-and-notifications",
            "title": "Escalation and proactive problem notifications",
            "kind": "support_topic",
            "difficulty": "intermediate",
            "area": "support",
            "tags": ["support", "escalation", "severity", "infinity"],
            "reviewed_days_ago": 180,
            "summary": (
                "How Severity 1 and 2 issues escalate inside our organisation, how to request "
                "an escalation yourself, and when we notify you of network problems before you "
                "notice them."
            ),
            "body": [
                p(
                    """
                    <p>Escalation makes sure the right people know about serious issues and
                    that the right procedures are followed. For Severity 1 and 2 it happens
                    automatically; you can also ask for it on any ticket.</p>
                    """
                ),
                h2("Automatic escalation"),
                table(
                    [
                        ["Severity", "First escalation", "Second escalation"],
                        [
                            "Severity 1",
                            "Help desk to Director of Operations and VP of Operations: immediately",
                            "Operations to VP of Engineering: within 1 hour",
                        ],
                        [
                            "Severity 2",
                            "Help desk to Director of Operations: immediately",
                            "Director of Operations to VP of Operations: within 2 hours",
                        ],
                        ["Severity 3 and 4", "None", "None"],
                    ],
                    caption="Escalation path",
                ),
                h2("Requesting an escalation"),
                p(
                    """
                    <p>If you are not satisfied with progress on any ticket, choose
                    <strong>Request escalation</strong> on it, or ask your analyst to notify an
                    escalation contact. The escalation contact reviews the facts of your
                    incident, checks that the proper procedures are being followed and that
                    actions are under way to resolve it in time, and replies on the
                    ticket.</p>
                    """
                ),
                callout(
                    "note",
                    """
                    <p>Escalating does not change the severity level. If the impact has grown,
                    dispute the severity as well, with the new numbers.</p>
                    """,
                ),
                h2("Proactive problem notifications"),
                p(
                    """
                    <p>Our network operations centre watches the network and our partners'
                    networks around the clock. When we become aware of a service-affecting
                    issue, Infinity customers get an e-mail notification with a severity
                    level: <strong>within 30 minutes</strong> for any issue of Severity 2 or
                    higher. If the issue gets worse, so does its severity, and so do the
                    resources working on it; you get an update each time.</p>
                    <p>You can reply to a notification or call the help desk to add details
                    about how the issue affects your devices.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>Make sure your point of contact's e-mail goes to a shared mailbox or an
                    on-call tool, not one person's inbox: notifications arrive at any
                    hour.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "business-hours-and-exclusions",
            "title": "Business hours, response times and what support does not cover",
            "kind": "support_topic",
            "difficulty": "beginner",
            "area": "support",
            "tags": ["support", "business-hours", "exclusions", "tickets", "infinity"],
            "reviewed_days_ago": 380,
            "summary": (
                "Support hours in the US and Europe, how business hours count towards the "
                "12-hour response time, and the issues outside the support policy that become "
                "quoted professional services."
            ),
            "body": [
                h2("Hours of operation"),
                table(
                    [
                        ["", "Severity 1-2", "Severity 3-4"],
                        [
                            "US customers",
                            "24x7",
                            "8AM-8PM US Central time (CST/CDT), Monday to Friday",
                        ],
                        [
                            "European customers",
                            "24x7",
                            "8AM-8PM Central European time (CET/CEST), Monday to Friday",
                        ],
                    ],
                    caption="Infinity support hours",
                ),
                p(
                    """
                    <p>Your organisation's region (US or Europe) is set on its support settings
                    and decides which business-hours calendar its Severity 3 and 4 tickets use.
                    Public holidays in the support centre's location are not business
                    days.</p>
                    """
                ),
                h2("How business hours count"),
                p(
                    """
                    <p>The 12 business hour response time only counts hours inside the
                    calendar. A Severity 3 ticket opened by a European customer on Friday at
                    18:00 CET has two business hours left that day; the clock stops at 20:00
                    and resumes on Monday at 08:00, so the response is due by Monday 18:00
                    CET. The acknowledgement e-mail still arrives within 5 minutes, at any
                    hour.</p>
                    """
                ),
                callout(
                    "info",
                    """
                    <p>Severity 1 and 2 tickets are worked around the clock. If a Severity 3
                    ticket is re-rated to Severity 2, it moves to the 24x7 clock from that
                    moment.</p>
                    """,
                ),
                h2("Exclusions"),
                p(
                    """
                    <p>Support covers the operation of your devices and applications on our
                    network and your use of the portal and the API. It does not cover:</p>
                    <ul>
                    <li>Issues not related to our network or to systems within our
                    control.</li>
                    <li>Problems you would have avoided by implementing updates to the device
                    and application requirements published in the portal.</li>
                    <li>Problems caused by activities of yours, or of your customers or users,
                    on networks or systems, unless we approved them in advance.</li>
                    <li>Changes to your device hardware or services made without following
                    the published requirements.</li>
                    <li>Using the network services other than as specified, including not
                    using the APIs we specify.</li>
                    <li>Issues with a device or application not related to the operation of
                    our services, including accidents, negligence or misuse of a device.</li>
                    </ul>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>If you open a ticket for an issue you know is excluded, we may invoice
                    the assistance at our usual service fees. When an analyst finds that an
                    issue is excluded, they tell you, share what information they have and
                    suggest next steps before any fee-based work starts.</p>
                    """,
                ),
                h2("Professional services"),
                p(
                    """
                    <p>For work outside the support policy, or beyond your plan's monthly
                    allowances, you can request fee-based professional services. We send a
                    quote first, and work starts only if you accept it. You can accept or
                    decline a quote directly on the ticket. For long-running projects you can
                    also ask for an IoT specialist assigned to your account, on our premises
                    or yours.</p>
                    """
                ),
            ],
        },
    ],
}
