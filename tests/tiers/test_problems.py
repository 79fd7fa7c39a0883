"""Proactive problem notifications: staff record service problems; the contacts of entitled,
affected organisations are e-mailed within their plan's window for problems within the plan's
severity, with every update and the resolution, exactly once each."""

import datetime as dt
import re
from functools import partial
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest

from tiers import services
from tiers.incidents import problems
from tiers.models import (
    Membership,
    Plan,
    ProblemNotification,
    ProblemUpdate,
    ServiceProblem,
    Subscription,
)
from tiers.plans.seed import THREE_TIER_FILE

from .conftest import add_member


@pytest.fixture
def org_a_second_admin(org_a, user_factory):
    user = user_factory(email="second-admin-a@example.com", display_name="Sam (A admin 2)")
    add_member(org_a, user, role=Membership.ROLE_ADMIN)
    return user


@pytest.fixture
def record(declare):
    """The shared factory (it runs the delivery task), with the wording the notice is asserted
    with."""
    return partial(
        declare,
        title="Data sessions failing in several markets",
        description="PDP context requests are rejected with cause 33.",
    )


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def on_plan(code, make_org, user_factory, name, region="eu"):
    admin = user_factory(display_name=f"{name} admin")
    org = make_org(name=name, region=region, admin=admin)
    Subscription.objects.create(
        organisation=org,
        plan=Plan.objects.get(code=code),
        current_period_start=timezone.now(),
        current_period_end=services.add_month(timezone.now()),
    )
    return org, admin


def test_entitled_contacts_are_emailed_once_each(
    record,
    mailoutbox,
    org_a,
    org_a_admin,
    org_a_member,
    org_a_second_admin,
    org_b,
    org_b_admin,
    org_b_member,
    community_org,
):
    problem = record()
    # Point of contact and org admins of both Infinity orgs; not members; not Community.
    assert recipients(mailoutbox) == sorted(
        [org_a_admin.email, org_a_second_admin.email, org_b_admin.email]
    )
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert "free@example.com" not in recipients(mailoutbox)
    message = mailoutbox[0]
    assert (
        message.subject == "[Severity 2] Service problem: Data sessions failing in several markets"
    )
    assert "Severity 2 - severe impairment" in message.body
    assert "cause 33" in message.body
    assert f"/support/problems/{problem.pk}/" in message.body
    assert "866-992-3747" in message.body  # the plan's phone line, to add information
    assert message.extra_headers["Message-ID"].startswith(f"<problem-{problem.pk}.")
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 3
    rows = ProblemNotification.objects.all()
    assert rows.count() == 3 and {row.status for row in rows} == {"sent"}
    assert all(row.deadline_at == problem.started_at + dt.timedelta(minutes=30) for row in rows)
    assert not any(row.is_late for row in rows)
    # Sweeping again, or planning the same update again, sends nothing more.
    update = problem.updates.get()
    assert problems.plan_notifications(update) == 0
    assert problems.deliver_due() == 0
    call_command("tiers_sweep", stdout=StringIO())
    assert len(mailoutbox) == 3


def test_one_email_per_person_in_several_affected_orgs_naming_only_theirs(
    record, mailoutbox, org_a, org_a_admin, org_b, org_b_admin, make_org, infinity
):
    # org_a's admin also runs a third Infinity organisation.
    third = make_org(name="Third Fleet", region="us", plan=infinity, admin=org_a_admin)
    record()
    mine = [m for m in mailoutbox if m.to == [org_a_admin.email]]
    assert len(mine) == 1
    assert "Org A" in mine[0].body and "Third Fleet" in mine[0].body
    assert ProblemNotification.objects.get(user=org_a_admin).organisations.count() == 2
    theirs = [m for m in mailoutbox if m.to == [org_b_admin.email]]
    assert len(theirs) == 1
    assert third.name not in theirs[0].body


def test_no_private_data_of_another_organisation(
    record,
    post_update,
    mailoutbox,
    org_a,
    org_a_admin,
    org_a_member,
    org_b,
    org_b_admin,
    org_b_member,
):
    problem = record(organisations=[org_a, org_b])
    post_update(problem, status=ServiceProblem.RESOLVED, body="Fixed by a core network rollback.")
    a_mail = [m for m in mailoutbox if org_a_admin.email in m.to]
    b_mail = [m for m in mailoutbox if org_b_admin.email in m.to]
    assert len(a_mail) == 2 and len(b_mail) == 2
    for message in a_mail:
        text = message.subject + message.body + str(message.extra_headers) + str(message.to)
        for secret in ("Org B", org_b_admin.email, org_b_member.email, "Blake", "Bo (B member)"):
            assert secret not in text
    for message in b_mail:
        text = message.subject + message.body + str(message.extra_headers) + str(message.to)
        for secret in ("Org A", org_a_admin.email, org_a_member.email, "Avery", "Ari (A member)"):
            assert secret not in text


