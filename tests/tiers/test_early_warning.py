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
