"""Early warning: a synthetic spike ("no data" in Germany across threads, tickets and
searches) is suggested as one incident with its evidence; a week of ordinary traffic, and a
busy topic in one place only, are not; staff declare the draft in one click."""

import datetime as dt
import random

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from forum.models import Thread
from resourcecenter.roles import ANALYSTS_GROUP
from search.models import SearchQueryLog
from tests.forum.factories import CategoryFactory
from tiers.models import ServiceProblem, Ticket
from tiers.plans.selectors import plan_for
from tiers.reports import early_warning

pytestmark = pytest.mark.django_db

# What customers of an IoT connectivity provider ask about on an ordinary week.
SUBJECTS = [
    "How do I set the APN on a Quectel BG96?",
    "SIM stuck in provisioning state",
    "API key returns 401 unauthorized",
    "Webhook deliveries delayed",
    "Roaming in France: which networks are supported?",
    "LTE-M attach takes several minutes",
    "SMS not delivered to device",
    "How to reset a SIM's data limit",
    "Invoice shows unexpected data usage",
    "NB-IoT coverage in Spain",
    "Portal login asks for two-factor code",
    "PDP context rejected with cause 33",
    "Device in Germany shows high latency",
    "Bulk activation of 500 SIMs via API",
    "Data usage report export as CSV",
    "Firmware update over cellular fails halfway",
    "What is the difference between LTE-M and NB-IoT?",
    "Change the IMEI lock on a SIM",
    "No SMS delivery reports in the portal",
    "Rate limits of the REST API",
]
QUERIES = [
    "apn settings", "sim activation", "api key", "webhook retry", "roaming france",
    "lte-m attach", "sms delivery", "data limit", "invoice usage", "nb-iot spain",
    "two-factor", "pdp context", "latency germany", "bulk activation", "usage export",
    "firmware update", "imei lock", "rate limit", "coverage map", "reset sim",
]  # fmt: skip


def _ticket(org, user, subject, at, n):
    plan = plan_for(org)
    return Ticket(
        case_number=f"T-{n}",
        organisation=org,
        plan=plan,
        requester=user,
        subject=subject,
        description=f"{subject}. Details follow.",
        severity=3,
        region=org.region,
        created_at=at,
    )


def background(now, orgs_and_users, *, days=7.25, per_day=(12, 6, 40), seed=7):
    """A week of ordinary traffic: threads, tickets and searches on the usual topics, spread
    evenly at random over `days` up to `now`."""
    rng = random.Random(seed)
    category = CategoryFactory(name="Connectivity", slug="connectivity")
    span = dt.timedelta(days=days).total_seconds()

    def moment():
        return now - dt.timedelta(seconds=rng.uniform(0, span))

    threads = [
        Thread(title=rng.choice(SUBJECTS), slug="t", category=category, created_at=moment())
        for _ in range(int(per_day[0] * days))
    ]
    Thread.objects.bulk_create(threads)
    tickets = []
    for n in range(int(per_day[1] * days)):
        org, user = rng.choice(orgs_and_users)
        tickets.append(_ticket(org, user, rng.choice(SUBJECTS), moment(), f"bg{n}"))
    Ticket.objects.bulk_create(tickets)
    SearchQueryLog.objects.bulk_create(
        SearchQueryLog(query=rng.choice(QUERIES), results=3, created_at=moment())
        for _ in range(int(per_day[2] * days))
    )
    return category


