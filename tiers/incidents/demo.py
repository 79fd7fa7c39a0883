"""Demo status page: components and a year of realistic incident and maintenance history, so
the page, its uptime bars and its archive look real on the first `make run`.

Written straight to the tables (not through the services): history is not news, so nobody is
e-mailed about it. Deterministic (a seeded random generator, times relative to now) and
idempotent: nothing is added once the components exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from tiers.incidents.models import (
    Component,
    IncidentComponent,
    MaintenanceWindow,
    ProblemUpdate,
    ServiceProblem,
)

COMPONENTS = [
    # slug, name, group, region, partner, description
    ("data-service", "Data service", "Connectivity", "", "", "Packet data sessions (PDP/PDN)"),
    ("sms", "SMS", "Connectivity", "", "", "Mobile-terminated and mobile-originated SMS"),
    ("vpn", "VPN / Cloud Connect", "Connectivity", "", "", "IPsec and cloud interconnects"),
    ("roaming-europe", "Roaming partners - Europe", "Networks", "Europe", "", ""),
    ("roaming-americas", "Roaming partners - Americas", "Networks", "Americas", "", ""),
    ("customer-portal", "Customer portal", "Platform", "", "", "Web portal for fleet admins"),
    ("rest-api", "REST API", "Platform", "", "", "SIM management and usage API"),
    ("webhooks", "Webhooks and Data Streamer", "Platform", "", "", "Event delivery"),
    ("provisioning", "SIM provisioning", "Platform", "", "", "Activation and suspension"),
]

# title, components and states, impact, devices, unavailable, minutes (min, max), story
SCENARIOS = [
    (
        "Data sessions failing on a roaming partner in {country}",
        {"roaming-europe": "partial_outage", "data-service": "degraded_performance"},
        "operational",
        400,
        False,
        (40, 200),
        [
            "Devices roaming on one partner network in {country} fail to set up data sessions.",
            "The partner confirmed a signalling fault; we steer devices to a second network.",
            "Traffic moved to the second partner; sessions are being set up normally again.",
            "The partner fixed the fault; steering was reverted. All devices connect normally.",
        ],
    ),
    (
        "Delayed SMS delivery",
        {"sms": "degraded_performance"},
        "general",
        20,
        False,
        (30, 150),
        [
            "Mobile-terminated SMS are delivered with delays of up to 15 minutes.",
            "A congested SMSC link was identified; traffic is being rebalanced.",
            "Queues are draining; new messages are delivered within seconds.",
            "All queued messages were delivered. SMS delivery is back to normal.",
        ],
    ),
    (
        "Customer portal unavailable",
        {"customer-portal": "major_outage"},
        "critical",
        None,
        True,
        (15, 70),
        [
            "The customer portal does not load for any user. Devices are not affected.",
            "A failed certificate rotation on the load balancer was identified.",
            "The previous certificate was restored; the portal loads again.",
            "The portal has been stable since the fix. Resolved.",
        ],
    ),
    (
        "REST API elevated error rates",
        {"rest-api": "partial_outage", "provisioning": "degraded_performance"},
        "operational",
        150,
        False,
        (20, 110),
        [
            "About 20% of API requests fail with HTTP 503.",
            "One database replica fell behind; it was taken out of rotation.",
            "Error rates are back to normal; we are watching the replica catch up.",
            "The replica caught up and is back in rotation. Resolved.",
        ],
    ),
    (
        "Webhook and Data Streamer delivery delays",
        {"webhooks": "degraded_performance"},
        "operational",
        900,
        False,
        (30, 240),
        [
            "Usage and connectivity events reach webhooks with delays of over five minutes.",
            "A consumer group stalled after a broker restart; it is being rebalanced.",
            "Delivery is on time again; the backlog is being replayed.",
            "The backlog was delivered in order. Resolved.",
        ],
    ),
    (
        "Packet gateway outage: new data sessions rejected",
        {
            "data-service": "major_outage",
            "roaming-europe": "partial_outage",
            "roaming-americas": "partial_outage",
        },
        "critical",
        25000,
        True,
        (20, 75),
        [
            "New data sessions are rejected in every market. Established sessions are kept.",
            "A configuration change on the packet gateways was identified as the cause.",
            "The change was rolled back; sessions are being established again.",
            "Every market has passed traffic normally for an hour. Resolved.",
        ],
    ),
    (
        "VPN tunnels dropping in the Europe region",
        {"vpn": "partial_outage"},
        "operational",
        120,
        False,
        (30, 180),
        [
            "Some IPsec tunnels to the Europe region drop every few minutes.",
            "A faulty line card on one concentrator was identified.",
            "Tunnels were moved to the standby concentrator and are stable.",
            "The line card was replaced. Resolved.",
        ],
    ),
    (
        "Slow SIM activation",
        {"provisioning": "degraded_performance"},
        "general",
        10,
        False,
        (45, 300),
        [
            "SIM activations take up to 30 minutes instead of seconds.",
            "A queue between the portal and the HLR was identified as the bottleneck.",
            "The queue was scaled; activations complete within a minute again.",
            "All pending activations completed. Resolved.",
        ],
    ),
    (
        "Data sessions slow to establish in {country}",
        {"roaming-americas": "degraded_performance"},
        "general",
        15,
        False,
        (30, 120),
        [
            "Devices in {country} take 10-30 seconds to establish data sessions.",
            "The partner network identified congestion on its signalling gateway.",
            "Set-up times are back to normal; we keep monitoring.",
            "Resolved by the partner.",
        ],
    ),
]
EUROPE = ["Germany", "Poland", "Spain", "Italy", "France", "the Netherlands", "Sweden"]
AMERICAS = ["Mexico", "Brazil", "Canada", "Chile", "Colombia"]
STATUSES = [
    ServiceProblem.INVESTIGATING,
    ServiceProblem.IDENTIFIED,
    ServiceProblem.MONITORING,
    ServiceProblem.RESOLVED,
]
SEVERITY = {"critical": 1, "operational": 2, "general": 3}


def _components() -> dict[str, Component]:
    year_ago = timezone.now() - dt.timedelta(days=400)
    found = {}
    for order, (slug, name, group, region, partner, description) in enumerate(COMPONENTS):
        found[slug], _ = Component.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "group": group,
                "region": region,
                "network_partner": partner,
                "description": description,
                "sort_order": order * 10,
                "created_at": year_ago,
            },
        )
    return found


def _incident(rng, components, scenario, started_at, now) -> None:
    title, states, impact, devices, unavailable, minutes, story = scenario
    country = rng.choice(AMERICAS if "roaming-americas" in states else EUROPE)
    duration = dt.timedelta(minutes=rng.randint(*minutes))
    resolved_at = started_at + duration
    problem = ServiceProblem.objects.create(
        title=title.format(country=country),
        description=story[0].format(country=country),
        severity=SEVERITY[impact],
        impact=impact,
        devices_affected=devices,
        service_unavailable=unavailable,
        started_at=started_at,
        status=ServiceProblem.RESOLVED,
        resolved_at=resolved_at,
        is_public=True,
        created_at=started_at,
    )
    IncidentComponent.objects.bulk_create(
        [
            IncidentComponent(incident=problem, component=components[slug], state=state)
            for slug, state in states.items()
        ]
    )
    moments = [started_at + dt.timedelta(minutes=rng.randint(3, 9))]
    moments += [started_at + duration * share for share in (0.35, 0.7)]
    moments.append(resolved_at)
    ProblemUpdate.objects.bulk_create(
        [
            ProblemUpdate(
                problem=problem,
                kind=(
                    ProblemUpdate.KIND_OPENED
                    if index == 0
                    else ProblemUpdate.KIND_RESOLVED
                    if status == ServiceProblem.RESOLVED
                    else ProblemUpdate.KIND_UPDATE
                ),
                body=text.format(country=country),
                status=status,
                severity=problem.severity,
                created_at=moment,
            )
            for index, (status, text, moment) in enumerate(
                zip(STATUSES, story, moments, strict=True)
            )
        ]
    )


def _maintenance(components, now) -> int:
    windows = []
    platform = [components["customer-portal"], components["rest-api"]]
    # Every six weeks on a Sunday night, for the past year.
    sunday = (now - dt.timedelta(days=(now.weekday() + 1) % 7)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    for weeks in range(6, 53, 6):
        starts = sunday - dt.timedelta(weeks=weeks)
        windows.append(
            (
                "Platform database upgrade",
                "The portal and API may answer slowly or briefly refuse requests. "
                "Devices and data sessions are not affected.",
                starts,
                starts + dt.timedelta(hours=2),
                platform,
            )
        )
    ahead = (now + dt.timedelta(days=5)).replace(hour=1, minute=0, second=0, microsecond=0)
    windows.append(
        (
            "SMS centre software upgrade",
            "SMS may be delayed by up to 10 minutes while traffic moves between SMS centres.",
            ahead,
            ahead + dt.timedelta(hours=3),
            [components["sms"]],
        )
    )
    for title, description, starts, ends, chosen in windows:
        window = MaintenanceWindow.objects.create(
            title=title,
            description=description,
            starts_at=starts,
            ends_at=ends,
            created_at=starts - dt.timedelta(days=7),
        )
        window.components.set(chosen)
    return len(windows)


def load(now: dt.datetime | None = None) -> tuple[dict[str, Component], int]:
    """The components (created if missing) and how many history incidents were added (0 if
    the history was there already)."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = not Component.objects.exists()
        components = _components()
        if not fresh:
            return components, 0
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        count = 0
        day = 2  # the newest history is two days old: the tiers demo adds the recent ones
        while day < 380:
            started_at = (now - dt.timedelta(days=day)).replace(
                hour=rng.randint(0, 23), minute=rng.randint(0, 59), second=0, microsecond=0
            )
            _incident(rng, components, rng.choice(SCENARIOS), started_at, now)
            count += 1
            day += rng.randint(3, 16)
        _maintenance(components, now)
    return components, count
