"""Demo Community: categories, members, ~60 realistic cellular-IoT threads with answers.

Idempotent: categories are matched by slug, members by e-mail, threads by title; anything that
exists is left alone. Content is written through forum.services (so numbering, counters, staff
flags and rendering are exactly what production produces), then back-dated so the lists look
like a few lively weeks. Demo members get the daily digest so loading sends no e-mail storm.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from forum import flags, member_services, services
from forum import permissions as perms
from forum.models import (
    Category,
    Member,
    Notification,
    NotificationFrequency,
    Post,
    PostState,
    Thread,
    TrustLevel,
)
from resourcecenter import roles
from resourcecenter.demo import ensure_user

CATEGORIES = [
    ("announcements", "Announcements", "News from the support team: maintenance, features.", True),
    ("getting-started", "Getting started", "First SIMs, first attach, first data session.", False),
    ("apn-data", "APN & data sessions", "APN settings, PDP contexts, attach and data.", False),
    (
        "sim-lifecycle",
        "SIM lifecycle",
        "Activation, suspension, SIM states and provisioning.",
        False,
    ),
    ("sms", "SMS", "Mobile-terminated and mobile-originated SMS, delivery and encoding.", False),
    ("api-webhooks", "API & webhooks", "REST API keys, authentication, limits, webhooks.", False),
    ("lte-m-nb-iot", "LTE-M & NB-IoT", "Low-power networks, PSM, eDRX and coverage.", False),
    ("roaming", "Roaming & coverage", "Networks, steering and coverage by country.", False),
    ("modules", "Modules & AT commands", "Modems, firmware and AT command questions.", False),
    ("billing-usage", "Usage & billing", "Data usage, usage alerts and invoices.", False),
]

MEMBERS = [
    # e-mail, display name, trust level
    ("ana.field@example.com", "Ana (fleet telematics)", TrustLevel.TRUSTED),
    ("ben.kowalski@example.com", "Ben Kowalski", TrustLevel.TRUSTED),
    ("chen.li@example.com", "Chen Li", TrustLevel.MEMBER),
    ("dario.rossi@example.com", "Dario Rossi", TrustLevel.MEMBER),
    ("emma.nakamura@example.com", "Emma Nakamura", TrustLevel.TRUSTED),
    ("farid.haddad@example.com", "Farid Haddad", TrustLevel.MEMBER),
    ("grace.okafor@example.com", "Grace Okafor", TrustLevel.MEMBER),
    ("hugo.martin@example.com", "Hugo Martin", TrustLevel.MEMBER),
    ("ines.santos@example.com", "Inês Santos", TrustLevel.NEW),
    ("jonas.berg@example.com", "Jonas Berg", TrustLevel.NEW),
]
STAFF_EMAIL = "staff@example.com"

MODULES = [
    "Quectel BG96",
    "Quectel BG95-M3",
    "SIMCom SIM7080G",
    "u-blox SARA-R410M",
    "Nordic nRF9160",
    "Telit ME910C1",
    "Quectel EG91",
    "u-blox SARA-R510S",
]
COUNTRIES = [
    "Germany",
    "Brazil",
    "Australia",
    "Canada",
    "Mexico",
    "Japan",
    "South Africa",
    "Poland",
    "the Netherlands",
    "Chile",
]

# (category, title, body, tags, replies, solved?) - replies: list of (who, text);
# who is "staff", a member index, or "author". solved: index into replies of the accepted one.
THREADS: list[tuple] = [
    (
        "apn-data",
        "APN not working on {module}: attaches but no data",
        "My {module} registers on the network (`AT+CEREG?` returns `0,5`) but I never get an IP "
        'address. I set the APN with `AT+CGDCONT=1,"IP","iot.example"`. What am I missing?',
        "apn, {tag}",
        [
            (0, "Check that the context is activated: `AT+CGACT=1,1`, then `AT+CGPADDR=1`."),
            (
                "staff",
                "The APN for your plan is `iot.example` (all lower case). I can see your SIM "
                "attaching with the APN `internet` though: a stale profile on the module. Run "
                "`AT+CGDCONT?` and delete the other contexts, then reboot.",
            ),
            ("author", "That was it, an old context 2 with `internet`. Thanks!"),
        ],
        1,
    ),
    (
        "sim-lifecycle",
        "SIM stuck in 'Activation pending' for two days",
        "We activated a batch of 50 SIMs on Monday, 3 of them still show *Activation pending* in "
        "the portal. The others work fine. Is there anything I can do myself?",
        "sim-state, activation",
        [
            (1, "Had this once, it was an ICCID typo in the CSV import."),
            (
                "staff",
                "Those three were waiting on a network-side provisioning retry. I pushed them "
                "again; they are *Active* now. If it happens again, open a ticket with the ICCIDs.",
            ),
        ],
        1,
    ),
    (
        "sms",
        "Mobile-terminated SMS delivered hours late",
        "SMS sent through the API to our devices arrive 2-4 hours late, sometimes not at all. "
        "The API returns 202 immediately. Devices are {module} in {country}.",
        "sms, delivery, {tag}",
        [
            (2, "Are the devices in PSM? MT SMS waits until the device wakes up."),
            ("author", "Yes, PSM with a 4 h periodic TAU. That explains it."),
            (4, "Use a shorter T3412 or send the SMS right after the device reports in."),
        ],
        2,
    ),
    (
        "billing-usage",
        "Data usage spike: 300 MB in one night on a single SIM",
        "One of our trackers used 300 MB overnight; normal is 2 MB per day. How do I find out "
        "what it was doing? Can I cap usage per SIM?",
        "data-usage, alerts",
        [
            (0, "Firmware update loop? We had a device re-downloading a 1 MB image every minute."),
            (
                "staff",
                "You can set a data limit per SIM under *SIM > Usage limits*; the SIM is "
                "suspended (or throttled) when it is reached and you get a webhook.",
            ),
        ],
        None,
    ),
    (
        "api-webhooks",
        "API returns 401 Unauthorized with a new API key",
        "I created an API key in the portal and call `GET /v1/sims` with "
        "`Authorization: Bearer <key>`, and I always get 401. The old key works.",
        "api, authentication",
        [
            (1, "New keys use Basic auth: key id as username, secret as password."),
            (
                "staff",
                "Correct, the new API keys use HTTP Basic. Bearer tokens are only for the "
                "OAuth client credentials flow. See the API key guide in the Resource Center.",
            ),
            ("author", "Switched to Basic, works. The error message could say that!"),
        ],
        1,
    ),
    (
        "api-webhooks",
        "Webhook signatures do not verify",
        "We compute HMAC-SHA256 over the request body with our webhook secret but the value never "
        "matches the `X-Signature` header. Python, Flask.",
        "webhooks, hmac, python",
        [
            (
                4,
                "Are you hashing `request.get_data()` (raw bytes) or the re-serialised JSON? "
                "It has to be the raw body.",
            ),
            ("author", "Re-serialised JSON. Raw bytes fixed it."),
        ],
        0,
    ),
    (
        "roaming",
        "No coverage in {country} although the map shows two networks",
        "Our devices in {country} stay in *searching*. The coverage map lists two partner "
        "networks. Module is {module}, LTE-M only.",
        "roaming, coverage, {tag}",
        [
            (3, "Is LTE-M roaming enabled on those partners? Often only 2G/LTE is."),
            (
                "staff",
                "In {country} only one partner supports LTE-M roaming; the other is NB-IoT. "
                'Allow NB-IoT as fallback (`AT+QCFG="iotopmode",2`) or use Cat-1.',
            ),
        ],
        1,
    ),
    (
        "lte-m-nb-iot",
        "PSM timers ignored by the network",
        "I request T3412=24h and T3324=10s with `AT+CPSMS`, but `AT+CEREG=4` shows the network "
        "granted T3412=54 min. Can the timers be negotiated higher?",
        "psm, lte-m, power",
        [
            (4, "The network decides; you only request. Some cells cap T3412."),
            (
                "staff",
                "The partner network in your area caps periodic TAU at 54 minutes. We have "
                "asked them to raise it; subscribe to Announcements for news.",
            ),
        ],
        None,
    ),
    (
        "modules",
        "AT+COPS=? takes forever on {module}",
        "Scanning for operators takes 3-4 minutes and sometimes times out. Is that normal?",
        "at-commands, {tag}",
        [
            (
                1,
                "Normal with all RATs enabled. Restrict the scan to LTE-M: "
                '`AT+QCFG="nwscanseq",02`.',
            ),
            ("author", "Down to 40 seconds. Thanks."),
        ],
        0,
    ),
    (
        "getting-started",
        "First SIM: which steps before the device can connect?",
        "We just received our starter kit. Is there a checklist between unboxing and the first "
        "data session?",
        "getting-started",
        [
            (
                "staff",
                "1. Activate the SIM in the portal. 2. Set the APN `iot.example`. 3. Make sure "
                "the module supports the bands used in your country. 4. Check the SIM shows "
                "*Online* in the portal after attach. The Getting started tutorial has details.",
            ),
            (2, "And update the module firmware first, it saves a lot of pain."),
        ],
        0,
    ),
    (
        "sim-lifecycle",
        "Can I move a SIM from Suspended back to Active via the API?",
        "We suspend SIMs of customers who stop paying. When they pay, we want to reactivate "
        "automatically. Which API call does that?",
        "api, sim-state",
        [
            (0, '`PATCH /v1/sims/{iccid}` with `{"status": "active"}` works for us.'),
            (
                "staff",
                "Yes, that is the call. Note that a SIM suspended for more than 180 days goes "
                "to *Deactivated* and must be re-provisioned.",
            ),
        ],
        1,
    ),
    (
        "sms",
        "Sending binary SMS (8-bit) to wake up devices",
        "How do I send an 8-bit binary SMS through the API? The payload arrives as text.",
        "sms, encoding",
        [(4, 'Set `"encoding": "binary"` and send the payload base64-encoded.')],
        None,
    ),
    (
        "apn-data",
        "PDP context drops every 24 hours",
        "Our data session is dropped exactly every 24 h and the device has to reattach. Is that "
        "a network policy?",
        "pdp, apn",
        [
            (1, "Yes, the session timer. Reconnect logic is a must anyway."),
            (
                "staff",
                "Sessions are refreshed every 24 hours by the packet gateway. Devices should "
                "re-establish the context automatically; most modules do with `AT+QIACT`.",
            ),
        ],
        1,
    ),
    (
        "billing-usage",
        "Usage in the portal differs from what the device counted",
        "Device counts 1.2 MB per day of payload, portal shows 1.9 MB. Where does the difference "
        "come from?",
        "data-usage",
        [
            (0, "TCP/TLS overhead, DNS, retransmissions. TLS handshakes alone are several KB."),
            (2, "Use TLS session resumption and keep-alive, it cut our overhead by half."),
        ],
        0,
    ),
    (
        "announcements",
        "Planned maintenance: SMS gateway, Sunday 02:00-04:00 UTC",
        "SMS delivery may be delayed during the maintenance window. Data sessions are not "
        "affected.",
        "maintenance",
        [],
        None,
    ),
    (
        "announcements",
        "New: usage alerts by webhook",
        "You can now receive a webhook when a SIM reaches a usage threshold. See the API & "
        "webhooks guide.",
        "webhooks",
        [(0, "Great, we needed this.")],
        None,
    ),
]

VARIANTS: list[tuple] = [
    (
        "apn-data",
        "{module} gets IP address but DNS lookups fail",
        "Ping to 8.8.8.8 works, but resolving our host name fails. Which DNS servers should I use?",
        "dns, apn, {tag}",
        [
            (1, "Query the DNS from the PDP context (`AT+QIDNSCFG`) rather than hard-coding."),
            ("staff", "The network hands out DNS servers in the PDP context; use those."),
        ],
        1,
    ),
    (
        "modules",
        "{module} firmware update over the air fails halfway",
        "FOTA downloads stop at ~60% and the module reboots. Any known issue?",
        "fota, firmware, {tag}",
        [(4, "Check the power supply: peaks during flash writes.")],
        None,
    ),
    (
        "lte-m-nb-iot",
        "NB-IoT attach takes minutes in {country}",
        "First attach on NB-IoT takes 3-5 minutes in {country}. LTE-M is fast. Normal?",
        "nb-iot, attach, {tag}",
        [
            (3, "Lock the bands used in {country} to shorten the scan."),
            ("staff", "Restrict the band list; in {country} NB-IoT runs on B20 and B8."),
        ],
        1,
    ),
    (
        "roaming",
        "Devices prefer a weak network in {country}",
        "Our devices in {country} stick to a network with poor signal even though a better one is "
        "available. Can you steer them?",
        "roaming, steering",
        [],
        None,
    ),
    (
        "api-webhooks",
        "API rate limit: 429 Too Many Requests when listing SIMs",
        "We page through 40,000 SIMs and hit 429 after a few hundred requests ({module} fleet).",
        "api, rate-limits",
        [
            (0, "Respect `Retry-After` and use the `updated_since` filter instead of full scans."),
            ("staff", "The limit is 20 requests per second per key; use page size 500."),
        ],
        1,
    ),
    (
        "sms",
        "MO SMS from {module} not arriving at our webhook",
        "Devices send SMS to the short number; nothing reaches our webhook.",
        "sms, webhooks, {tag}",
        [(2, "Is the SMS webhook URL set on the SIM group?")],
        None,
    ),
    (
        "sim-lifecycle",
        "Bulk activation of 500 SIMs via CSV fails on row 1",
        "The CSV import says 'invalid header' on row 1. Which columns are expected?",
        "activation, csv",
        [("staff", "Columns: iccid, label, group. UTF-8, comma separated, no BOM.")],
        0,
    ),
    (
        "billing-usage",
        "Unexpected roaming charges in {country}",
        "Our invoice shows roaming surcharges for {country} although the plan includes it.",
        "billing, roaming",
        [],
        None,
    ),
    (
        "getting-started",
        "Which bands does {module} need for {country}?",
        "Planning a deployment in {country} with {module}. Which LTE bands should we enable?",
        "bands, {tag}",
        [(1, "Check the coverage page per country; it lists bands per network.")],
        None,
    ),
]


def _fill(text: str, module: str, country: str) -> str:
    tag = module.split()[-1].lower().replace("-", "")[:20]
    return text.replace("{module}", module).replace("{country}", country).replace("{tag}", tag)


def ensure_categories() -> dict[str, Category]:
    result = {}
    for position, (slug, name, description, staff_only) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "position": position * 10,
                "staff_only_posting": staff_only,
            },
        )
        result[slug] = category
    return result


def ensure_members():
    users = []
    for email, name, level in MEMBERS:
        user = ensure_user(email, name)
        member = member_services.ensure_member(user)
        if member.approved_post_count == 0 and not member.trust_level_locked:
            Member.objects.filter(pk=member.pk).update(
                trust_level=level, notification_frequency=NotificationFrequency.DAILY
            )
        perms.forget_member(user)
        users.append(user)
    staff = ensure_user(STAFF_EMAIL, "Dana (Support)", groups=[roles.ANALYSTS_GROUP])
    if not Member.objects.filter(user=staff).exists():
        member = member_services.ensure_member(staff)
        Member.objects.filter(pk=member.pk).update(
            notification_frequency=NotificationFrequency.DAILY
        )
    return users, staff


def _thread_specs(count: int = 64) -> list[tuple]:
    """`count` thread specs with unique titles: the hand-written ones, then variants."""
    rng = random.Random(2026)  # noqa: S311 - deterministic demo data
    specs, titles = [], set()

    def add(spec, module, country):
        title = _fill(spec[1], module, country)
        if title not in titles:
            titles.add(title)
            specs.append((spec, module, country))

    for i, spec in enumerate(THREADS):
        add(spec, MODULES[i % len(MODULES)], COUNTRIES[i % len(COUNTRIES)])
    combos = [(m, c) for m in MODULES for c in COUNTRIES]
    rng.shuffle(combos)
    for n in range(len(combos) * 2):
        if len(specs) >= count:
            break
        module, country = combos[n % len(combos)]
        add(VARIANTS[(n + n // len(combos)) % len(VARIANTS)], module, country)
    return specs


def _backdate(thread: Thread, start) -> None:
    posts = list(thread.posts.order_by("number").values_list("pk", flat=True))
    for offset, pk in enumerate(posts):
        Post.objects.filter(pk=pk).update(created_at=start + timedelta(hours=3 * offset + 1))
    Thread.objects.filter(pk=thread.pk).update(created_at=start + timedelta(hours=1))
    services.refresh_thread_stats(thread)


def _backdate_notifications() -> None:
    """Notifications were created (after commit) as content was written; date them like their
    posts so the demo's notification lists read naturally."""
    post_time = Post.objects.filter(pk=OuterRef("post_id")).values("created_at")[:1]
    Notification.objects.filter(post__isnull=False, read_at__isnull=True).update(
        created_at=Subquery(post_time)
    )


