"""Incidents meet the product: proactive notices with their 30-minute promise measured,
cases attached to incidents (no allowance, every update reaches them and their threads),
the incident banner where customers ask, and postmortems by plan."""

import datetime as dt

from django.core.cache import caches
from django.db.models import F

import pytest

from forum.models import Post
from tiers import services
from tiers.incidents import attainment, linking, problems
from tiers.models import ProblemNotification, ServiceProblem, Ticket, TicketEvent, TimeEntry
from tiers.selectors import allowance_usage


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


# --- Proactive notices and the 30-minute promise -------------------------------------------


def test_notices_record_declared_and_sent_and_attainment_counts_them(
    declare, org_a, org_b, community_org, mailoutbox, staff_user
):
    problem = declare()
    notices = list(ProblemNotification.objects.filter(update__problem=problem))
    assert len(notices) == 2  # the admins of org A and org B (Infinity); not Community
    for notice in notices:
        assert notice.declared_at == problem.started_at
        assert notice.deadline_at == notice.declared_at + dt.timedelta(minutes=30)
        assert notice.status == ProblemNotification.SENT and notice.sent_at >= notice.declared_at
    # The e-mail comes from the template, names only the reader's organisation.
    message = next(m for m in mailoutbox if m.to == ["admin-a@example.com"])
    assert message.subject == f"[Severity 2] Service problem: {problem.title}"
    assert "Your organisation: Org A" in message.body and "Org B" not in message.body
    figures = attainment.notice_attainment(attainment.notices(problem=problem))
    assert (figures.sent, figures.on_time, figures.late, figures.percent) == (2, 2, 0, 100.0)
    # One notice sent late, one still pending past its deadline: 1 of 3 measured on time.
    late, on_time = notices
    late.sent_at = late.deadline_at + dt.timedelta(minutes=7)
    late.save()
    update = services.update_problem(problem=problem, by=staff_user, body="Still on it.")
    pending = ProblemNotification.objects.filter(update=update).first()
    ProblemNotification.objects.filter(update=update).exclude(pk=pending.pk).delete()
    later = pending.deadline_at + dt.timedelta(minutes=1)
    figures = attainment.notice_attainment(attainment.notices(problem=problem), now=later)
    assert (figures.on_time, figures.late, figures.overdue, figures.measured) == (1, 1, 1, 3)
    assert figures.percent == pytest.approx(33.3)
    assert figures.slowest_minutes == pytest.approx(37.0, abs=0.1)
    by_org = attainment.notice_attainment(attainment.notices(organisation=org_a), now=later)
    assert by_org.measured == ProblemNotification.objects.filter(organisations=org_a).count()


