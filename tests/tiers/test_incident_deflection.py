"""The incident banner where customers are about to search or ask, postmortems by plan
(pages and search), and network traces on the plans that include them."""

import datetime as dt

from django.core.cache import caches
from django.db import DatabaseError
from django.utils import timezone

import pytest

from tiers import services
from tiers.incidents.postmortems import save_postmortem
from tiers.models import NetworkTrace, Plan, ServiceProblem, TicketEvent
from tiers.plans.seed import THREE_TIER_FILE, load_file
from tiers.tickets import traces

PCAP = b"\xd4\xc3\xb2\xa1" + b"\x00" * 60
ICCID = "89882806660000000010"  # 20 digits, 89 prefix, valid Luhn


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


# --- The banner ----------------------------------------------------------------------------


def test_the_banner_shows_open_public_incidents_on_the_pages_where_people_ask(
    client,
    declare,
    home_page,
    member,
    django_assert_max_num_queries,
    staff_user,
    django_capture_on_commit_callbacks,
):
    from forum.models import Category

    Category.objects.create(name="Connectivity", slug="connectivity")
    assert "incident-banner" not in client.get("/search/?q=data").content.decode()
    problem = declare(title="No data in Germany")
    private = declare(title="Secret routing issue", is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(problem=problem, by=staff_user, body="Partner network rerouted.")
    for url in ("/", "/search/?q=data"):
        page = client.get(url).content.decode()
        assert 'data-testid="incident-banner"' in page, url
        assert "No data in Germany" in page and "Partner network rerouted." in page
        assert f"/status/incidents/{problem.pk}/" in page and "/status/subscribe/" in page
        assert private.title not in page
    client.force_login(member)
    ask = client.get("/community/ask/")
    assert ask.status_code == 200 and "No data in Germany" in ask.content.decode()
    # Cached: a second anonymous search page costs no query for the banner.
    client.logout()
    client.get("/search/?q=data")
    with django_assert_max_num_queries(0):
        from tiers.incidents import deflection

        assert [n.title for n in deflection.banner(type("R", (), {"user": None})())] == [
            "No data in Germany"
        ]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_problem(
            problem=problem, by=staff_user, body="Resolved.", status=ServiceProblem.RESOLVED
        )
    assert "incident-banner" not in client.get("/search/?q=data").content.decode()


def test_the_banner_survives_a_database_outage_with_the_last_copy(declare, monkeypatch):
    from tiers.incidents import deflection, statuscache

    declare(title="Core outage")
    anonymous = type("R", (), {"user": None})()
    assert [n.title for n in deflection.banner(anonymous)] == ["Core outage"]
    statuscache.invalidate()

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(deflection, "_open", broken)
    assert [n.title for n in deflection.banner(anonymous)] == ["Core outage"]


def test_private_incidents_show_to_the_organisations_told_about_them(
    client, declare, org_a, org_a_member, org_b_member
):
    private = declare(title="Org A routing", organisations=[org_a], is_public=False)
    client.force_login(org_a_member)
    page = client.get("/support/tickets/new/").content.decode()
    assert private.title in page and f"/support/problems/{private.pk}/" in page
    client.force_login(org_b_member)
    assert private.title not in client.get("/support/tickets/new/").content.decode()


# --- Postmortems ---------------------------------------------------------------------------


POSTMORTEM = [
    {"type": "heading", "value": "What happened"},
    {"type": "paragraph", "value": "<p>A signalling firewall rule dropped attach requests.</p>"},
    {"type": "action", "value": {"measure": "Canary every firewall change", "status": "done"}},
]


@pytest.fixture
def three_tier(db):
    load_file(THREE_TIER_FILE)
    return {code: Plan.objects.get(code=code) for code in ("standard", "business", "enterprise")}


@pytest.fixture
def readers(make_org, user_factory, three_tier, infinity):
    """One member per plan: Community, Infinity, Standard, Business, Enterprise."""
    from tiers.models import Subscription

    people = {}
    for code in ("community", "infinity", "standard", "business", "enterprise"):
        admin = user_factory(email=f"{code}@example.com", display_name=f"{code} admin")
        org = make_org(name=f"{code.title()} Co", admin=admin)
        plan = Plan.objects.get(code=code)
        if code != "community":
            Subscription.objects.create(
                organisation=org,
                plan=plan,
                current_period_start=timezone.now(),
                current_period_end=services.add_month(timezone.now()),
            )
        people[code] = admin
    return people


def _resolved_with_postmortem(declare, staff_user, impact):
    problem = declare(title=f"A {impact} incident", impact=impact)
    services.update_problem(
        problem=problem, by=staff_user, body="Fixed.", status=ServiceProblem.RESOLVED
    )
    return save_postmortem(problem=problem, by=staff_user, postmortem=POSTMORTEM, publish=True)


def test_postmortems_follow_the_plans_entitlements(
    client, declare, staff_user, readers, django_assert_max_num_queries
):
    critical = _resolved_with_postmortem(declare, staff_user, "critical")
    operational = _resolved_with_postmortem(declare, staff_user, "operational")
    expected = {  # which of (critical, operational) each plan reads
        "community": (False, False),
        "infinity": (True, False),
        "standard": (False, False),
        "business": (True, False),
        "enterprise": (True, True),
    }
    for code, readable in expected.items():
        client.force_login(readers[code])
        got = []
        for problem in (critical, operational):
            response = client.get(problem.get_postmortem_url())
            assert response.status_code == 200
            got.append("signalling firewall rule" in response.content.decode())
        assert tuple(got) == readable, code
    client.force_login(readers["enterprise"])
    with django_assert_max_num_queries(12):
        page = client.get(operational.get_postmortem_url()).content.decode()
    assert "signalling firewall rule" in page and "Canary every firewall change" in page
    client.force_login(readers["community"])
    denied = client.get(critical.get_postmortem_url()).content.decode()
    assert "Infinity" in denied and "signalling firewall" not in denied
    client.logout()
    assert client.get(critical.get_postmortem_url()).status_code == 302  # sign in first


def test_drafts_are_for_staff_and_publishing_needs_a_resolved_incident(
    client, declare, staff_user, readers
):
    from tiers.errors import TierError

    problem = declare(impact="critical")
    with pytest.raises(TierError):
        save_postmortem(problem=problem, by=staff_user, postmortem=POSTMORTEM, publish=True)
    save_postmortem(problem=problem, by=staff_user, postmortem=POSTMORTEM)
    client.force_login(readers["enterprise"])
    assert client.get(problem.get_postmortem_url()).status_code == 404
    client.force_login(staff_user)
    assert "Draft" in client.get(problem.get_postmortem_url()).content.decode()


def test_postmortems_are_searchable_by_those_who_may_read_them(
    declare, staff_user, readers, django_capture_on_commit_callbacks
):
    from search import indexing
    from search import services as search_services

    with django_capture_on_commit_callbacks(execute=True):
        _resolved_with_postmortem(declare, staff_user, "operational")
    indexing.drain(include_delayed=True)

    def titles(user):
        outcome = search_services.search(user, "signalling firewall", log=False)
        return [hit.title for hit in outcome.result.hits]

    assert titles(readers["enterprise"]) == ["Postmortem: A operational incident"]
    assert titles(readers["business"]) == []
    assert titles(readers["community"]) == []
    assert titles(staff_user) == ["Postmortem: A operational incident"]


# --- Network traces ------------------------------------------------------------------------


@pytest.fixture
def business_case(readers, three_tier, open_ticket):
    from tiers.models import Membership

    admin = readers["business"]
    organisation = Membership.objects.get(user=admin).organisation
    return open_ticket(organisation, admin)


def test_iccids_are_checked():
    from tiers.errors import TierError

    assert traces.parse_iccids(f"{ICCID}, {ICCID}\n") == [ICCID]
    for bad in ("", "1234", ICCID[:-1] + "8", "99" + ICCID[2:], "８９" + ICCID[2:], "89" * 30):
        with pytest.raises(TierError):
            traces.parse_iccids(bad)


def test_a_trace_is_requested_attached_and_downloaded_by_the_right_people(
    client, business_case, readers, staff_user, django_assert_max_num_queries
):
    ticket = business_case
    client.force_login(readers["business"])
    with django_assert_max_num_queries(30):
        page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Request a network trace" in page
    url = f"/support/tickets/{ticket.case_number}/traces/"
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    response = client.post(
        url,
        {
            "iccids": "8988",
            "window_start": start.strftime("%Y-%m-%d %H:%M"),
            "window_end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "note": "MTU issues?",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not a valid ICCID" in body and "MTU issues?" in body  # nothing typed is lost
    response = client.post(
        url,
        {
            "iccids": ICCID,
            "window_start": start.strftime("%Y-%m-%d %H:%M"),
            "window_end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 302
    trace = NetworkTrace.objects.get()
    assert trace.iccid_list == [ICCID]
    attach = f"/support/tickets/{ticket.case_number}/traces/{trace.pk}/capture/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client.post(attach, {"capture": SimpleUploadedFile("t.pcap", PCAP)}).status_code == 404
    client.force_login(staff_user)
    response = client.post(attach, {"capture": SimpleUploadedFile("fake.pcap", b"not a pcap")})
    assert response.status_code == 302 and not NetworkTrace.objects.get().capture
    response = client.post(attach, {"capture": SimpleUploadedFile("trace.pcap", PCAP)})
    assert response.status_code == 302
    trace.refresh_from_db()
    assert trace.status == NetworkTrace.ATTACHED and trace.capture_name == "trace.pcap"
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert "trace_requested" in kinds and "trace_attached" in kinds
    download = f"/support/tickets/{ticket.case_number}/traces/{trace.pk}/download/"
    client.force_login(readers["business"])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PCAP
    client.force_login(readers["enterprise"])  # another organisation
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302


def test_plans_without_traces_cannot_request_them(client, open_ticket, org_a, org_a_admin):
    from tiers.errors import TierError

    ticket = open_ticket(org_a, org_a_admin)  # Infinity: no traces in its plan data
    client.force_login(org_a_admin)
    assert "Request a network trace" not in client.get(ticket.get_absolute_url()).content.decode()
    now = timezone.now()
    with pytest.raises(TierError):
        traces.request_trace(
            ticket=ticket,
            by=org_a_admin,
            iccids=ICCID,
            window_start=now - dt.timedelta(hours=1),
            window_end=now,
        )