def load(stdout, style) -> None:
    categories = ensure_categories()
    members, staff = ensure_members()
    trusted = [u for u, (_, _, level) in zip(members, MEMBERS, strict=True) if level != "new"]
    newcomers = [u for u, (_, _, level) in zip(members, MEMBERS, strict=True) if level == "new"]
    existing = set(Thread.objects.values_list("title", flat=True))
    now = timezone.now()
    created = 0
    specs = _thread_specs()
    for index, ((slug, title, body, tags, replies, solved), module, country) in enumerate(specs):
        title = _fill(title, module, country)
        if title in existing:
            continue
        author = staff if slug == "announcements" else trusted[index % len(trusted)]
        thread = services.create_thread(
            author=author,
            category=categories[slug],
            title=title,
            body=_fill(body, module, country),
            tags=_fill(tags, module, country),
        )
        posts = []
        for who, text in replies:
            if who == "staff":
                replier = staff
            elif who == "author":
                replier = author
            else:
                replier = trusted[(who + index + 1) % len(trusted)]
                if replier.pk == author.pk:
                    replier = trusted[(who + index + 2) % len(trusted)]
            posts.append(
                services.create_reply(
                    author=replier, thread=thread, body=_fill(text, module, country)
                )
            )
        if solved is not None and posts:
            answer = posts[solved]
            if answer.author_id != author.pk:
                services.accept_answer(thread=thread, post=answer, by=author)
                if answer.is_staff_answer:
                    services.mark_official_answer(post=answer, by=staff)
        if posts and index % 3 == 0:
            for voter in trusted[:3]:
                if voter.pk != posts[0].author_id:
                    services.vote_helpful(post=posts[0], user=voter)
        _backdate(thread, now - timedelta(days=len(specs) - index, hours=index % 7))
        created += 1
    held = _held_content(categories, newcomers, trusted, existing)
    if created:
        transaction.on_commit(_backdate_notifications)
    total = Thread.objects.count()
    stdout.write(
        style.SUCCESS(
            f"Community: {len(categories)} categories, {total} threads "
            f"({created} created), {held} posts waiting in the moderation queue"
        )
    )


