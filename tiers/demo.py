"""Demo support tiers: both plans (from the seed migration), three organisations and tickets in
every state.

- Northwind Telematics: Infinity, US business hours; admin and point of contact is the demo
  member (member@example.com), with a forum regular as a second member.
- Rheinland Smart Metering: Infinity, Europe business hours.
- Sprout Sensors: Community (free), so its people see the upgrade path.
- A phone ticket a support analyst opened for Rheinland, and two service problems (one current
  in Europe with an update, one resolved yesterday) whose notifications went to the Infinity
  organisations' contacts.
- The status page's components and a year of incident and maintenance history
  (tiers.incidents.demo).

Idempotent: organisations are matched by slug and tickets by (organisation, subject); runs after
forum.demo so one of Northwind's forum threads can be promoted to a ticket.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from resourcecenter import roles
from resourcecenter.demo import ensure_user
from tiers import services
from tiers.incidents import demo as incidents_demo
from tiers.models import (
    ExclusionReason,
    Macro,
    Membership,
    Organisation,
    Plan,
    ServiceProblem,
    Ticket,
)
from tiers.plans import seed
from tiers.reports.demo import load_help_sessions

ORGS = [
    # slug, name, region, plan code, admin (e-mail, name), members
    (
        "northwind-telematics",
        "Northwind Telematics",
        "us",
        "infinity",
        ("member@example.com", "Morgan"),
        [("ana.field@example.com", "Ana (fleet telematics)")],
    ),
    (
        "rheinland-smart-metering",
        "Rheinland Smart Metering",
        "eu",
        "infinity",
        ("klara.schmidt@example.com", "Klara Schmidt"),
        [("ben.kowalski@example.com", "Ben Kowalski")],
    ),
    (
        "sprout-sensors",
        "Sprout Sensors",
        "us",
        "community",
        ("chen.li@example.com", "Chen Li"),
        [],
    ),
]

TICKETS = [
    # org slug, subject, severity estimate, devices, target state, description
    (
        "northwind-telematics",
        "Trucks in Oklahoma cannot open data sessions",
        2,
        340,
        Ticket.NEW,
        "Since 06:10 CT, 340 trackers in Oklahoma attach but every PDP context request is "
        "rejected with cause 33. Other states are fine.",
    ),
    (
        "northwind-telematics",
        "Usage report shows double counting for March",
        4,
        None,
        Ticket.ACKNOWLEDGED,
        "The March usage report lists some SIMs twice. Could you confirm which numbers are right?",
    ),
    (
        "northwind-telematics",
        "Single modem keeps dropping to 2G",
        3,
        1,
        Ticket.IN_PROGRESS,
        "One unit (ICCID ending 4471) falls back to 2G every few hours. Firmware 1.9.4.",
    ),
    (
        "rheinland-smart-metering",
        "Meters in Cologne offline after maintenance window",
        1,
        12000,
        Ticket.IN_PROGRESS,
        "Since the maintenance window last night no meter in Cologne reports. Connectivity to "
        "our VPN endpoint seems broken.",
    ),
    (
        "rheinland-smart-metering",
        "SMS delivery reports missing",
        3,
        40,
        Ticket.WAITING,
        "MT SMS arrive but no delivery reports come back for about 40 meters.",
    ),
    (
        "rheinland-smart-metering",
        "How do I rotate an API key without downtime?",
        4,
        None,
        Ticket.RESOLVED,
        "We want to rotate our API keys. Can two keys be valid at the same time?",
    ),
    (
        "northwind-telematics",
        "Provision 200 new SIMs to the fleet profile",
        4,
        200,
        Ticket.CLOSED,
        "Please help us move 200 SIMs from test to the fleet profile.",
    ),
    (
        "northwind-telematics",
        "Our own MQTT broker rejects device certificates",
        3,
        15,
        "not_covered",
        "After we rotated our broker's CA, devices cannot connect to our MQTT broker.",
    ),
]


def _ensure_org(slug, name, region, plan_code, admin_spec, member_specs) -> Organisation:
    admin = ensure_user(*admin_spec)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = services.create_organisation(name=name, region=region, creator=admin)
        if organisation.slug != slug:
            organisation.slug = slug
            organisation.save(update_fields=["slug"])
    for email, display in member_specs:
        user = ensure_user(email, display)
        Membership.objects.get_or_create(organisation=organisation, user=user)
    plan = Plan.objects.get(code=plan_code)
    if plan.purchasable and not organisation.subscriptions.filter(status="active").exists():
        services.subscribe(organisation=organisation, plan=plan, by=admin)
    return organisation


def _drive_to(ticket: Ticket, state: str, staff) -> None:
    if state == Ticket.NEW:
        # "New" is the instant before the automated acknowledgement; show one as received
        # but not yet acknowledged so the state is visible in the queue.
        Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.NEW, acknowledged_at=None)
        return
    if state == Ticket.ACKNOWLEDGED:
        return
    services.assign(ticket=ticket, analyst=staff, by=staff)
    services.add_reply(
        ticket=ticket,
        author=staff,
        body="Thanks for the details. I'm checking the network side now and will update you "
        "within the hour.",
    )
    services.add_reply(
        ticket=ticket,
        author=staff,
        body="Checked HLR and PGW logs: the attach succeeds, the rejection happens later.",
        internal=True,
    )
    if state == "not_covered":
        services.mark_not_covered(
            ticket=ticket,
            reason=ExclusionReason.objects.order_by("sort_order").first(),
            amount=ticket.plan.overage_hourly_rate * 2,
            description="About two hours of professional services to review your broker setup.",
            by=staff,
        )
        return
    if state == Ticket.IN_PROGRESS:
        services.log_time(ticket=ticket, analyst=staff, minutes=25, category=ticket.category)
        return
    if state == Ticket.WAITING:
        services.set_status(ticket=ticket, status=Ticket.WAITING, by=staff)
        return
    ticket.resolution_public = (
        "Create the new key first, deploy it to every client, then revoke the old one: both "
        "keys stay valid until you revoke one."
    )
    ticket.save(update_fields=["resolution_public"])
    services.set_status(ticket=ticket, status=Ticket.RESOLVED, by=staff)
    if state == Ticket.CLOSED:
        services.set_status(ticket=ticket, status=Ticket.CLOSED, by=staff)


def load(stdout, style) -> None:
    # Plans come from the data migration; re-loading the seed file restores edited demo data.
    seed.load_file(seed.DEFAULT_PLANS_FILE)
    staff = ensure_user("staff@example.com", "Dana (Support)", groups=[roles.ANALYSTS_GROUP])
    orgs = {spec[0]: _ensure_org(*spec) for spec in ORGS}
    northwind = orgs["northwind-telematics"]
    created = _demo_tickets(orgs, staff)
    created += _overdue_ticket(northwind)
    created += _phone_ticket(orgs["rheinland-smart-metering"], staff)
    _demo_macros()
    components, history = incidents_demo.load()
    load_help_sessions()  # after the tickets: some sessions end with one of them
    problems = _demo_problems(staff, components)
    services.sweep()
    promoted = _promote_demo_thread(northwind)
    stdout.write(
        style.SUCCESS(
            f"Support tiers: {len(orgs)} organisations, {created} new tickets"
            + (f", thread promoted to {promoted}" if promoted else "")
            + (f", {problems} new service problems" if problems else "")
            + (f", a year of status history ({history} incidents)" if history else "")
            + "."
        )
    )
    stdout.write("  Infinity customer: member@example.com (Northwind Telematics, US)")
    stdout.write("  Community customer: chen.li@example.com (Sprout Sensors)")


def _demo_tickets(orgs: dict[str, Organisation], staff) -> int:
    """TICKETS, each opened by its organisation's first member and driven to its state."""
    created = 0
    for slug, subject, estimate, devices, state, description in TICKETS:
        organisation = orgs[slug]
        if Ticket.objects.filter(organisation=organisation, subject=subject).exists():
            continue
        requester = organisation.memberships.order_by("joined_at").first().user
        ticket = services.open_ticket(
            organisation=organisation,
            requester=requester,
            subject=subject,
            description=description,
            devices_affected=devices,
            incident_at=timezone.now() - dt.timedelta(hours=3),
            conditions="Fleet in normal operation; no configuration changes on our side.",
            customer_severity=estimate,
            category="provisioning" if "Provision" in subject else "troubleshooting",
        )
        _drive_to(ticket, state, staff)
        created += 1
    return created