def test_severity_cut_updates_and_resolution(
    record, post_update, mailoutbox, org_a, org_a_admin, org_b, org_b_admin
):
    # Severity 3 is below Infinity's cut (severity 2 or more severe): nobody is e-mailed.
    problem = record(severity=3, title="Slow SMS delivery")
    assert mailoutbox == [] and not ProblemNotification.objects.exists()
    # Raised to severity 2: customers are told now, with a window from this update.
    raised = post_update(problem, severity=2, body="Now affecting many units.")
    assert raised.kind == ProblemUpdate.KIND_UPDATE
    assert recipients(mailoutbox) == sorted([org_a_admin.email, org_b_admin.email])
    assert mailoutbox[0].subject == "Update (Investigating): Slow SMS delivery"
    assert all(
        row.deadline_at == raised.created_at + dt.timedelta(minutes=30)
        for row in ProblemNotification.objects.all()
    )
    # Lowered to 3 again: those told keep hearing about it, until the resolution.
    post_update(problem, severity=3, status=ServiceProblem.MONITORING, body="Fix applied.")
    resolved = post_update(problem, status=ServiceProblem.RESOLVED, body="All clear.")
    assert resolved.kind == ProblemUpdate.KIND_RESOLVED
    problem.refresh_from_db()
    assert problem.resolved_at is not None
    assert len(mailoutbox) == 6
    assert [m.subject for m in mailoutbox if m.to == [org_a_admin.email]] == [
        "Update (Investigating): Slow SMS delivery",
        "Update (Monitoring - fix applied): Slow SMS delivery",
        "Resolved: Slow SMS delivery",
    ]


def test_scope_by_region_and_by_organisation(
    record, mailoutbox, org_a, org_a_admin, org_b, org_b_admin
):
    record(region="eu", title="Roaming partner outage in Germany")
    assert recipients(mailoutbox) == [org_b_admin.email]
    mailoutbox.clear()
    record(organisations=[org_a], title="APN misrouting for one customer")
    assert recipients(mailoutbox) == [org_a_admin.email]
    mailoutbox.clear()
    # Region and organisations together: org_a is not in Europe, so nobody.
    record(region="eu", organisations=[org_a], title="Nobody")
    assert mailoutbox == []


def test_organisations_told_keep_access_after_the_scope_narrows(
    client, record, post_update, mailoutbox, org_a, org_a_admin, org_b, org_b_admin
):
    problem = record(title="Core network degradation")
    assert recipients(mailoutbox) == sorted([org_a_admin.email, org_b_admin.email])
    # Staff narrow the problem to Europe: organisation A (not in Europe) was told already, so it
    # hears the update and its e-mail's link still opens the page.
    update = post_update(problem, region="eu", body="Only European traffic is affected.")
    assert sorted(n.user.email for n in update.notifications.all()) == sorted(
        [org_a_admin.email, org_b_admin.email]
    )
    client.force_login(org_a_admin)
    assert client.get(problem.get_absolute_url()).status_code == 200
    # A problem that never concerned organisation A stays hidden from it.
    other = record(region="eu", title="Roaming partner outage in Germany")
    assert client.get(other.get_absolute_url()).status_code == 404
    assert other.title not in client.get("/support/problems/").content.decode()