def test_sent_at_is_when_the_mail_worker_sent_it_and_a_backed_up_queue_counts_late(
    org_a, org_b, staff_user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from django_tasks.signals import task_enqueued

    from tiers.incidents import notify

    # The mail worker is backed up: the queue records the e-mails, nobody sends them yet.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    queued = []

    def collect(sender, task_result, **kwargs):
        if task_result.task.name == notify.send_notice_task.name:
            queued.append(task_result.kwargs)

    task_enqueued.connect(collect, weak=False, dispatch_uid="test_backed_up_queue")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            problem = services.record_problem(
                by=staff_user, title="Outage", description="Down.", severity=2
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert problems.deliver_due() == 2
    finally:
        task_enqueued.disconnect(dispatch_uid="test_backed_up_queue")
    rows = attainment.notices(problem=problem)
    assert len(queued) == 2 and not mailoutbox
    assert {(n.status, n.sent_at) for n in rows} == {(ProblemNotification.QUEUED, None)}
    assert all(n.queued_at is not None for n in rows)
    # Queued is not sent: inside the window they are pending, past it they are late.
    deadline = rows.first().deadline_at
    inside = attainment.notice_attainment(rows, now=deadline - dt.timedelta(minutes=1))
    assert (inside.sent, inside.pending, inside.overdue, inside.measured) == (0, 2, 0, 0)
    past = attainment.notice_attainment(rows, now=deadline + dt.timedelta(minutes=1))
    assert (past.sent, past.on_time, past.overdue, past.percent) == (0, 0, 2, 0.0)
    # The worker catches up 40 minutes after the incident was declared (the rows' clock is
    # moved back, as if they had waited): sent_at is that real sending moment, so late.
    ProblemNotification.objects.filter(update__problem=problem).update(
        declared_at=F("declared_at") - dt.timedelta(minutes=40),
        deadline_at=F("deadline_at") - dt.timedelta(minutes=40),
    )
    before = timezone.now()
    for message in queued:
        notify.send_notice_task.call(**message)
    assert len(mailoutbox) == 2
    for notice in rows.all():
        assert notice.status == ProblemNotification.SENT
        assert before <= notice.sent_at <= timezone.now() and notice.sent_at > notice.deadline_at
    figures = attainment.notice_attainment(rows.all())
    assert (figures.sent, figures.on_time, figures.late, figures.percent) == (2, 0, 2, 0.0)
    assert figures.slowest_minutes >= 40
    # A task run twice (a retried job) sends again at most, never rewrites the first moment.
    first = {n.pk: n.sent_at for n in rows.all()}
    notify.send_notice_task.call(**queued[0])
    assert {n.pk: n.sent_at for n in rows.all()} == first


def test_the_admin_page_of_an_incident_shows_the_attainment(
    client, declare, org_a, staff_user, django_assert_max_num_queries
):
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    problem = declare()
    client.force_login(staff_user)
    with django_assert_max_num_queries(60):
        page = client.get(f"/admin/tiers/serviceproblem/edit/{problem.pk}/").content.decode()
    assert "100.0%" in page and "(1 of 1)" in page and "Cases attached (0)" in page


def test_deliver_due_still_skips_people_who_stopped_being_contacts(org_a, org_a_admin, staff_user):
    # Recorded without running the commit hooks: nothing is delivered yet.
    problem = services.record_problem(
        by=staff_user, title="Outage", description="Down.", severity=1
    )
    org_a.memberships.filter(user=org_a_admin).update(role="member", is_point_of_contact=False)
    assert problems.deliver_due() == 0
    notice = ProblemNotification.objects.get(update__problem=problem)
    assert notice.status == ProblemNotification.SKIPPED and notice.sent_at is None


# --- Cases attached to an incident ---------------------------------------------------------


def test_attaching_a_case_frees_the_allowance_and_relays_every_update(
    declare, post_update, open_ticket, org_a, org_a_member, staff_user, mailoutbox
):
    problem = declare()
    tickets = [open_ticket(org_a, org_a_member, subject=f"Case {n}") for n in range(4)]
    usage = allowance_usage(org_a, org_a.subscriptions.get().plan)
    assert usage.troubleshooting_cases.used == 4  # 3 included: the fourth is over
    assert Ticket.objects.get(pk=tickets[3].pk).over_allowance
    TimeEntry.objects.create(ticket=tickets[3], minutes=50, category="troubleshooting")
    linking.link_ticket(ticket=tickets[3], incident=problem, by=org_a_member)
    linking.link_ticket(ticket=tickets[2], incident=problem, by=org_a_member)
    linking.link_ticket(ticket=tickets[2], incident=problem, by=org_a_member)  # idempotent
    usage = allowance_usage(org_a, org_a.subscriptions.get().plan)
    assert usage.troubleshooting_cases.used == 2 and usage.troubleshooting_hours.minutes == 0
    assert not Ticket.objects.get(pk=tickets[3].pk).over_allowance
    assert TicketEvent.objects.filter(ticket=tickets[2], kind="incident_linked").count() == 1
    mailoutbox.clear()
    update = post_update(problem, body="Traffic rerouted to a second partner.")
    events = TicketEvent.objects.filter(kind="incident_update", data__update=update.pk)
    assert sorted(e.ticket_id for e in events) == sorted([tickets[2].pk, tickets[3].pk])
    assert all(e.public for e in events)
    to_requester = [m for m in mailoutbox if m.to == [org_a_member.email]]
    assert len(to_requester) == 2
    assert "Traffic rerouted" in to_requester[0].body
    assert tickets[2].case_number in " ".join(m.subject for m in to_requester)


def test_only_own_cases_and_open_visible_incidents_can_be_attached(
    declare, post_update, open_ticket, org_a, org_a_member, org_b_member, staff_user
):
    from django.core.exceptions import PermissionDenied

    from tiers.errors import TierError

    problem = declare()
    private_b = declare(
        title="Org B only",
        organisations=[org_b_member.memberships.get().organisation],
        is_public=False,
    )
    ticket = open_ticket(org_a, org_a_member)
    with pytest.raises(PermissionDenied):
        linking.link_ticket(ticket=ticket, incident=problem, by=org_b_member)
    with pytest.raises(TierError):
        linking.link_ticket(ticket=ticket, incident=private_b, by=org_a_member)
    post_update(problem, status=ServiceProblem.RESOLVED, body="Fixed.")
    with pytest.raises(TierError):
        linking.link_ticket(ticket=ticket, incident=problem, by=org_a_member)
    assert list(linking.linkable_incidents(org_a_member)) == []
    assert list(linking.linkable_incidents(org_b_member)) == [private_b]


def test_the_case_page_attaches_the_case(
    client, declare, open_ticket, org_a, org_a_member, org_b_member
):
    problem = declare()
    ticket = open_ticket(org_a, org_a_member)
    client.force_login(org_b_member)
    url = f"/support/tickets/{ticket.case_number}/incident/"
    assert client.post(url, {"incident": problem.pk}).status_code == 404
    client.force_login(org_a_member)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Attach this case to the incident" in page
    response = client.post(url, {"incident": "nonsense", "next": ticket.get_absolute_url()})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).incident_id is None
    response = client.post(url, {"incident": problem.pk}, follow=True)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).incident_id == problem.pk
    assert "Attached to an incident" in response.content.decode()