def _overdue_ticket(northwind: Organisation) -> int:
    """A breached one: opened long ago, never answered (1 if it was created now)."""
    subject = "GPS trackers report wrong cell location"
    if Ticket.objects.filter(organisation=northwind, subject=subject).exists():
        return 0
    services.open_ticket(
        organisation=northwind,
        requester=northwind.memberships.order_by("joined_at").first().user,
        subject=subject,
        description="Cell IDs reported by the network do not match the trucks' GPS fixes.",
        customer_severity=3,
        now=timezone.now() - dt.timedelta(days=6),
    )
    return 1


def _phone_ticket(rheinland: Organisation, staff) -> int:
    """A case an analyst took by phone for a customer (1 if it was created now)."""
    subject = "Gateways in Düsseldorf cannot reach the VPN"
    if Ticket.objects.filter(organisation=rheinland, subject=subject).exists():
        return 0
    services.open_ticket(
        organisation=rheinland,
        requester=ensure_user("ben.kowalski@example.com", "Ben Kowalski"),
        subject=subject,
        description="Ben called: about 300 gateways in Düsseldorf lost their VPN tunnel "
        "at 07:40; data sessions come up but no traffic reaches the head end.",
        devices_affected=300,
        incident_at=timezone.now() - dt.timedelta(hours=1),
        customer_severity=2,
        channel="phone",
        opened_by=staff,
    )
    return 1


