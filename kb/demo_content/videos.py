"""Training videos: each with chapters and a full transcript (the transcript is searchable)."""

# Prose, tables and code samples keep their natural line lengths.
# ruff: noqa: E501

from kb.demo_content.builders import callout, h2, p

SECTION = {
    "slug": "training-videos",
    "title": "Training videos",
    "intro": (
        "<p>Short, practical training videos recorded by our support analysts. Every video "
        "has chapters and a full transcript, so you can skim, search, or read instead of "
        "watching.</p>"
    ),
    "pages": [
        {
            "type": "video",
            "slug": "activating-sims-in-the-portal",
            "title": "Activating SIMs in the portal and with the API",
            "video_url": "https://www.youtube.com/watch?v=Qx7dT2sim01",
            "duration": "00:08:42",
            "area": "sims",
            "tags": ["sim", "activation", "lifecycle", "portal", "api"],
            "reviewed_days_ago": 14,
            "summary": (
                "A walk-through of the SIM lifecycle, activating a single SIM in the portal, "
                "activating a batch with a CSV upload, and the same with one API call."
            ),
            "chapters": [
                ("00:00", "Introduction"),
                ("00:48", "The SIM lifecycle in two minutes"),
                ("02:55", "Activating one SIM in the portal"),
                ("04:30", "Activating a batch with a CSV upload"),
                ("06:10", "Activating with the API"),
                ("07:50", "Checking the first session"),
            ],
            "body": [
                p(
                    """
                    <p>In this video Priya from our onboarding team activates SIMs three ways:
                    one at a time in the portal, in bulk with a CSV upload, and from code with the
                    API. It is aimed at people setting up their first devices; no prior
                    experience with the portal is needed.</p>
                    """
                ),
                h2("What you will learn"),
                p(
                    """
                    <ul>
                    <li>What the six lifecycle states mean for billing and connectivity</li>
                    <li>When to use <em>Activation ready</em> instead of activating straight
                    away</li>
                    <li>How to activate hundreds of SIMs at once without the API</li>
                    <li>How to confirm that a newly activated device has a data session</li>
                    </ul>
                    """
                ),
                callout(
                    "info",
                    """
                    <p>Prefer reading? The same steps are in
                    <a href="/getting-started/activating-your-first-sim/">Activating your first
                    SIM</a> and <a href="/getting-started/sim-lifecycle-states/">SIM lifecycle
                    states</a>.</p>
                    """,
                ),
            ],
            "transcript": """
Hi, I'm Priya, and I work on the onboarding team. In the next nine minutes we'll take a box of brand-new SIM cards and get them working: first one SIM in the customer portal, then a whole batch with a CSV upload, and finally the same thing from your own code with the API. At the end we'll check that a device really has a data session, because "activated" and "online" are not the same thing.

Let's start with the lifecycle, because the state a SIM is in decides two things: whether it can connect, and whether you pay for it. New SIMs arrive in Inventory. In Inventory the network refuses them, and they cost nothing. Test ready lets a device connect with a small test allowance, five megabytes and twenty SMS, for up to ninety days, so your factory can test every unit before shipping. Activation ready is the one people overlook: the SIM isn't billed, but the first time the device uses the network, it activates itself. That's perfect for devices that sit in a warehouse for months. Activated is normal service: a monthly fee plus usage. Deactivated cuts the connection but keeps the SIM, so you can bring it back later. And Retired is permanent. Once a SIM is retired, nobody, not even support, can bring it back.

Now let's activate one SIM. I'm in the portal, on the SIMs page. I'll paste the ICCID from the card carrier into the search box: it's the long number starting with eight nine. Here's the SIM, in the Inventory state. I open it, and on the right you can see the rate plan selector. Our account has a one-gigabyte data pool, so I choose the pooled plan. Now Change state, Activated, and confirm. The history at the bottom already shows "Inventory to Activated", with my name and the time. The change reaches the network within about a minute.

Most of you won't be activating SIMs one at a time, so let's do a batch. On the SIMs page, I choose Bulk actions, then Upload CSV. The file needs just one column with the header iccid; you can add a rate_plan column if different SIMs go on different plans. I'll upload this file with two hundred ICCIDs. The portal checks every line first: here it tells me two ICCIDs have a wrong check digit, probably typos, and one SIM isn't in our account. I can download those three lines, fix them later, and go ahead with the other one hundred and ninety-seven. The job runs in the background, and I get an e-mail when it finishes.

If activation is part of your own provisioning flow, use the API. This is one POST request to the SIM's activate endpoint, with the rate plan in the body and the API key in the Authorization header. Notice the Idempotency-Key header: if my script crashes and I run it again with the same key, the API returns the first result instead of doing anything twice. The response shows the new state and the previous one. If the SIM were retired, I'd get a 409 Conflict with a clear error code, which my code should handle.

Finally, let's make sure the device is online. I've put the SIM in this development board and powered it up. Back in the portal, the Network panel now says Registered, and on the Sessions tab there's an open session with the device's IP address. I'll send a test message from the board, and after a minute or two the byte counters move. That's a working device.

If the session doesn't appear, check the APN first. We have a separate video on APN configuration with AT commands, and the Troubleshooting section covers devices that won't register. Thanks for watching, and see you in the next video.
""",
        },
        {
            "type": "video",
            "slug": "apn-configuration-walkthrough",
            "title": "APN configuration with AT commands: a live walkthrough",
            "video_url": "https://www.youtube.com/watch?v=Kp4mW8apn22",
            "duration": "00:11:05",
            "area": "connectivity",
            "tags": ["apn", "at-commands", "lte-m", "nb-iot", "registration"],
            "reviewed_days_ago": 70,
            "summary": (
                "Watch a module go from power-on to an IP address: checking the SIM, setting "
                "the APN, reading registration states and fixing a wrong APN live."
            ),
            "chapters": [
                ("00:00", "What we are going to do"),
                ("01:05", "Connecting to the AT port"),
                ("02:20", "Checking the SIM"),
                ("03:40", "Setting the APN"),
                ("05:15", "Reading CEREG and COPS"),
                ("07:30", "A wrong APN, and how to spot it"),
                ("09:40", "Making it stick in firmware"),
            ],
            "body": [
                p(
                    """
                    <p>Marco from our support team connects to an LTE-M module over USB and
                    types every command live, including a deliberate mistake. Follow along with
                    any module that speaks standard 3GPP AT commands.</p>
                    """
                ),
                callout(
                    "tip",
                    """
                    <p>All commands from the video, with their expected responses, are in
                    <a href="/connectivity-apn/apn-configuration-with-at-commands/">APN
                    configuration with AT commands</a>.</p>
                    """,
                ),
            ],
            "transcript": """
Hello, I'm Marco from the support team. Most tickets we get about devices that won't connect come down to the same handful of settings, and the fastest way to understand them is to watch a module connect, step by step. So that's what we'll do: I've got an LTE-M development board on my desk, plugged into my laptop over USB, with one of our SIMs in it.

First, connecting. The board exposes several serial ports; on this one the AT port is the third. I'm opening it at 115200 baud. I type AT and press Enter, and the module answers OK. Good, we're talking. ATI tells me the manufacturer, the model and the firmware revision. Write that down: support will ask for the firmware version if anything goes wrong, because bugs in module firmware are more common than you'd think.

Next, I always type AT+CMEE=2. It makes the module print readable error messages instead of a bare ERROR, and it will save you hours. Now AT+CPIN?, and the module says READY: it has found the SIM and the SIM doesn't need a PIN. If you see "SIM not inserted" here, stop and look at the hardware, the card holder or the SIM-detect line, because nothing further will work.

Now the APN. On LTE the APN is used during the attach itself, so I set it with the radio off. AT+CFUN=0 turns the radio off. Then AT+CGDCONT=1, "IP", "iot.example". That defines PDP context one, IPv4, with our APN. I check it with AT+CGDCONT? and there it is. Now AT+CFUN=1 to turn the radio back on.

Let's watch it register. AT+CEREG=2 turns on registration reports with location information. The first query says 2, "searching". That's normal; the first scan after a new SIM can take a couple of minutes because the module goes through all its bands. And here comes an unsolicited +CEREG: 5, with a tracking area and cell ID, and access technology 7, which is LTE-M. Five means registered, roaming. People often think roaming means something is wrong, but our SIMs always show five, because they use partner networks everywhere. AT+COPS? shows the network name, and AT+CSQ gives a rough signal figure. Then AT+CGPADDR=1, and we have an IP address. Done.

Now the mistake I promised. I'm going to set the APN to the one from my previous provider, the kind of thing that happens when a device was tested with another SIM. Radio off, CGDCONT with the old APN, radio on. The module searches, and this time registration fails or, on some networks, it registers but no context comes up. AT+CEER shows the last error: ESM cause 27, missing or unknown APN. And if you look at the SIM in the portal, the Network events panel shows the same rejected session with the same cause. That's the first place to look whenever a device is registered but has no data.

Let's fix it: radio off, CGDCONT with iot.example, radio on, and within a minute we're back with an IP address.

Last point, and it's an important one. Some modules save CGDCONT in non-volatile memory, some don't, and some lose it after a firmware update. So don't rely on settings typed on a bench. Have your firmware send the APN at every boot, before it turns the radio on. It's two lines of code, and it prevents a whole category of field failures.

That's it for today. In the description you'll find the article with every command and the response you should expect. Thanks for watching.
""",
        },
        {
            "type": "video",
            "slug": "portal-alerts-and-rules",
            "title": "Portal alerts, reports and rules: controlling costs",
            "video_url": "https://www.youtube.com/watch?v=Rl9vB3alr47",
            "duration": "00:09:18",
            "area": "portal",
            "tags": ["alerts", "rules", "reports", "usage", "portal"],
            "reviewed_days_ago": 130,
            "summary": (
                "Set a usage alert, build a daily usage cap rule with a dry run, lock SIMs to "
                "their device, and schedule a weekly usage report."
            ),
            "chapters": [
                ("00:00", "Why alerts and rules"),
                ("01:10", "A daily usage alert"),
                ("03:05", "Turning the alert into a rule"),
                ("05:00", "Locking SIMs to their device"),
                ("06:45", "A weekly usage report"),
                ("08:20", "Recap"),
            ],
            "body": [
                p(
                    """
                    <p>Jonas from customer success shows the three portal tools that keep a
                    fleet's bill predictable, using a real-world example: a fleet of smart
                    meters that normally use about 2 MB a day each.</p>
                    """
                ),
                callout(
                    "note",
                    """
                    <p>Alerts and rules are available to users with the <em>SIM manager</em> or
                    <em>Account admin</em> role. See
                    <a href="/customer-portal/portal-users-and-roles/">Portal users and roles</a>.</p>
                    """,
                ),
            ],
            "transcript": """
Hi, I'm Jonas from customer success. Every month someone calls us about a bill that's ten times bigger than expected, and almost every time it's one of two things: a firmware update downloaded over cellular, or a device stuck in a retry loop. Today I'll show you the three tools in the portal that catch both before they cost you money: alerts, rules and reports.

Our example is a fleet of smart meters. Each meter normally uses about two megabytes a day. I'll start with an alert, because alerts only notify, they never change anything, so they're safe to experiment with. Monitoring, Alerts, New alert. Type: data usage per SIM. Scope: the group "Meters - Germany". Period: day. Threshold: five megabytes, a bit more than twice the normal usage. Before saving, look at this preview: it says that in the last thirty days this alert would have fired for three SIMs. That's a good sign the threshold is sensible; if it said three thousand, I'd set it higher. For delivery, I choose the fleet team's distribution list, and I also tick the webhook, which sends the alert into our on-call tool.

Alerts are great in office hours, but at three in the morning nobody reads e-mail. That's what rules are for. Monitoring, Rules, New rule. I'll call it "Block data over 50 megabytes a day". Trigger: data usage per SIM, per day, fifty megabytes. Action: block data. And I add a second action, unblock at the start of the next period, so a meter that had a bad day recovers by itself tomorrow. Blocking data doesn't deactivate the SIM: it stays registered, SMS still works, and you can still send it a command to fix itself. Now the important button: Dry run. It lists the SIMs this rule would have acted on in the last thirty days. One SIM, on the eleventh. Let me check that day... yes, that was the meter with the firmware bug. The rule would have stopped it at fifty megabytes instead of the two gigabytes it actually used. I'll save and enable it.

Second rule: locking SIMs to their device. Smart meter SIMs sometimes get taken out and put into a phone. The trigger is "IMEI changed", the condition is the meter group, and the actions are change state to Deactivated and call our webhook. One warning: if your technicians replace modules in the field, this rule will deactivate the SIMs of repaired meters too. We solve that with a Maintenance group: technicians move the meter to that group before the repair, and the rule doesn't apply there.

Finally, reports. Reports, Usage by SIM, group Meters - Germany, last seven days, sorted by data used. This is the view I open first whenever an alert fires. I'll click Schedule, weekly on Monday, to the fleet team. It arrives at six in the morning as a CSV, which our finance team imports into their own billing system.

To recap: alerts tell you, rules act, and reports explain. Set an alert at about twice normal usage, a rule with a dry run at about ten times, and keep a weekly report going. You'll find written guides for each of these in the Customer portal section of the Resource Center. Thanks for watching.
""",
        },
        {
            "type": "video",
            "slug": "api-keys-and-webhooks-in-practice",
            "title": "API keys and webhooks in practice",
            "video_url": "https://www.youtube.com/watch?v=Wb2hK6api88",
            "duration": "00:12:30",
            "area": "api",
            "tags": ["api-keys", "webhooks", "api", "security", "401"],
            "reviewed_days_ago": 45,
            "summary": (
                "Create a scoped API key, rotate it without downtime, revoke a leaked one, and "
                "receive a webhook with signature verification, in a short live-coded session."
            ),
            "chapters": [
                ("00:00", "Introduction"),
                ("00:55", "Creating a key with the right scopes"),
                ("03:10", "Your first call, and a 401 and a 403"),
                ("05:25", "Rotating without downtime"),
                ("07:15", "Revoking a leaked key"),
                ("08:30", "Receiving and verifying a webhook"),
                ("11:40", "Checklist"),
            ],
            "body": [
                p(
                    """
                    <p>Sam, one of our developer advocates, builds a tiny integration from
                    scratch: a scoped API key, an API call, key rotation and a webhook receiver
                    that verifies signatures.</p>
                    """
                ),
                callout(
                    "warning",
                    """
                    <p>The keys shown in this video were revoked before publication. Never show
                    a live key on screen, in a recording or in a screenshot.</p>
                    """,
                ),
            ],
            "transcript": """
Hi, I'm Sam, a developer advocate. In this video we'll build the smallest useful integration with our API: create a key, call the API, rotate the key the way you would in production, deal with a leaked key, and receive a webhook securely. I'm using Python, but the written guides have the same code in JavaScript, Java and curl.

Let's create a key. In the portal, Settings, API keys, Create key. The name matters more than you'd think. Call it after what uses it, like "fleet-dashboard-prod", because one day you'll need to rotate or revoke it in a hurry, and you'll want to know what breaks. Scopes: this dashboard only reads, so I tick sims read and usage read, nothing else. I'll also add our office IP range to the allow-list and an expiry date a year from now. Create, and here's the secret. It's shown exactly once. I paste it straight into my secret manager, not into a file, not into chat.

First call. I export the key as an environment variable and run a GET on one SIM. Two hundred, and there's the SIM's state and last session. Now let's break it on purpose. I'll unset the variable and run it again: 401, error code missing API key. In real life this is the most common 401 we see: an environment variable that's empty in one deployment. Next, I'll try to activate a SIM with this read-only key: 403, insufficient scope, and the error even names the scope I'd need. So remember: 401 means we don't know who you are; 403 means we know, and you're not allowed.

Now rotation. Rotation gives the same key a new secret while the old secret keeps working for an overlap period. I call the rotate endpoint with an overlap of twenty-four hours. The response has the new secret and the time the old one expires. I update the secret manager and restart the dashboard. Back on the key's page in the portal, I can see when each secret was last used. Once the old one has been quiet for a while, I click Expire previous secret and the overlap ends early. No downtime at any point.

What if a key leaks? Let's say I pasted it into a public repository. Don't rotate: an attacker would have the old secret for the whole overlap. Revoke. One DELETE call, or the Revoke button, and within seconds every request with that key gets 401, revoked API key. Then create a new key and deploy it. And if you ever do push a live key to a public GitHub repository, our scanner will probably find it and revoke it for you, and your admins will get an e-mail.

Last part: webhooks. I've got a small Flask app with one endpoint. I register its URL for the sim state changed and sms received events, and I get a signing secret starting with whsec. Each delivery carries a signature header with a timestamp t and a v1 signature. To check it, take the raw request body, exactly the bytes you received, put the timestamp and a full stop in front of it, compute HMAC-SHA256 with your secret, and compare it with v1 using a constant-time comparison. Then reject anything with a timestamp more than five minutes old, so nobody can replay an old delivery. Let's trigger an event by deactivating a test SIM... and there's the delivery, signature valid. If I change a single character in the body, verification fails and my endpoint answers 400.

Two more things about webhooks: we retry failed deliveries for up to twenty-four hours, so deduplicate on the event id, and answer quickly: put the event on a queue and process it afterwards.

The checklist: one key per application, minimal scopes, secrets only in a secret manager, rotate every ninety days, revoke on any leak, and always verify webhook signatures. Thanks for watching.
""",
        },
    ],
}