def spike(now, orgs_and_users, category):
    """Three hours of "no data" in Germany, in all three places."""
    at = [now - dt.timedelta(minutes=10 + 17 * i) for i in range(10)]
    threads = Thread.objects.bulk_create(
        Thread(title=title, slug="t", category=category, created_at=at[i])
        for i, title in enumerate(
            [
                "No data on our trackers in Germany since this morning",
                "Devices in Germany: no data sessions",
                "No data connection in Germany (Telekom)",
                "Germany - no data after 09:00?",
            ]
        )
    )
    tickets = Ticket.objects.bulk_create(
        _ticket(org, user, subject, at[i], f"spike{i}")
        for i, (subject, (org, user)) in enumerate(
            zip(
                [
                    "No data for our fleet in Germany",
                    "Meters in Germany report no data",
                    "No data on 300 SIMs, all in Germany",
                ],
                [*orgs_and_users, orgs_and_users[0]],
                strict=False,
            )
        )
    )
    searches = SearchQueryLog.objects.bulk_create(
        SearchQueryLog(query=query, results=0, created_at=at[i])
        for i, query in enumerate(
            ["no data germany", "germany no data", "no data", "no data germany", "no data telekom"]
        )
    )
    keys = {f"thread:{t.pk}" for t in threads} | {f"ticket:{t.pk}" for t in tickets}
    return keys | {f"search:{s.pk}" for s in searches}


@pytest.fixture
def customers(org_a, org_a_admin, org_b, org_b_admin):
    return [(org_a, org_a_admin), (org_b, org_b_admin)]


def test_ordinary_traffic_raises_nothing(customers):
    now = timezone.now()
    background(now, customers)
    assert Thread.objects.count() > 80 and SearchQueryLog.objects.count() > 250
    assert early_warning.suggestions(now) == []
    # Nor on other days of the same kind of week.
    for seed in (11, 12, 13):
        Thread.objects.all().delete()
        Ticket.objects.filter(case_number__startswith="T-bg").delete()
        SearchQueryLog.objects.all().delete()
        background(now, customers, seed=seed)
        assert early_warning.suggestions(now) == [], seed


def test_a_busy_topic_in_one_place_only_raises_nothing(customers):
    now = timezone.now()
    background(now, customers)
    SearchQueryLog.objects.bulk_create(
        SearchQueryLog(
            query="esim profile download", results=0, created_at=now - dt.timedelta(minutes=m)
        )
        for m in range(5, 125, 5)
    )
    assert early_warning.suggestions(now) == []


def test_a_synthetic_spike_is_one_suggestion_with_its_evidence(customers, org_a, org_b):
    now = timezone.now()
    category = background(now, customers)
    evidence = spike(now, customers, category)
    found = early_warning.suggestions(now)
    assert len(found) == 1
    suggestion = found[0]
    names = {s.name for s in suggestion.signals}
    assert {"phrase:no data", "near:no data@Germany"} <= names
    assert evidence <= {item.key for item in suggestion.items}
    assert suggestion.counts == {"thread": 4, "ticket": 3, "search": 5}
    assert suggestion.region == "eu"
    assert suggestion.severity == 2  # two organisations' tickets
    assert "no data" in suggestion.title and "Germany" in suggestion.title
    # Evidence links: threads to the thread, tickets to the ticket's admin page.
    urls = {item.url for item in suggestion.items if item.source != "search"}
    assert {url.split("/")[1] for url in urls} == {"community", "admin"}


@pytest.fixture
def analyst(user_factory):
    user = user_factory(email="analyst@example.com", display_name="Ana Lyst")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    return user