OFF_TOPIC = "Anyone selling used BG96 modules? I need twenty for a pilot, send me a message."

HELD = [
    (
        "apn-data",
        "Quectel BG77 cannot register, CEREG stays 0,2",
        "Brand new BG77, `AT+CEREG?` stays at `0,2` (searching) for ever. APN is set. Any idea?",
    ),
    (
        "sms",
        "How to receive SMS on a Raspberry Pi with a USB modem?",
        "I want to receive SMS with a Pi and a SIM7600 USB dongle. Which software do you use?",
    ),
    (
        "getting-started",
        "Is there a sandbox API for testing without real SIMs?",
        "We want to build our integration before the SIMs arrive. Is there a sandbox?",
    ),
]


def _held_content(categories, newcomers, trusted, existing) -> int:
    """A few threads and a reply by new members waiting for approval, and a flagged post."""
    for i, (slug, title, body) in enumerate(HELD):
        if title in existing:
            continue
        services.create_thread(
            author=newcomers[i % len(newcomers)],
            category=categories[slug],
            title=title,
            body=body,
            tags="question",
        )
    target = Thread.objects.filter(category=categories["apn-data"], moderation_state="visible")
    target = target.order_by("pk").first()
    if (
        target is not None
        and not Post.objects.filter(thread=target, moderation_state=PostState.HELD).exists()
    ):
        services.create_reply(
            author=newcomers[0],
            thread=target,
            body="Same here with a BG95, following. Cheap SIMs at www.example.net!!!",
        )
    # An off-topic reply that two trusted members flagged (one more trusted flag would hide it).
    target = Thread.objects.filter(title=_fill(THREADS[0][1], MODULES[0], COUNTRIES[0])).first()
    if target is not None and target.moderation_state == "visible":
        seller = trusted[-1]
        spam = Post.objects.filter(thread=target, body_markdown=OFF_TOPIC).first()
        if spam is None:
            spam = services.create_reply(author=seller, thread=target, body=OFF_TOPIC)
        for reporter in trusted[:2]:
            if reporter.pk != spam.author_id and not spam.flags.filter(reporter=reporter).exists():
                flags.flag_post(
                    post=spam, reporter=reporter, reason="off_topic", note="Not about this thread"
                )
    return Post.objects.filter(moderation_state=PostState.HELD).count()