def test_the_ticket_form_opens_a_case_on_the_incident_without_a_description(
    client, declare, org_a, org_a_member, django_assert_max_num_queries
):
    problem = declare()
    client.force_login(org_a_member)
    with django_assert_max_num_queries(30):
        form = client.get(f"/support/tickets/new/?incident={problem.pk}").content.decode()
    assert 'data-testid="incident-banner"' in form and problem.title in form
    assert f'<option value="{problem.pk}" selected>' in form
    response = client.post(
        "/support/tickets/new/",
        {"organisation": org_a.pk, "incident": problem.pk, "category": "troubleshooting"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get()
    assert ticket.incident_id == problem.pk and ticket.subject == problem.title
    assert problem.title in ticket.description and not ticket.over_allowance
    # Without an incident the usual fields are required, and what was typed stays.
    response = client.post(
        "/support/tickets/new/",
        {
            "organisation": org_a.pk,
            "incident": "",
            "category": "troubleshooting",
            "subject": "My own words",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "My own words" in page
    assert page.count("This field is required.") == 2


def test_updates_reach_the_thread_of_an_attached_case_as_a_public_staff_note(
    declare, post_update, org_a, org_a_member, staff_user
):
    from forum import services as forum_services
    from forum.models import Category
    from tiers.tickets.promotion import promote_thread

    category = Category.objects.create(name="Connectivity", slug="connectivity")
    thread = forum_services.create_thread(
        author=org_a_member,
        category=category,
        title="No data in Germany since noon",
        body="Our trackers in Germany cannot attach since 12:00. Anyone else?",
    )
    ticket = promote_thread(thread=thread, by=org_a_member, organisation=org_a).ticket
    problem = declare()
    linking.link_ticket(ticket=ticket, incident=problem, by=org_a_member)
    before = Post.objects.filter(thread=thread).count()
    post_update(problem, body="A partner network in Germany rejects attach requests.")
    notes = Post.objects.filter(thread=thread).order_by("-number")
    assert notes.count() == before + 1
    note = notes.first()
    assert note.is_staff_answer and note.author == staff_user
    assert (
        "rejects attach requests" in note.body_markdown
        and "/status/incidents/" in note.body_markdown
    )
    # A private incident's update stays on the case only.
    private = declare(title="Private", is_public=False)
    ticket.incident = private
    ticket.save()
    post_update(private, body="Internal routing change.")
    assert Post.objects.filter(thread=thread).count() == before + 1


def test_the_admin_edit_keeps_the_postmortem_when_a_post_lacks_its_editor(
    client, declare, staff_user, django_capture_on_commit_callbacks
):
    from tiers.apps import grant_support_staff
    from tiers.incidents.postmortems import save_postmortem

    grant_support_staff(sender=None)
    problem = declare(impact="critical")
    text = [{"type": "heading", "value": "Root cause"}]
    save_postmortem(problem=problem, by=staff_user, postmortem=text)
    client.force_login(staff_user)
    url = f"/admin/tiers/serviceproblem/edit/{problem.pk}/"
    fields = {
        "status": "resolved",
        "severity": "2",
        "title": problem.title,
        "description": problem.description,
        "region": "",
        "is_public": "on",
        "impact_class": "critical",
    }
    response = client.post(url, {**fields, "postmortem-count": "x"})
    assert response.status_code == 200 and "Write the update customers will receive" in (
        response.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**fields, "update": "Fixed.", "publish_postmortem": "on"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved" and problem.postmortem_is_published
    assert problem.postmortem[0].value == "Root cause"
