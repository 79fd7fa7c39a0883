"""The public status page (/status/): the figures it shows equal counts computed here by hand,
it is served from the cache and re-rendered exactly when an incident, update, component or
maintenance window changes, and it stays up with the last good copy when the database fails."""

import datetime as dt
import json
import re

from django.core.cache import caches
from django.db import OperationalError, connection
from django.utils import timezone

import pytest

from tiers.incidents import impact, selectors, services, statuscache
from tiers.incidents.models import Component, ServiceProblem, StatusSubscriber

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


@pytest.fixture
def components(db):
    created = timezone.now() - dt.timedelta(days=400)
    made = {}
    for order, (slug, name) in enumerate(
        [("data", "Data service"), ("sms", "SMS"), ("portal", "Customer portal")]
    ):
        made[slug] = Component.objects.create(
            slug=slug, name=name, group="Services", sort_order=order, created_at=created
        )
    return made


@pytest.fixture
def declare(declare, post_update):
    """The shared factory for the status page's history: started at `start`, resolved at `end`."""

    def make(title, start, end=None, states=None, public=True, **kwargs):
        kwargs.setdefault("description", "Investigating.")
        kwargs.setdefault("severity", 3)
        problem = declare(
            title=title,
            started_at=start,
            now=start,
            components=states or {},
            is_public=public,
            **kwargs,
        )
        if end is not None:
            post_update(problem, "Fixed.", status=ServiceProblem.RESOLVED, now=end)
        problem.refresh_from_db()
        return problem

    return make


def midnight(days_ago: int) -> dt.datetime:
    today = timezone.now().astimezone(UTC).date()
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(), tzinfo=UTC)


def floor_percent(value: float) -> str:
    return f"{int(value * 10000) / 100:.2f}%"


def figures(html: str) -> dict[str, str]:
    """Component slug -> the uptime figure the page prints for it."""
    found = {}
    for block in html.split('data-component="')[1:]:
        slug = block.split('"', 1)[0]
        found[slug] = re.search(r'status-uptime-figure">([^<]+)<', block).group(1)
    return found


