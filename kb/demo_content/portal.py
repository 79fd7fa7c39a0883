"""Customer portal: users and roles, alerts, usage reports and automation rules."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, code, h2, p, steps, table

SECTION = {
    "slug": "customer-portal",
    "title": "Customer portal",
    "intro": (
        "<p>The customer portal is where you manage SIMs, watch your fleet and control "
        "costs. These guides cover users and roles, alerts that warn you before a problem "
        "becomes a bill, scheduled usage reports and rules that act on their own.</p>"
    ),
    "pages": [
        {
            "type": "article",
            "slug": "portal-users-and-roles",
            "title": "Portal users, roles and two-factor sign-in",
            "kind": "guide",
            "difficulty": "beginner",
            "area": "portal",
            "tags": ["portal", "users", "security", "sim"],
            "reviewed_days_ago": 64,
            "summary": (
                "Invite colleagues, give each the least powerful role that does the job, and "
                "require two-factor authentication for everyone who can change SIM states."
            ),
            "body": [
                p(
                    """
                    <p>Every person who uses the portal should have their own login. Shared
                    logins make the audit log useless and cannot be protected with two-factor
                    authentication. Account admins invite users under <strong>Settings &rarr;
                    Users</strong>.</p>
                    """
                ),
                h2("Roles"),
                table(
                    [
                        ["Role", "Can", "Cannot"],
                        ["Viewer", "See SIMs, sessions, usage and reports", "Change anything"],
                        [
                            "SIM manager",
                            "Change SIM states and rate plans, send SMS",
                            "Order SIMs, manage users or API keys",
                        ],
                        ["Purchasing", "Order SIMs, see invoices", "Change SIM states"],
                        [
                            "Developer",
                            "Create and revoke API keys and webhooks",
                            "Order SIMs, manage users",
                        ],
                        [
                            "Account admin",
                            "Everything, including users and the support plan",
                            "(nothing)",
                        ],
                    ],
                    caption="Portal roles",
                ),
                callout(
                    "tip",
                    """
                    <p>Give your support desk the <em>Viewer</em> role: it can see everything it
                    needs to triage a device problem without being able to deactivate SIMs by
                    mistake.</p>
                    """,
                ),
                h2("Invite a user"),
                steps(
                    (
                        "Open Settings, Users",
                        "<p>Choose <strong>Invite user</strong> and enter their work e-mail.</p>",
                    ),
                    (
                        "Choose roles",
                        "<p>A user can have several roles; permissions add up.</p>",
                    ),
                    (
                        "Send the invitation",
                        "<p>The link is valid for 72 hours. The user sets a password and, if "
                        "your account requires it, two-factor authentication.</p>",
                    ),
                ),
                h2("Require two-factor authentication"),
                p(
                    """
                    <p>Under <strong>Settings &rarr; Security</strong>, turn on <em>Require
                    two-factor authentication</em>. Users without it are asked to set up an
                    authenticator app at their next sign-in and cannot skip the step. Each user
                    gets ten single-use recovery codes; store them in your password
                    manager.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>If someone leaves your company, remove their user the same day. API keys
                    they created keep working until revoked: check <strong>Settings &rarr; API
                    keys</strong> for keys with their name as the creator. See
                    <a href="/api-webhooks/api-keys/">Managing API keys</a>.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "usage-alerts",
            "title": "Setting up usage and connectivity alerts",
            "kind": "tutorial",
            "difficulty": "beginner",
            "area": "portal",
            "tags": ["alerts", "portal", "usage", "data", "webhooks"],
            "reviewed_days_ago": 15,
            "summary": (
                "Create alerts for data and SMS usage, devices that go silent and SIMs that "
                "change device, and deliver them by e-mail or webhook."
            ),
            "body": [
                p(
                    """
                    <p>Alerts watch your SIMs and tell you when something crosses a threshold.
                    They do not change anything by themselves (that is what
                    <a href="/customer-portal/automation-rules/">automation rules</a> are for),
                    so you can be generous with them.</p>
                    """
                ),
                h2("Alert types"),
                table(
                    [
                        ["Alert", "Fires when", "Good starting threshold"],
                        [
                            "Data usage per SIM",
                            "A SIM's usage in a day or cycle exceeds a limit",
                            "2x the normal daily usage",
                        ],
                        [
                            "Data usage per group",
                            "A group's total in the bill cycle exceeds a limit",
                            "80% of the pool",
                        ],
                        ["SMS usage", "A SIM sends more SMS than the limit in a day", "3x normal"],
                        [
                            "No activity",
                            "A SIM has had no session for a period",
                            "3x the reporting interval",
                        ],
                        ["IMEI changed", "A SIM appears in a different device", "Always on"],
                        [
                            "Session count",
                            "A SIM opens too many sessions in an hour",
                            "10 per hour",
                        ],
                    ],
                    caption="Alerts you can create",
                ),
                h2("Create an alert"),
                steps(
                    (
                        "Open Alerts",
                        "<p><strong>Monitoring &rarr; Alerts &rarr; New alert</strong>.</p>",
                    ),
                    (
                        "Choose the type and scope",
                        "<p>Apply it to all SIMs, a group (for example <em>Meters - "
                        "Germany</em>) or a single SIM. Alerts on groups also cover SIMs "
                        "added to the group later.</p>",
                    ),
                    (
                        "Set the threshold and the period",
                        "<p>For example, 5 MB per SIM per day. The portal shows how many SIMs "
                        "would have triggered the alert in the last 30 days, so you can "
                        "tune it before saving.</p>",
                    ),
                    (
                        "Choose who hears about it",
                        "<p>E-mail to users or a distribution list, and/or the "
                        "<code>alert.triggered</code> webhook for your own tools.</p>",
                    ),
                ),
                callout(
                    "note",
                    """
                    <p>Usage alerts are evaluated every 15 minutes on the usage records
                    received so far. For roaming SIMs, records can arrive hours late, so an
                    alert may fire some time after the usage happened.</p>
                    """,
                ),
                h2("Alerts as webhooks"),
                code(
                    "json",
                    """
                    {
                      "id": "evt_01JCB0Q2R5D8MN",
                      "type": "alert.triggered",
                      "created_at": "2026-11-21T03:15:00Z",
                      "data": {
                        "alert_id": "alr_7Hk2pQ",
                        "alert_name": "Meters: more than 5 MB a day",
                        "iccid": "8988303000001234576",
                        "metric": "data_bytes_day",
                        "threshold": 5242880,
                        "value": 18874368
                      }
                    }
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>Send webhook alerts into your incident tool (PagerDuty, Opsgenie, a Slack
                    channel) rather than to personal inboxes: alerts at 3 a.m. need an on-call
                    rota, not whoever set them up.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "usage-reports",
            "title": "Usage reports and exports",
            "kind": "guide",
            "difficulty": "beginner",
            "area": "portal",
            "tags": ["reports", "portal", "usage", "billing"],
            "reviewed_days_ago": 200,
            "summary": (
                "Run and schedule usage reports by SIM, group, network and country, and export "
                "them as CSV for your own billing or analysis."
            ),
            "body": [
                p(
                    """
                    <p>Reports answer the questions alerts raise: who used the data, where, and
                    whether it is a trend. Open <strong>Reports</strong> to run one now, or
                    schedule it to arrive by e-mail every day, week or bill cycle.</p>
                    """
                ),
                h2("Available reports"),
                table(
                    [
                        ["Report", "Shows", "Use it to"],
                        [
                            "Usage by SIM",
                            "Data, SMS-MO and SMS-MT per SIM",
                            "Find the heaviest users",
                        ],
                        [
                            "Usage by group",
                            "Totals per SIM group",
                            "Charge usage to your own customers",
                        ],
                        [
                            "Usage by network",
                            "Usage per country and network",
                            "Check roaming costs",
                        ],
                        ["SIM states", "Count of SIMs per state over time", "Forecast your bill"],
                        [
                            "Inactive SIMs",
                            "Activated SIMs without a session in N days",
                            "Deactivate forgotten SIMs",
                        ],
                    ],
                    caption="Reports in the portal",
                ),
                h2("Schedule a report"),
                steps(
                    (
                        "Run the report once",
                        "<p>Choose the filters and columns you want and check the result.</p>",
                    ),
                    (
                        "Save and schedule",
                        "<p>Choose <strong>Schedule</strong>, the frequency and the "
                        "recipients. Reports are generated at 06:00 in the account's time "
                        "zone.</p>",
                    ),
                ),
                h2("CSV columns"),
                code(
                    "text",
                    """
                    date,iccid,imsi,msisdn,group,rate_plan,country,network,data_bytes_up,data_bytes_down,sms_mo,sms_mt,sessions
                    2026-11-20,8988303000001234568,901990000123456,15550100123,Meters - Germany,iot-pool-1gb,DE,26201,48211,30144,2,1,4
                    """,
                    filename="usage-by-sim-2026-11-20.csv",
                ),
                callout(
                    "info",
                    """
                    <p>Reports use the same usage records as invoices, but an invoice is only
                    final after the bill cycle closes and late roaming records have
                    arrived (up to 48 hours). Small differences between a report run mid-cycle
                    and the invoice are expected.</p>
                    """,
                ),
                callout(
                    "tip",
                    """
                    <p>Prefer the API for automation: <code>GET /v1/usage?group_by=sim&amp;from=2026-11-01</code>
                    returns the same data as JSON, page by page.</p>
                    """,
                ),
            ],
        },
        {
            "type": "article",
            "slug": "automation-rules",
            "title": "Automation rules: acting on usage and events",
            "kind": "tutorial",
            "difficulty": "intermediate",
            "area": "portal",
            "tags": ["rules", "portal", "alerts", "usage", "sim"],
            "reviewed_days_ago": 85,
            "summary": (
                "Rules combine a trigger, conditions and actions: block data at a usage cap, "
                "lock SIMs to their device, move SIMs between rate plans, and call your "
                "webhook."
            ),
            "body": [
                p(
                    """
                    <p>An automation rule is an alert that acts. When its trigger fires and its
                    conditions hold, it runs its actions on the SIM, within a minute and at
                    any hour. Rules are the safety net that keeps a faulty device from
                    running up a bill overnight.</p>
                    """
                ),
                h2("Anatomy of a rule"),
                table(
                    [
                        ["Part", "Examples"],
                        [
                            "Trigger",
                            "Usage crosses a threshold; IMEI changes; state changes; first session",
                        ],
                        [
                            "Conditions",
                            "SIM is in group X; network country is not in a list; rate plan is Y",
                        ],
                        [
                            "Actions",
                            "Block data; unblock at cycle start; change state; change rate plan; send SMS; call webhook; e-mail",
                        ],
                    ],
                    caption="Parts of a rule",
                ),
                h2("Recipe: a daily usage cap"),
                steps(
                    (
                        "Create the rule",
                        "<p><strong>Monitoring &rarr; Rules &rarr; New rule</strong>. Name it "
                        "<em>Block data over 50 MB a day</em>.</p>",
                    ),
                    (
                        "Trigger",
                        "<p><em>Data usage per SIM</em>, period <em>day</em>, threshold "
                        "<code>50 MB</code>.</p>",
                    ),
                    (
                        "Actions",
                        "<p><em>Block data</em> and <em>E-mail</em> the fleet team. Add "
                        "<em>Unblock at the start of the next period</em> so devices recover "
                        "by themselves.</p>",
                    ),
                    (
                        "Test it",
                        "<p>Use <strong>Dry run</strong>: the portal lists the SIMs the rule "
                        "would have acted on in the last 30 days without changing anything.</p>",
                    ),
                ),
                h2("Recipe: lock SIMs to their device"),
                p(
                    """
                    <p>Trigger <em>IMEI changed</em>, condition <em>group is Meters</em>,
                    actions <em>Change state to Deactivated</em> and <em>Call webhook</em>. A SIM
                    taken out of a meter and put into a phone is cut off within a minute, and
                    your system hears about it.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>If you replace modules in the field, IMEI lock rules will deactivate the
                    SIMs of repaired devices too. Move the device to a <em>Maintenance</em>
                    group before the repair, and back afterwards.</p>
                    """,
                ),
                callout(
                    "danger",
                    """
                    <p>Never use <em>Change state to Retired</em> as a rule action. Retirement
                    is permanent, and a rule that misfires would retire SIMs you cannot
                    bring back.</p>
                    """,
                    title="Do not retire SIMs automatically",
                ),
                h2("Rules and the API"),
                p(
                    """
                    <p>Every rule action is recorded in the SIM's history with the rule's name,
                    and a <code>rule.executed</code> webhook event is sent if you subscribe to
                    it. Rules can be listed and switched on or off with
                    <code>GET /v1/rules</code> and <code>PATCH /v1/rules/{id}</code>:</p>
                    """
                ),
                code(
                    "bash",
                    """
                    curl -X PATCH "https://api.example-iot.com/v1/rules/rul_3Fq9Lm" \\
                      -H "Authorization: Bearer $EXAMPLE_IOT_API_KEY" \\
                      -H "Content-Type: application/json" \\
                      -d '{"enabled": false}'
                    """,
                ),
            ],
        },
    ],
}