def test_windows_per_plan_and_late_sends(
    db,
    staff_user,
    make_org,
    user_factory,
    org_a,
    org_a_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    call_command("tiers_load_plans", str(THREE_TIER_FILE), stdout=StringIO())
    business, business_admin = on_plan("business", make_org, user_factory, "Biz GmbH")
    enterprise, enterprise_admin = on_plan("enterprise", make_org, user_factory, "Ent AG")
    standard, standard_admin = on_plan("standard", make_org, user_factory, "Std UG")
    started = timezone.now() - dt.timedelta(minutes=10)
    # Recorded without running the commit hooks: the rows wait for the sweep (worker down).
    problem = services.record_problem(
        by=staff_user,
        title="Core outage",
        description="Data down.",
        severity=1,
        started_at=started,
    )
    rows = {row.user: row for row in ProblemNotification.objects.all()}
    assert set(rows) == {org_a_admin, business_admin, enterprise_admin}  # Standard: none
    assert rows[org_a_admin].deadline_at == started + dt.timedelta(minutes=30)
    assert rows[business_admin].deadline_at == started + dt.timedelta(minutes=30)
    assert rows[enterprise_admin].deadline_at == started + dt.timedelta(minutes=15)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.sweep()
    assert counts["problem notifications"] == 3
    assert recipients(mailoutbox) == sorted(
        [org_a_admin.email, business_admin.email, enterprise_admin.email]
    )
    enterprise_mail = next(m for m in mailoutbox if m.to == [enterprise_admin.email])
    assert "Critical incident" in enterprise_mail.body  # the plan's own severity words
    assert not any(row.is_late for row in ProblemNotification.objects.all())
    # Recorded two hours after it started: every e-mail goes out, flagged as late.
    mailoutbox.clear()
    late = services.record_problem(
        by=staff_user,
        title="Late one",
        description="Found late.",
        severity=1,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep()
    late_rows = ProblemNotification.objects.filter(update__problem=late)
    assert late_rows.count() == 3 and all(row.is_late for row in late_rows)
    assert standard_admin.email not in recipients(mailoutbox)
    assert problem.pk != late.pk


def test_crash_mid_fan_out_neither_loses_nor_duplicates(
    staff_user,
    org_a,
    org_a_admin,
    org_a_second_admin,
    org_b,
    org_b_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    problem = services.record_problem(
        by=staff_user, title="Outage", description="Down.", severity=1
    )
    assert ProblemNotification.objects.filter(status="pending").count() == 3
    # A worker sends one e-mail and dies: each row commits on its own, so one is sent ...
    with django_capture_on_commit_callbacks(execute=True):
        assert problems.deliver_due(limit=1) == 1
    assert len(mailoutbox) == 1
    first = mailoutbox[0].to[0]
    # ... and another worker already claimed one row (a conditional UPDATE, like the sender).
    other = ProblemNotification.objects.filter(status="pending").exclude(user__email=first).first()
    assert (
        ProblemNotification.objects.filter(pk=other.pk, status="pending").update(
            status="sent", sent_at=timezone.now()
        )
        == 1
    )
    # The restarted sweep sends exactly the rest: nothing lost, nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tiers_sweep", stdout=StringIO())
    assert len(mailoutbox) == 2
    assert other.user.email not in recipients(mailoutbox)
    assert len(set(recipients(mailoutbox))) == 2
    assert not ProblemNotification.objects.filter(status="pending").exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tiers_sweep", stdout=StringIO())
    assert len(mailoutbox) == 2
    assert problem.updates.count() == 1


def test_people_who_left_or_were_demoted_are_skipped(
    staff_user,
    org_a,
    org_a_admin,
    org_a_second_admin,
    user_factory,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    third = user_factory(email="third-admin-a@example.com")
    add_member(org_a, third, role=Membership.ROLE_ADMIN)
    services.record_problem(by=staff_user, title="Outage", description="Down.", severity=1)
    assert ProblemNotification.objects.count() == 3
    # Before the sweep runs, one admin leaves and another becomes a plain member.
    Membership.objects.filter(user=org_a_second_admin).delete()
    Membership.objects.filter(user=third).update(role=Membership.ROLE_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        problems.deliver_due()
    assert recipients(mailoutbox) == [org_a_admin.email]
    for user in (org_a_second_admin, third):
        skipped = ProblemNotification.objects.get(user=user)
        assert skipped.status == "skipped" and skipped.sent_at is None


def test_service_rules(staff_user, org_a_admin, org_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_problem(by=org_a_admin, title="T", description="D", severity=1)
    with pytest.raises(services.TierError, match="Severity must be one of 1, 2, 3, 4"):
        services.record_problem(by=staff_user, title="T", description="D", severity=9)
    with pytest.raises(services.TierError, match="title"):
        services.record_problem(by=staff_user, title=" ", description="D", severity=1)
    with pytest.raises(services.TierError, match="future"):
        services.record_problem(
            by=staff_user,
            title="T",
            description="D",
            severity=1,
            started_at=timezone.now() + dt.timedelta(hours=1),
        )
    problem = services.record_problem(by=staff_user, title="T", description="D", severity=1)
    with pytest.raises(services.TierError, match="Write the update"):
        services.update_problem(problem=problem, by=staff_user, body="  ")
    with pytest.raises(PermissionDenied):
        services.update_problem(problem=problem, by=org_a_admin, body="x")


# --- Customer pages ----------------------------------------------------------------------------


def test_customers_of_entitled_orgs_see_current_problems(
    client,
    record,
    post_update,
    org_a,
    org_a_member,
    org_b,
    org_b_member,
    community_org,
    django_assert_max_num_queries,
):
    everyone = record(title="Network-wide latency")
    only_a = record(title="Org A routing issue", organisations=[org_a])
    low = record(title="Minor SMS delay", severity=4)
    done = record(title="Outage yesterday")
    post_update(done, status=ServiceProblem.RESOLVED, body="Resolved.")
    client.force_login(org_a_member)
    home = client.get("/support/").content.decode()
    assert "Current service problems" in home
    assert everyone.title in home and only_a.title in home
    assert done.title not in home
    listing = client.get("/support/problems/").content.decode()
    # Low-severity problems are not e-mailed to Infinity, but are shown on the page.
    assert everyone.title in listing and only_a.title in listing and low.title in listing
    assert "Resolved in the last 7 days" in listing and done.title in listing
    detail = client.get(done.get_absolute_url()).content.decode()
    assert "Resolved." in detail
    assert "Org B" not in listing and "Org B" not in detail
    new_ticket = client.get("/support/tickets/new/").content.decode()
    assert everyone.title in new_ticket
    with django_assert_max_num_queries(12):
        assert client.get("/support/problems/").status_code == 200
    # Organisation B does not see (or find) a problem limited to organisation A.
    client.force_login(org_b_member)
    listing = client.get("/support/problems/").content.decode()
    assert everyone.title in listing and only_a.title not in listing
    assert client.get(only_a.get_absolute_url()).status_code == 404
    # Community: no problems, the upgrade path instead.
    client.force_login(community_org.memberships.get().user)
    listing = client.get("/support/problems/").content.decode()
    assert everyone.title not in listing and "/support/plans/" in listing
    assert client.get(everyone.get_absolute_url()).status_code == 404
    assert "Current service problems" not in client.get("/support/").content.decode()
    client.logout()
    assert client.get("/support/problems/").status_code == 302
    assert client.get(everyone.get_absolute_url()).status_code == 302


# --- Staff screens -----------------------------------------------------------------------------


def test_customers_keep_a_year_of_their_problem_history_page_by_page(
    client, staff_user, org_a, org_a_member, org_b, org_b_member, django_assert_max_num_queries
):
    from tiers.selectors import PROBLEM_HISTORY_PER_PAGE, RECENTLY_RESOLVED_DAYS

    now = timezone.now()
    ages = [2, *range(RECENTLY_RESOLVED_DAYS + 1, 400, 9)]  # days since each was resolved
    made = []
    for age in ages:
        problem = services.record_problem(
            by=staff_user,
            title=f"Private problem resolved {age} days ago",
            description="Down.",
            severity=4,
            organisations=[org_a],
            is_public=False,
            started_at=now - dt.timedelta(days=age, hours=3),
        )
        ServiceProblem.objects.filter(pk=problem.pk).update(
            status=ServiceProblem.RESOLVED, resolved_at=now - dt.timedelta(days=age)
        )
        made.append(problem)
    only_b = services.record_problem(
        by=staff_user,
        title="Org B only, long ago",
        description="x",
        severity=4,
        organisations=[org_b],
        is_public=False,
        started_at=now - dt.timedelta(days=50),
    )
    ServiceProblem.objects.filter(pk=only_b.pk).update(
        status=ServiceProblem.RESOLVED, resolved_at=now - dt.timedelta(days=49)
    )
    older = [p.title for p in made[1:]]  # newest first, as resolved
    pages = -(-len(older) // PROBLEM_HISTORY_PER_PAGE)
    assert pages >= 3
    client.force_login(org_a_member)
    shown = []
    for number in range(1, pages + 1):
        with django_assert_max_num_queries(14):
            html = client.get(f"/support/problems/?page={number}").content.decode()
        history = html.split('id="history-heading"')[1]
        recent = html.split('id="resolved-heading"')[1].split('id="history-heading"')[0]
        assert made[0].title in recent and made[0].title not in history
        shown += re.findall(r">(Private problem resolved \d+ days ago)</a>", history)
        assert f"Page {number} of {pages}" in history
        assert ('rel="next"' in history) == (number < pages)
        assert only_b.title not in html
    assert shown == older  # every one, once, newest first: the oldest over a year ago
    assert ages[-1] > 365
    # A page that does not exist shows the nearest one, not an error.
    assert client.get("/support/problems/?page=oops").status_code == 200
    assert older[-1] in client.get("/support/problems/?page=999").content.decode()
    client.force_login(org_b_member)
    html = client.get("/support/problems/").content.decode()
    assert only_b.title in html and older[0] not in html


def test_staff_record_update_and_resolve_in_admin(
    client, superuser, org_a, org_a_admin, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    new = client.get("/admin/tiers/serviceproblem/new/")
    assert new.status_code == 200
    assert "1: Severity 1 - service down" in new.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tiers/serviceproblem/new/",
            {
                "title": "Core network outage",
                "description": "No data sessions anywhere.",
                "severity": "1",
                "region": "",
                "started_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    problem = ServiceProblem.objects.get()
    assert problem.created_by == superuser and problem.updates.get().kind == "opened"
    assert recipients(mailoutbox) == [org_a_admin.email]
    edit_url = f"/admin/tiers/serviceproblem/edit/{problem.pk}/"
    page = client.get(edit_url).content.decode()
    assert "Update for customers" in page and "Updates sent so far" in page
    # No update text: refused, nothing changed, what was typed kept.
    response = client.post(
        edit_url,
        {
            "status": "resolved",
            "severity": "1",
            "title": "Core network outage",
            "description": "No data sessions anywhere.",
            "region": "",
            "update": "",
        },
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "investigating" and len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url,
            {
                "status": "resolved",
                "severity": "1",
                "title": "Core network outage",
                "description": "No data sessions anywhere.",
                "region": "",
                "update": "A faulty router was replaced; all sessions are back.",
            },
        )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved" and problem.updates.count() == 2
    assert mailoutbox[-1].subject == "Resolved: Core network outage"
    assert "faulty router" in mailoutbox[-1].body
    index = client.get("/admin/tiers/serviceproblem/").content.decode()
    assert "Core network outage" in index and "2 sent" in index
    log = client.get("/admin/tiers/problemnotification/").content.decode()
    assert "Avery (A admin)" in log and org_a_admin.email in log and "on time" in log
    assert client.get("/admin/tiers/problemnotification/new/").status_code in (302, 403)


def test_support_staff_group_records_problems_customers_cannot(
    client, user_factory, org_a_admin, org_a
):
    from django.contrib.auth.models import Group

    from resourcecenter.roles import ANALYSTS_GROUP
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    analyst = user_factory(email="analyst@example.com", is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(analyst)
    assert client.get("/admin/tiers/serviceproblem/new/").status_code == 200
    assert client.get("/admin/tiers/problemnotification/").status_code == 200
    client.force_login(org_a_admin)
    assert client.get("/admin/tiers/serviceproblem/new/").status_code in (302, 403)
    response = client.post(
        "/admin/tiers/serviceproblem/new/",
        {"title": "x", "description": "y", "severity": "1", "started_at": "2026-01-01 00:00"},
    )
    assert response.status_code in (302, 403)
    assert not ServiceProblem.objects.exists()


def test_admin_lists_show_late_and_overdue_emails(
    client,
    superuser,
    staff_user,
    org_a,
    org_a_admin,
    org_b,
    org_b_admin,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_problem(
            by=staff_user,
            title="Found late",
            description="D",
            severity=1,
            started_at=timezone.now() - dt.timedelta(hours=2),
        )
    # Recorded while no worker runs: its e-mails wait, already past their window.
    services.record_problem(
        by=staff_user,
        title="Worker down",
        description="D",
        severity=1,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    client.force_login(superuser)
    with django_assert_max_num_queries(30):
        index = client.get("/admin/tiers/serviceproblem/").content.decode()
    assert "2 sent, 2 late" in index and "0 sent, 2 pending" in index
    log = client.get("/admin/tiers/problemnotification/", {"status": "pending"}).content
    assert log.decode().count("OVERDUE") == 2
    # The delivery log is the sender's record: not even a superuser adds, edits or deletes rows.
    row = ProblemNotification.objects.first()
    base = "/admin/tiers/problemnotification"
    assert client.get(f"{base}/new/").status_code in (302, 403)
    assert client.get(f"{base}/edit/{row.pk}/").status_code in (302, 403)
    assert client.post(f"{base}/delete/{row.pk}/").status_code in (302, 403)
    assert ProblemNotification.objects.filter(pk=row.pk).exists()
    assert client.get(f"{base}/inspect/{row.pk}/").status_code == 200


def test_times_in_the_recipients_zone(record, mailoutbox, org_a, org_a_admin, org_b, org_b_admin):
    Membership.objects.filter(user=org_a_admin).update(time_zone="Europe/Berlin")
    started = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
    record(started_at=started)
    berlin = next(m for m in mailoutbox if m.to == [org_a_admin.email])
    utc = next(m for m in mailoutbox if m.to == [org_b_admin.email])
    assert "Started: Thu 15 Jan 2026 13:00 CET" in berlin.body
    assert "Started: Thu 15 Jan 2026 12:00 UTC" in utc.body