def test_staff_declare_the_draft_in_one_click(
    client, analyst, customers, django_assert_max_num_queries
):
    now = timezone.now()
    category = background(now, customers, per_day=(4, 2, 10))
    spike(now, customers, category)
    client.force_login(analyst)
    with django_assert_max_num_queries(25):
        page = client.get("/admin/support/early-warning/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Declare this incident" in html and "no data" in html
    suggestion = early_warning.suggestions()[0]
    response = client.post(
        "/admin/support/early-warning/",
        {
            "key": suggestion.key,
            "title": suggestion.title,
            "description": suggestion.description,
            "severity": suggestion.severity,
            "region": suggestion.region,
        },
    )
    incident = ServiceProblem.objects.get(title=suggestion.title)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/tiers/serviceproblem/edit/{incident.pk}/"
    assert (incident.severity, incident.region) == (2, "eu")
    assert incident.description.startswith("We are investigating reports of no data")


def test_a_stale_or_broken_draft_declares_nothing(client, analyst, customers):
    client.force_login(analyst)
    response = client.post(
        "/admin/support/early-warning/",
        {"key": "phrase:gone", "title": "Old", "description": "x", "severity": 2, "region": ""},
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/support/early-warning/", {"key": "x", "title": "", "severity": "9"}
    )
    assert response.status_code == 400
    assert not ServiceProblem.objects.exists()


def test_only_staff_who_work_tickets_see_it(client, user_factory, org_a_admin):
    editor = user_factory(email="editor@example.com")
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    for user in (editor, org_a_admin):
        client.force_login(user)
        response = client.get("/admin/support/early-warning/")
        assert response.status_code in (302, 403)
        assert not ServiceProblem.objects.exists()


# --- Device modules and status components ---------------------------------------------------


@pytest.fixture
def status_components(db):
    from tiers.incidents.demo import COMPONENTS
    from tiers.incidents.models import Component

    return [
        Component.objects.create(slug=slug, name=name, sort_order=order)
        for order, (slug, name, *_rest) in enumerate(COMPONENTS)
    ]


def test_modules_and_components_are_named_from_data(status_components):
    vocabulary = early_warning.Vocabulary.load()
    found = early_warning.signals(
        "Our bg96 units and a SARA R410M cannot reach the REST API", vocabulary=vocabulary
    )
    assert {"module:Quectel BG96", "module:u-blox SARA-R410M", "component:REST API"} <= found
    # Spelled as the component's slug, or given as a ticket tag, it is the same signal.
    assert "component:Customer portal" in early_warning.signals(
        "customer-portal login loops", vocabulary=vocabulary
    ) | early_warning.signals("login loops", tags=["customer portal"], vocabulary=vocabulary)
    assert "component:SMS" in early_warning.signals("SMS delayed", vocabulary=vocabulary)
    # No vocabulary, no names: the component list is data, not Python.
    assert not any(s.startswith("component:") for s in early_warning.signals("SMS delayed"))


def test_ordinary_traffic_naming_modules_and_components_raises_nothing(
    customers, status_components
):
    now = timezone.now()
    background(now, customers)  # mentions the BG96, the REST API, SMS, webhooks every day
    for seed in (7, 11):
        if seed != 7:
            Thread.objects.all().delete()
            Ticket.objects.filter(case_number__startswith="T-bg").delete()
            SearchQueryLog.objects.all().delete()
            background(now, customers, seed=seed)
        assert early_warning.suggestions(now) == [], seed


def module_spike(now, orgs_and_users, category):
    """Two hours of one module rebooting, written the ways people write it."""
    at = [now - dt.timedelta(minutes=7 + 11 * i) for i in range(10)]
    titles = ["BG96 reboots every few minutes", "Quectel BG96 keeps restarting", "bg96 reset loop"]
    Thread.objects.bulk_create(
        Thread(title=title, slug="t", category=category, created_at=at[i])
        for i, title in enumerate(titles)
    )
    Ticket.objects.bulk_create(
        _ticket(org, user, subject, at[i], f"mod{i}")
        for i, (subject, (org, user)) in enumerate(
            zip(["Fleet of BG96 rebooting", "Our bg96 devices reboot"], orgs_and_users, strict=True)
        )
    )
    SearchQueryLog.objects.bulk_create(
        SearchQueryLog(query=query, results=0, created_at=at[i])
        for i, query in enumerate(["bg96 reboot", "bg96 restart loop", "quectel bg96 reset"])
    )


def test_a_module_spike_is_suggested_with_the_module_named(customers, status_components):
    now = timezone.now()
    category = background(now, customers)
    module_spike(now, customers, category)
    found = early_warning.suggestions(now)
    assert len(found) == 1
    suggestion = found[0]
    assert "module:Quectel BG96" in {s.name for s in suggestion.signals}
    assert suggestion.affects == ["Quectel BG96"]
    # Evidence: every recent item naming the module, the spike's and ordinary ones alike.
    since = now - early_warning.RECENT
    assert suggestion.counts == {
        "thread": Thread.objects.filter(created_at__gte=since, title__icontains="bg96").count(),
        "ticket": Ticket.objects.filter(created_at__gte=since, subject__icontains="bg96").count(),
        "search": SearchQueryLog.objects.filter(
            created_at__gte=since, query__icontains="bg96"
        ).count(),
    }
    assert suggestion.counts["thread"] >= 3 and suggestion.counts["ticket"] >= 2
    assert suggestion.title.endswith("on Quectel BG96")
    assert "bg96" not in suggestion.symptom  # the module is named once, not as a word too


# --- Telling the support leads ----------------------------------------------------------------


@pytest.fixture
def leads(user_factory):
    from resourcecenter.roles import LEADS_GROUP

    group = Group.objects.get_or_create(name=LEADS_GROUP)[0]
    made = []
    for name in ("lee", "lou"):
        user = user_factory(email=f"{name}@example.com", display_name=name.title())
        user.groups.add(group)
        made.append(user)
    return made


def test_a_new_suggestion_is_emailed_to_each_lead_once(
    customers, leads, analyst, mailoutbox, django_capture_on_commit_callbacks
):
    from tiers.models import EarlyWarningAlert
    from tiers.reports import warning_alerts

    now = timezone.now()
    category = background(now, customers)
    assert warning_alerts.alert_leads(now) == 0 and mailoutbox == []  # ordinary traffic
    spike(now, customers, category)
    with django_capture_on_commit_callbacks(execute=True):
        assert warning_alerts.alert_leads(now) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["lee@example.com", "lou@example.com"]
    message = mailoutbox[0]
    suggestion = early_warning.suggestions(now)[0]
    assert message.subject == f"[Early warning] {suggestion.title}"
    assert "4 forum threads, 3 tickets and 5 searches" in message.body
    assert "/admin/support/early-warning/" in message.body
    assert "No data for our fleet in Germany" in message.body  # evidence
    # Again, later, and with the spike grown: the same suggestion, nobody hears twice.
    later = now + dt.timedelta(minutes=20)
    Thread.objects.create(
        title="No data in Germany on our trackers too", slug="t", category=category,
        created_at=now + dt.timedelta(minutes=5),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert warning_alerts.alert_leads(now) == 0
        assert warning_alerts.alert_leads(later) == 0
    assert len(mailoutbox) == 2
    assert EarlyWarningAlert.objects.count() == 1


def test_a_lead_can_switch_the_emails_off_on_the_early_warning_page(
    client, customers, leads, analyst, mailoutbox, django_capture_on_commit_callbacks
):
    from tiers.models import EarlyWarningMute
    from tiers.reports import warning_alerts

    lee, lou = leads
    client.force_login(lee)
    page = client.get("/admin/support/early-warning/").content.decode()
    assert "Stop these e-mails" in page
    response = client.post("/admin/support/early-warning/", {"alerts": "off"})
    assert response.status_code == 302
    assert (
        "E-mail me new suggestions" in client.get("/admin/support/early-warning/").content.decode()
    )
    assert warning_alerts.lead_addresses() == ["lou@example.com"]
    now = timezone.now()
    spike(now, customers, background(now, customers, per_day=(4, 2, 10)))
    with django_capture_on_commit_callbacks(execute=True):
        assert warning_alerts.alert_leads(now) == 1
    assert [m.to for m in mailoutbox] == [["lou@example.com"]]
    client.post("/admin/support/early-warning/", {"alerts": "on"})
    assert warning_alerts.lead_addresses() == ["lee@example.com", "lou@example.com"]
    # Analysts see the page but get no e-mails and no switch.
    client.force_login(analyst)
    page = client.get("/admin/support/early-warning/").content.decode()
    assert "Stop these e-mails" not in page and "E-mail me new suggestions" not in page
    assert client.post("/admin/support/early-warning/", {"alerts": "off"}).status_code in (302, 403)
    assert not EarlyWarningMute.objects.filter(user=analyst).exists()