def test_page_figures_equal_counts_computed_by_hand(client, components, declare):
    data, sms = components["data"], components["sms"]
    # Data: a one-hour major outage overlapped by a 90-minute partial one (10:30-12:00):
    # 60 minutes count fully, the 60 partial-only minutes at 0.3 -> 78 minutes.
    day5 = midnight(5)
    declare(
        "Gateway outage",
        day5 + dt.timedelta(hours=10),
        day5 + dt.timedelta(hours=11),
        {data: Component.MAJOR},
    )
    declare(
        "Slow sessions",
        day5 + dt.timedelta(hours=10, minutes=30),
        day5 + dt.timedelta(hours=12),
        {data: Component.PARTIAL},
    )
    # SMS: 4 hours of partial outage across midnight 20 days ago (2 h on each day) -> 72
    # minutes; degraded performance for 3 hours 40 days ago counts nothing; 100 days ago is
    # outside the 90-day bars.
    declare(
        "SMS delays",
        midnight(20) - dt.timedelta(hours=2),
        midnight(20) + dt.timedelta(hours=2),
        {sms: Component.PARTIAL},
    )
    declare(
        "SMS slow",
        midnight(40) + dt.timedelta(hours=3),
        midnight(40) + dt.timedelta(hours=6),
        {sms: Component.DEGRADED},
    )
    declare(
        "Old SMS outage",
        midnight(100),
        midnight(100) + dt.timedelta(hours=5),
        {sms: Component.MAJOR},
    )
    # A private problem never shows and never counts.
    declare(
        "Private",
        midnight(3),
        midnight(3) + dt.timedelta(hours=9),
        {data: Component.MAJOR},
        public=False,
    )

    def expected(now):
        observed = (now - midnight(89)).total_seconds()
        return {
            "data": floor_percent(1 - 78 * 60 / observed),
            "sms": floor_percent(1 - 72 * 60 / observed),
            "portal": "100.00%",
        }

    before = expected(timezone.now())
    html = client.get("/status/").content.decode()
    after = expected(timezone.now())
    shown = figures(html)
    assert set(shown) == {"data", "sms", "portal"}
    for slug in shown:
        assert shown[slug] in {before[slug], after[slug]}, slug
    assert shown["data"] != "100.00%" and shown["sms"] != "100.00%"
    # 90 bars each; the coloured days are exactly the days with incidents.
    svgs = re.findall(r"<svg class=\"status-bar\".*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    assert all(svg.count("<rect") == 90 for svg in svgs)
    data_svg, sms_svg, portal_svg = svgs
    assert data_svg.count("status-bar-major-outage") == 1
    assert data_svg.count("status-bar-operational") == 89
    assert sms_svg.count("status-bar-partial-outage") == 2  # both sides of midnight
    assert sms_svg.count("status-bar-degraded-performance") == 1
    assert portal_svg.count("status-bar-operational") == 90
    assert 'role="img"' in data_svg and "uptime over the last 90 days" in data_svg
    # The text equivalent lists the same days.
    assert "Days with incidents or maintenance (1)" in html.split('data-component="sms"')[0]
    assert "Gateway outage" in html and "Private" not in html
    assert "All systems operational" in html


def test_archive_months_count_what_started_in_them(client, components, declare):
    now = timezone.now()
    starts = [now - dt.timedelta(days=d, hours=1) for d in (1, 2, 33, 65, 66, 67, 200, 330)]
    for index, start in enumerate(starts):
        declare(f"Incident {index}", start, start + dt.timedelta(minutes=30))
    expected = {}
    for start in starts:
        key = start.astimezone(UTC).strftime("%B %Y")
        expected[key] = expected.get(key, 0) + 1
    html = client.get("/status/history/").content.decode()
    months = re.findall(r'<h2 id="month-[\d-]+">([^<]+?) <span[^>]*>(\d+) incidents?</span>', html)
    assert len(months) == 12
    shown = {name: int(count) for name, count in months if int(count)}
    assert shown == expected
    assert sum(int(count) for _name, count in months) == len(starts)
    # Older than the page: the second page has it, with a link back.
    declare(
        "Very old",
        now - dt.timedelta(days=400),
        now - dt.timedelta(days=400) + dt.timedelta(hours=1),
    )
    html = client.get("/status/history/").content.decode()
    assert "?page=2" in html
    older = client.get("/status/history/?page=2").content.decode()
    assert "Very old" in older and "Newer" in older


def test_states_open_incidents_json_and_feed(client, components, declare, staff_user):
    data, sms, portal = components["data"], components["sms"], components["portal"]
    now = timezone.now()
    outage = declare(
        "Packet gateway down",
        now - dt.timedelta(minutes=20),
        states={data: Component.MAJOR, sms: Component.DEGRADED},
        service_unavailable=True,
    )
    assert outage.impact == ServiceProblem.CRITICAL
    services.schedule_maintenance(
        by=staff_user,
        title="Portal upgrade",
        description="Short interruptions.",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        components=[portal],
    )
    services.schedule_maintenance(
        by=staff_user,
        title="SMS centre upgrade",
        description="Delays.",
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=2),
        components=[sms],
    )
    summary = json.loads(client.get("/status/summary.json").content)
    states = {row["id"]: row["state"] for row in summary["components"]}
    assert states == {
        "data": "major_outage",
        "sms": "degraded_performance",
        "portal": "under_maintenance",
    }
    assert summary["status"] == {"state": "major_outage", "description": "Major outage"}
    assert [item["title"] for item in summary["incidents"]] == ["Packet gateway down"]
    assert summary["incidents"][0]["impact"] == "critical"
    assert [m["state"] for m in summary["maintenance"]] == ["in_progress", "upcoming"]
    html = client.get("/status/").content.decode()
    assert "Major outage" in html and "Scheduled maintenance" in html
    assert "Maintenance in progress" in html
    page = client.get(outage.get_status_url())
    assert page.status_code == 200 and "Critical" in page.content.decode()
    atom = client.get("/status/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Packet gateway down - Investigating" in atom.content.decode()


def test_impact_classes_follow_the_seed():
    assert impact.classify(devices_affected=None, service_unavailable=True) == "critical"
    assert impact.classify(devices_affected=1000, service_unavailable=False) == "critical"
    assert impact.classify(devices_affected=999, service_unavailable=False) == "operational"
    assert impact.classify(devices_affected=25, service_unavailable=False) == "operational"
    assert impact.classify(devices_affected=24, service_unavailable=False) == "general"
    assert impact.classify(devices_affected=None, service_unavailable=False) == "general"


def test_cache_is_invalidated_exactly_on_status_changes(
    client,
    components,
    declare,
    staff_user,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    assert "All systems operational" in client.get("/status/").content.decode()
    with django_assert_num_queries(0):
        assert "All systems operational" in client.get("/status/").content.decode()
    # Unrelated writes (a subscriber) leave the copy in place.
    with django_capture_on_commit_callbacks(execute=True):
        StatusSubscriber.objects.create(email="someone@example.com")
    with django_assert_num_queries(0):
        client.get("/status/")
    # An incident is shown at once.
    problem = declare(
        "SMS outage",
        timezone.now() - dt.timedelta(minutes=5),
        states={components["sms"]: Component.MAJOR},
    )
    html = client.get("/status/").content.decode()
    assert "SMS outage" in html and "Major outage" in html
    with django_assert_num_queries(0):
        client.get("/status/")
    # So are its updates and its resolution...
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(
            problem=problem, by=staff_user, body="Cause found.", status="identified"
        )
    assert "Cause found." in client.get("/status/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(problem=problem, by=staff_user, body="Fixed.", status="resolved")
    assert "All systems operational" in client.get("/status/").content.decode()
    # ... and a renamed component.
    with django_capture_on_commit_callbacks(execute=True):
        portal = components["portal"]
        portal.name = "Fleet portal"
        portal.save()
    assert "Fleet portal" in client.get("/status/").content.decode()
    # A change that is rolled back invalidates nothing.
    generation = statuscache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            from django.db import transaction

            with transaction.atomic():
                portal.name = "Never"
                portal.save()
                raise RuntimeError
        except RuntimeError:
            pass
    assert statuscache.generation() == generation


def _database_down(execute, sql, params, many, context):
    raise OperationalError("the database is down")


def test_database_down_serves_the_last_good_copy(client, components, declare):
    first = client.get("/status/")
    assert first.status_code == 200 and "X-Status-Stale" not in first
    client.get("/status/summary.json")
    # A change makes the copies stale; then the database fails before anyone re-renders.
    declare("Gateway outage", timezone.now(), states={components["data"]: Component.MAJOR})
    with connection.execute_wrapper(_database_down):
        page = client.get("/status/")
        summary = client.get("/status/summary.json")
        never_rendered = client.get("/status/history/")
    assert page.status_code == 200 and page["X-Status-Stale"] == "1"
    assert page.content == first.content
    assert summary.status_code == 200 and json.loads(summary.content)["status"]["state"] == (
        "operational"
    )
    assert never_rendered.status_code == 503
    # The database is back: the next request renders the news.
    page = client.get("/status/")
    assert "X-Status-Stale" not in page and "Gateway outage" in page.content.decode()


@pytest.mark.parametrize("who", ["member", "staff_user"])
def test_signed_in_visitors_get_the_last_good_copy_while_the_database_is_down(
    client, components, declare, settings, request, who
):
    # Signed in (a database session), and for staff the two-factor rule on: neither the
    # session, the user nor the enrolment check may reach the failing database first.
    settings.REQUIRE_STAFF_MFA = True
    client.force_login(request.getfixturevalue(who))
    incident = declare("Earlier outage", timezone.now() - dt.timedelta(hours=2))
    urls = ["/status/", "/status/summary.json", "/status/feed.atom", incident.get_status_url()]
    first = {url: client.get(url) for url in urls}
    assert all(response.status_code == 200 for response in first.values())
    declare("Gateway outage", timezone.now(), states={components["data"]: Component.MAJOR})
    with connection.execute_wrapper(_database_down):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Status-Stale"] == "1" and response.content == first[url].content
    # The forms still need the signed-in session: a staff member without two-factor is sent
    # to enrol there, as everywhere else.
    if who == "staff_user":
        assert client.get("/status/subscribe/")["Location"] == "/accounts/2fa/enrol/"


def test_concurrent_rerender_gets_the_last_copy(client, components, declare):
    old = client.get("/status/").content
    declare("Gateway outage", timezone.now(), states={components["data"]: Component.MAJOR})
    # Another process is rendering the new generation right now.
    generation = statuscache.generation()
    caches["status"].add(f"status:building:{generation}:page", 1, 30)
    with connection.execute_wrapper(_database_down):
        response = client.get("/status/")  # served without touching the database
    assert response.content == old and response["X-Status-Stale"] == "1"


def test_private_and_unknown_incidents_are_not_found(client, components, declare):
    private = declare("Private", timezone.now(), public=False)
    assert client.get(private.get_status_url()).status_code == 404
    assert client.get("/status/incidents/999999/").status_code == 404
    # Made-up ids are not cached (they could fill the cache).
    generation = statuscache.generation()
    assert caches["status"].get(f"status:{generation}:incident:999999") is None
    assert caches["status"].get("status:last:incident:999999") is None
    public = declare("Public", timezone.now())
    assert client.get(public.get_status_url()).status_code == 200


def test_uptime_selector_matches_page_rule_for_today(components, declare):
    # An open major outage that started two hours ago counts up to now.
    now = timezone.now()
    start = max(now - dt.timedelta(hours=2), midnight(0))
    declare("Open outage", start, states={components["portal"]: Component.MAJOR})
    history = {h.component.slug: h for h in selectors.uptime_history(now=now)}
    today = history["portal"].days[-1]
    assert today.state == Component.MAJOR
    assert today.down_seconds == pytest.approx((now - start).total_seconds(), abs=1)