DEMO_MACROS = [
    (
        "Ask for the modem log",
        "Hello {customer_name},\n\nto find out why the devices lose their data sessions, "
        "please attach the modem log of one affected device (AT+CEER and AT+CGDCONT? output) "
        "to case {case_number}.\n\n{analyst_name}",
        Ticket.WAITING,
    ),
    (
        "Fixed: please confirm",
        "Hello {customer_name},\n\nwe applied the fix on our side. Please confirm that your "
        "devices work again; if we do not hear back, the case closes after the reopen window."
        "\n\n{analyst_name}",
        Ticket.RESOLVED,
    ),
]


def _demo_macros() -> None:
    for name, body, status in DEMO_MACROS:
        Macro.objects.get_or_create(name=name, defaults={"body": body, "set_status": status})


def _promote_demo_thread(organisation: Organisation) -> str | None:
    try:
        from forum.models import Thread
    except ImportError:  # pragma: no cover - forum always installed in this project
        return None
    author_ids = list(organisation.memberships.values_list("user_id", flat=True))
    thread = (
        Thread.objects.filter(author_id__in=author_ids, moderation_state="visible")
        .exclude(status="solved")
        .order_by("created_at")
        .first()
    )
    if thread is None or Ticket.objects.filter(thread=thread).exists():
        return None
    result = services.promote_thread(thread=thread, by=thread.author)
    return result.ticket.case_number if result.ticket else None


def _demo_problems(staff, components) -> int:
    """One problem resolved yesterday and one current in Europe (with an update), their
    e-mails sent when they were recorded (so the delivery log shows them on time); both on
    the status page with the components they affect."""
    from tiers.incidents import problems

    now = timezone.now()
    created = 0
    resolved = "Core network outage (all regions)"
    if not ServiceProblem.objects.filter(title=resolved).exists():
        yesterday = now - dt.timedelta(days=1)
        problem = services.record_problem(
            by=staff,
            title=resolved,
            description="New data sessions could not be established in any market.",
            severity=1,
            started_at=yesterday - dt.timedelta(minutes=12),
            now=yesterday,
            service_unavailable=True,
            components={components["data-service"]: "major_outage"},
        )
        problems.deliver_due(now=yesterday + dt.timedelta(minutes=1))
        services.update_problem(
            problem=problem,
            by=staff,
            body="A failed configuration change on the packet core was rolled back; every "
            "market is passing traffic again.",
            status=ServiceProblem.RESOLVED,
            now=yesterday + dt.timedelta(minutes=55),
        )
        problems.deliver_due(now=yesterday + dt.timedelta(minutes=56))
        created += 1
    current = "Data sessions slow on a roaming partner in Poland"
    if not ServiceProblem.objects.filter(title=current).exists():
        problem = services.record_problem(
            by=staff,
            title=current,
            description="Devices roaming on one Polish partner network see data sessions "
            "set up slowly (10-30 s) and some PDP context requests time out.",
            severity=2,
            region="eu",
            started_at=now - dt.timedelta(minutes=50),
            now=now - dt.timedelta(minutes=40),
            devices_affected=300,
            components={components["roaming-europe"]: "partial_outage"},
        )
        problems.deliver_due(now=now - dt.timedelta(minutes=39))
        services.update_problem(
            problem=problem,
            by=staff,
            body="The partner confirmed a faulty signalling link; traffic is being moved to a "
            "second partner network. Devices reconnect on their next attach.",
            status=ServiceProblem.MONITORING,
            now=now - dt.timedelta(minutes=10),
        )
        problems.deliver_due(now=now - dt.timedelta(minutes=9))
        created += 1
    return created
